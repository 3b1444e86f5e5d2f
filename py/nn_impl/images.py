"""Reading image files for ``nn-impl predict``, with NumPy and the standard library only.

Supported: PNG (grey, grey+alpha, RGB, RGBA or palette, any bit depth, interlaced or not), the Netpbm formats
PGM and PPM (P2/P5 grey, P3/P6 colour, any maxval) and NumPy ``.npy`` arrays of shape (H, W), (H, W, 3) or (H, W, 4).
Everything comes back as an array that :func:`nn_impl.preprocess.to_mnist` accepts.

Why our own PNG decoder: the package's only dependency is NumPy (it also runs inside Pyodide, where Pillow
would be one more download). PNG is zlib-compressed scanlines, each prefixed by one of five filters; the
decoder below is the specification's own description (https://www.w3.org/TR/png/ §7-9) written out.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import numpy as np

from . import preprocess

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# colour type -> samples per pixel (PNG spec, table 11.1)
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_COLOUR_NAMES = {0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"}
# colour type -> bit depths the specification allows (table 11.1)
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}

# Adam7's seven passes: (first row, first column, row step, column step) (PNG spec §8.2)
_ADAM7 = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]

# An image larger than the preprocessing takes is refused from its header, before it is decoded (a 7000×7000 PNG
# of a few kilobytes would take 2 GB to decode only to be refused then).
MAX_PIXELS = preprocess.MAX_PIXELS


def read_image(path):
    """Read an image file chosen by its extension (.png, .pgm, .ppm, .pnm, .npy; any other format, such as
    JPEG, through Pillow when it is installed: :mod:`nn_impl.pillow_reader`).

    Returns an array of shape (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA: uint8 for PNG and Netpbm, the
    stored dtype for .npy. Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the file
    for an unsupported or corrupt one.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return read_npy(path)
    data = path.read_bytes()
    if suffix == ".png" or data.startswith(PNG_SIGNATURE):
        return decode_png(data, name=str(path))
    if suffix in (".pgm", ".ppm", ".pnm", ".pbm") or data[:2] in (b"P2", b"P3", b"P5", b"P6"):
        return decode_netpbm(data, name=str(path))
    from .pillow_reader import read_with_pillow  # JPEG and the rest: through Pillow, if it is installed

    return read_with_pillow(path, MAX_PIXELS)


def decode_image(data, name="<bytes>", max_pixels=MAX_PIXELS):
    """The bytes of an image file, its format told by its content: PNG and PGM/PPM here, anything else through
    Pillow when it is installed (there is none in the browser tab).

    Returns uint8 (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA. Raises ``ValueError`` naming ``name`` for data
    that is not an image this package can read, and for an image of more than ``max_pixels`` pixels.
    """
    if data.startswith(PNG_SIGNATURE):
        return decode_png(data, name, max_pixels)
    if data[:2] in (b"P2", b"P3", b"P5", b"P6"):
        return decode_netpbm(data, name, max_pixels)
    from .pillow_reader import pillow_installed, read_with_pillow

    if not pillow_installed():
        raise ValueError(f"{name}: not a PNG or PGM/PPM image (other formats, such as JPEG, are read through "
                         "Pillow, which is not installed here)")
    return read_with_pillow(io.BytesIO(data), max_pixels, name=name)


# ------------------------------------------------------------------------------------------------------- npy

def read_npy(path):
    """A .npy file holding one image: (H, W), (H, W, 3) or (H, W, 4), numeric and finite. Loaded without pickle."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"{path}: not a readable .npy array ({exc})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "uif" and array.dtype != bool:
        raise ValueError(f"{path}: expected a numeric array, got dtype {getattr(array, 'dtype', type(array))}")
    if not (array.ndim == 2 or array.ndim == 3 and array.shape[2] in (3, 4)):
        raise ValueError(f"{path}: expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{path}: contains NaN or infinite values")
    return array


# ---------------------------------------------------------------------------------------------------- netpbm

def decode_netpbm(data, name="<bytes>", max_pixels=MAX_PIXELS):
    """PGM (P2 text, P5 binary) or PPM (P3, P6) bytes -> uint8 (H, W) or (H, W, 3), scaled from maxval to 255.

    An image of more than ``max_pixels`` pixels is refused from its header.
    """
    magic = data[:2]
    if magic not in (b"P2", b"P3", b"P5", b"P6"):
        raise ValueError(f"{name}: not a PGM/PPM file (magic {magic!r}; expected P2, P3, P5 or P6)")
    channels = 3 if magic in (b"P3", b"P6") else 1
    # The header is magic, width, height, maxval: whitespace-separated, with '#' comments to the end of a line.
    fields, pos = [], 2
    while len(fields) < 3:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            end = data.find(b"\n", pos)
            pos = len(data) if end < 0 else end + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace() and data[pos:pos + 1] != b"#":
            pos += 1
        if start == pos:
            raise ValueError(f"{name}: truncated header (need width, height and maxval)")
        try:
            fields.append(int(data[start:pos]))
        except ValueError:
            raise ValueError(f"{name}: header field {data[start:pos]!r} is not a number") from None
    width, height, maxval = fields
    if width < 1 or height < 1 or not 1 <= maxval <= 65535:
        raise ValueError(f"{name}: bad header: width {width}, height {height}, maxval {maxval}")
    _check_size(width, height, name, max_pixels)
    count = width * height * channels
    if magic in (b"P5", b"P6"):
        pos += 1  # exactly one whitespace byte separates the header from the raster
        dtype = ">u2" if maxval > 255 else "u1"
        need = count * np.dtype(dtype).itemsize
        if len(data) - pos < need:
            raise ValueError(f"{name}: truncated: {len(data) - pos} bytes of pixels, {need} expected")
        values = np.frombuffer(data, dtype=dtype, count=count, offset=pos).astype(np.int64)
    else:
        body = re.sub(rb"#[^\n]*", b" ", data[pos:])  # comments may appear anywhere in the text formats
        try:
            values = np.array(body.split()[:count], dtype=np.int64)
        except ValueError:
            raise ValueError(f"{name}: pixel values must be whole numbers") from None
        if values.size < count:
            raise ValueError(f"{name}: truncated: {values.size} pixel values, {count} expected")
    if values.max() > maxval:
        raise ValueError(f"{name}: a pixel value exceeds maxval {maxval}")
    scaled = values if maxval == 255 else (values * 255 + maxval // 2) // maxval
    shape = (height, width, 3) if channels == 3 else (height, width)
    return scaled.astype(np.uint8).reshape(shape)


# ------------------------------------------------------------------------------------------------------- png

def decode_png(data, name="<bytes>", max_pixels=MAX_PIXELS):
    """PNG bytes -> uint8 (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA (grey+alpha is widened to RGBA).

    Supports every colour type (grey, RGB, palette, grey+alpha, RGBA; tRNS transparency becomes an alpha
    channel) at every bit depth the specification allows (16-bit samples are rounded to 8), plain or
    Adam7-interlaced; every chunk's CRC is checked. Raises ``ValueError`` naming the file for corrupt data, and
    for an image of more than ``max_pixels`` pixels (from its header, before anything is decompressed).
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{name}: not a PNG file (bad signature)")
    header, palette, transparency, compressed = None, None, None, []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise ValueError(f"{name}: corrupt PNG: truncated before the IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError(f"{name}: corrupt PNG: chunk {kind!r} is truncated")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise ValueError(f"{name}: corrupt PNG: checksum mismatch in chunk {kind.decode('latin-1')!r}")
        pos += 12 + length
        if kind == b"IHDR":
            header = _png_header(body, name, max_pixels)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = np.frombuffer(body, dtype=np.uint8)
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
        elif kind[0] & 0x20 == 0:  # an uppercase first letter marks a chunk a decoder must understand
            raise ValueError(f"{name}: unsupported PNG: critical chunk {kind.decode('latin-1')!r}")
    if header is None or not compressed:
        raise ValueError(f"{name}: corrupt PNG: missing IHDR or IDAT")
    width, height, depth, colour, interlace = header
    channels = _PNG_CHANNELS[colour]
    # Adam7 interlacing stores the image as 7 smaller images, each with its own filtered scanlines.
    passes = _ADAM7 if interlace else [(0, 0, 1, 1)]
    sizes = [(-(-(height - y0) // dy), -(-(width - x0) // dx)) for y0, x0, dy, dx in passes]
    row_bytes = [-(-w * channels * depth // 8) for _, w in sizes]  # samples narrower than a byte are packed
    expected = sum(h * (n + 1) for (h, w), n in zip(sizes, row_bytes) if h and w)  # empty passes store nothing
    try:
        # max_length: a tiny file must not inflate into gigabytes (a "zip bomb"); we know the true size
        inflater = zlib.decompressobj()
        raw = inflater.decompress(b"".join(compressed), expected + 1)
    except zlib.error as exc:
        raise ValueError(f"{name}: corrupt PNG: image data does not decompress ({exc})") from None
    if len(raw) != expected:
        raise ValueError(f"{name}: corrupt PNG: {len(raw)} bytes of scanlines, {expected} expected")
    # Filters work on bytes, comparing each with the one a whole pixel to its left (at least one byte).
    filter_step = max(1, channels * depth // 8)
    samples = np.zeros((height, width, channels), dtype=np.uint16)
    start = 0
    for (y0, x0, dy, dx), (h, w), n in zip(passes, sizes, row_bytes):
        if not (h and w):
            continue
        block = np.frombuffer(raw, dtype=np.uint8, count=h * (n + 1), offset=start).reshape(h, n + 1)
        start += h * (n + 1)
        rows = _unfilter(block, filter_step, name)
        samples[y0::dy, x0::dx] = _samples(rows, w, channels, depth).reshape(h, w, channels)
    if colour == 3:
        return _apply_palette(samples[:, :, 0], palette, transparency, name)
    image = _to_8_bits(samples, depth)
    if transparency is not None and colour in (0, 2):
        # tRNS in a grey or RGB image names one colour (at the file's bit depth) that is fully transparent
        key = np.frombuffer(transparency[:2 * channels].tobytes(), dtype=">u2")
        if len(key) == channels:
            alpha = np.where(np.all(samples == key, axis=2), 0, 255).astype(np.uint8)
            rgb = image if colour == 2 else np.repeat(image, 3, axis=2)
            return np.concatenate([rgb, alpha[:, :, None]], axis=2)
    if colour == 0:
        return image[:, :, 0]
    if colour == 4:  # grey+alpha -> RGBA, one of the shapes to_mnist reads
        grey, alpha = image[:, :, :1], image[:, :, 1:]
        return np.concatenate([grey, grey, grey, alpha], axis=2)
    return image


def _apply_palette(index, palette, transparency, name):
    """Palette indices (H, W) -> uint8 RGB (H, W, 3), or RGBA (H, W, 4) when tRNS gives palette alphas."""
    if palette is None:
        raise ValueError(f"{name}: corrupt PNG: palette image without a PLTE chunk")
    if index.max() >= len(palette):
        raise ValueError(f"{name}: corrupt PNG: pixel refers past the {len(palette)}-colour palette")
    rgb = palette[index]
    if transparency is None:
        return rgb
    alpha = np.full(len(palette), 255, dtype=np.uint8)  # entries tRNS does not list are opaque
    alpha[:len(transparency)] = transparency[:len(palette)]
    return np.concatenate([rgb, alpha[index][:, :, None]], axis=2)


def _png_header(body, name, max_pixels):
    if len(body) != 13:
        raise ValueError(f"{name}: corrupt PNG: IHDR has {len(body)} bytes, 13 expected")
    width, height, depth, colour, compression, filter_method, interlace = struct.unpack(">IIBBBBB", body)
    if colour not in _PNG_CHANNELS:
        raise ValueError(f"{name}: corrupt PNG: unknown colour type {colour}")
    if depth not in _PNG_DEPTHS[colour]:
        raise ValueError(f"{name}: corrupt PNG: bit depth {depth} is not allowed for {_PNG_COLOUR_NAMES[colour]} "
                         f"images (allowed: {', '.join(map(str, _PNG_DEPTHS[colour]))})")
    if interlace not in (0, 1):
        raise ValueError(f"{name}: corrupt PNG: unknown interlace method {interlace}")
    if compression != 0 or filter_method != 0:
        raise ValueError(f"{name}: corrupt PNG: unknown compression or filter method")
    if width < 1 or height < 1:
        raise ValueError(f"{name}: corrupt PNG: size {width}x{height}")
    _check_size(width, height, name, max_pixels)
    return width, height, depth, colour, interlace


def _check_size(width, height, name, max_pixels):
    if width * height > max_pixels:
        raise ValueError(f"{name}: the image is {width}x{height} = {width * height:,} pixels, more than the "
                         f"{max_pixels:,} a picture of a digit may have; scale it down first")


def _samples(rows, width, channels, depth):
    """Unfiltered rows (height, row_bytes) -> the samples as stored, (height, width * channels) uint16.

    16-bit samples are big-endian byte pairs; 1-, 2- and 4-bit samples are packed, most significant bits first.
    """
    n = width * channels
    if depth == 8:
        return rows[:, :n].astype(np.uint16)
    if depth == 16:
        pairs = rows[:, :2 * n].reshape(len(rows), n, 2).astype(np.uint16)
        return pairs[:, :, 0] << 8 | pairs[:, :, 1]
    bits = np.unpackbits(rows, axis=1)[:, :n * depth].reshape(len(rows), n, depth)
    return (bits * (1 << np.arange(depth - 1, -1, -1, dtype=np.uint8))).sum(axis=2, dtype=np.uint16)


def _to_8_bits(samples, depth):
    """Samples of ``depth`` bits -> uint8 on 0..255: 16 bits rounded, fewer bits stretched so the top is 255."""
    top = (1 << depth) - 1
    return ((samples.astype(np.uint32) * 255 + top // 2) // top).astype(np.uint8)


def _unfilter(rows, bpp, name):
    """Undo PNG's per-scanline filters. rows: (height, 1 + stride) uint8, filter byte first -> (height, stride).

    Sub and Up are vectorised; Average and Paeth depend on the byte just decoded to their left, so they run
    byte by byte on Python ints (fast enough for the few-hundred-pixel images predict is for).
    """
    height, stride = rows.shape[0], rows.shape[1] - 1
    out = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for r in range(height):
        kind, line = rows[r, 0], rows[r, 1:]
        if kind == 0:      # None
            recon = line.copy()
        elif kind == 1:    # Sub: each byte adds the reconstructed byte bpp to its left: a running sum per channel
            padded = np.zeros(-(-stride // bpp) * bpp, dtype=np.uint8)
            padded[:stride] = line
            recon = (np.cumsum(padded.reshape(-1, bpp), axis=0, dtype=np.uint64) % 256)
            recon = recon.astype(np.uint8).ravel()[:stride]
        elif kind == 2:    # Up
            recon = line + prior  # uint8 arithmetic wraps modulo 256, as the spec wants
        elif kind in (3, 4):
            recon = _unfilter_sequential(kind, line.tolist(), prior.tolist(), bpp)
        else:
            raise ValueError(f"{name}: corrupt PNG: unknown filter type {kind} on row {r}")
        out[r] = recon
        prior = out[r]
    return out


def _unfilter_sequential(kind, line, prior, bpp):
    recon = [0] * len(line)
    for i, value in enumerate(line):
        left = recon[i - bpp] if i >= bpp else 0
        up = prior[i]
        if kind == 3:      # Average
            recon[i] = (value + ((left + up) >> 1)) & 0xFF
        else:              # Paeth: predict from left, up or upper-left, whichever is closest to left + up − upper-left
            upper_left = prior[i - bpp] if i >= bpp else 0
            p = left + up - upper_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
            recon[i] = (value + predictor) & 0xFF
    return np.array(recon, dtype=np.uint8)
