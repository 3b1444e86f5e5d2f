"""Reading image files: PNG through our own decoder (checked against a tiny independent encoder), PGM/PPM, .npy."""

import struct
import zlib

import numpy as np
import pytest

from nn_impl import images

COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _filter_row(kind, row, prior, bpp):
    """PNG's forward filter for one scanline (a list of ints), straight from the specification's table."""
    out = []
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
        out.append((x - predictor) % 256)
    return out


def _row_bytes(samples, depth):
    """One row of samples as PNG stores them: big-endian 16-bit, bytes, or bits packed high bits first."""
    if depth == 16:
        return [byte for v in samples for byte in (v >> 8, v & 0xFF)]
    if depth == 8:
        return list(samples)
    bits = "".join(format(v, f"0{depth}b") for v in samples)
    bits += "0" * (-len(bits) % 8)
    return [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]


def encode_png(pixels, filters=(0,), colour_type=None, interlace=0, depth=8, extra_chunks=(), palette=None):
    """A minimal PNG encoder: pixels (H, W) or (H, W, C) of ints < 2**depth; row r uses filters[r % len]."""
    pixels = np.asarray(pixels)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if colour_type is None:
        colour_type = COLOUR_TYPES[channels]
    bpp = max(1, channels * depth // 8)
    # Adam7 (spec §8.2): seven sub-images, each filtered on its own; a plain image is one "pass" of everything.
    passes = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]
    raw = bytearray()
    for y0, x0, dy, dx in passes if interlace else [(0, 0, 1, 1)]:
        sub = pixels[y0::dy, x0::dx]
        if sub.size == 0:
            continue  # an empty pass stores no bytes at all
        rows = [_row_bytes(row, depth) for row in sub.reshape(sub.shape[0], -1).tolist()]
        prior = [0] * len(rows[0])
        for r, row in enumerate(rows):
            kind = filters[r % len(filters)]
            raw.append(kind)
            raw.extend(_filter_row(kind, row, prior, bpp))
            prior = row
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, interlace)
    body = _chunk(b"IHDR", header)
    if palette is not None:
        body += _chunk(b"PLTE", np.asarray(palette, dtype=np.uint8).tobytes())
    for kind, data in extra_chunks:
        body += _chunk(kind, data)
    return images.PNG_SIGNATURE + body + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")


def _random_image(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("filters", [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)])
def test_png_round_trip_every_filter(channels, filters):
    shape = (7, 9) if channels == 1 else (7, 9, channels)
    pixels = _random_image(shape, seed=channels)
    np.testing.assert_array_equal(images.decode_png(encode_png(pixels, filters)), pixels)


@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("width", [1, 7, 9, 16])
def test_png_grey_below_8_bits_is_stretched_to_255(depth, width):
    levels = np.random.default_rng(depth).integers(0, 2**depth, (5, width))
    out = images.decode_png(encode_png(levels, filters=(0, 1, 2, 3, 4), depth=depth))
    np.testing.assert_array_equal(out, levels * 255 // (2**depth - 1))


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_png_palette_at_every_depth(depth):
    palette = np.random.default_rng(1).integers(0, 256, (2**depth, 3))
    index = np.random.default_rng(2).integers(0, 2**depth, (6, 11))
    out = images.decode_png(encode_png(index, filters=(4, 1), colour_type=3, depth=depth, palette=palette))
    np.testing.assert_array_equal(out, palette[index])


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_16_bit_is_rounded_to_8(channels):
    shape = (4, 5) if channels == 1 else (4, 5, channels)
    wide = np.random.default_rng(3).integers(0, 65536, shape)
    wide.flat[:2] = [0, 65535]
    out = images.decode_png(encode_png(wide, filters=(0, 1, 2, 3, 4), depth=16))
    expected = np.round(wide * 255 / 65535).astype(np.uint8)
    if channels == 2:
        expected = np.stack([expected[..., 0]] * 3 + [expected[..., 1]], axis=-1)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (8, 8), (13, 17), (9, 5, 3), (20, 11, 4)])
def test_png_adam7_interlaced(shape):
    pixels = _random_image(shape, seed=sum(shape))
    np.testing.assert_array_equal(images.decode_png(encode_png(pixels, filters=(1, 4, 3), interlace=1)), pixels)
    levels = pixels[..., 0] % 4 if pixels.ndim == 3 else pixels % 4  # packed 2-bit samples, padded per pass row
    out = images.decode_png(encode_png(levels, filters=(2, 4), interlace=1, depth=2))
    np.testing.assert_array_equal(out, levels * 85)


def test_png_grey_alpha_becomes_rgba():
    pixels = _random_image((5, 4, 2))
    out = images.decode_png(encode_png(pixels, filters=(4,)))
    assert out.shape == (5, 4, 4)
    for c in range(3):
        np.testing.assert_array_equal(out[:, :, c], pixels[:, :, 0])
    np.testing.assert_array_equal(out[:, :, 3], pixels[:, :, 1])


def test_png_palette_with_transparency():
    palette = [[0, 0, 0], [255, 255, 255], [255, 0, 0]]
    index = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.uint8)
    plain = encode_png(index, colour_type=3, palette=palette)
    np.testing.assert_array_equal(images.decode_png(plain), np.array(palette, dtype=np.uint8)[index])
    with_alpha = encode_png(index, colour_type=3, palette=palette, extra_chunks=[(b"tRNS", bytes([0]))])
    out = images.decode_png(with_alpha)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out[:, :, 3], np.where(index == 0, 0, 255))


def test_png_trns_colour_key_becomes_alpha():
    rgb = np.random.default_rng(4).integers(0, 256, (4, 6, 3))
    rgb[1, 2] = [1, 2, 3]
    out = images.decode_png(encode_png(rgb, extra_chunks=[(b"tRNS", struct.pack(">3H", 1, 2, 3))]))
    assert out.shape == (4, 6, 4)
    np.testing.assert_array_equal(out[:, :, :3], rgb)
    assert out[1, 2, 3] == 0 and np.count_nonzero(out[:, :, 3] == 0) == np.all(rgb == [1, 2, 3], axis=2).sum()
    grey = np.array([[0, 300, 65535]])  # 16-bit grey: the key is compared before rounding to 8 bits
    out = images.decode_png(encode_png(grey, depth=16, extra_chunks=[(b"tRNS", struct.pack(">H", 300))]))
    np.testing.assert_array_equal(out[:, :, 3], [[255, 0, 255]])
    np.testing.assert_array_equal(out[:, :, 0], [[0, 1, 255]])


def test_png_ancillary_chunks_are_skipped():
    pixels = _random_image((3, 3))
    data = encode_png(pixels, extra_chunks=[(b"tEXt", b"Comment\x00hello"), (b"gAMA", struct.pack(">I", 45455))])
    np.testing.assert_array_equal(images.decode_png(data), pixels)


def test_png_large_image_with_paeth_decodes():
    pixels = _random_image((120, 160, 3), seed=5)
    np.testing.assert_array_equal(images.decode_png(encode_png(pixels, filters=(4, 3))), pixels)


def _corrupt_crc(data):
    broken = bytearray(data)
    broken[len(images.PNG_SIGNATURE) + 10] ^= 0xFF  # a byte inside IHDR's body
    return bytes(broken)


@pytest.mark.parametrize("make, message", [
    (lambda: b"GIF89a....", "not a PNG"),
    (lambda: _corrupt_crc(encode_png(_random_image((4, 4)))), "checksum mismatch"),
    (lambda: encode_png(_random_image((4, 4)))[:-20], "truncated"),
    (lambda: encode_png(_random_image((4, 4)), interlace=2), "unknown interlace method 2"),
    (lambda: encode_png(_random_image((4, 4, 3)) // 16, depth=4), "bit depth 4 is not allowed for RGB"),
    (lambda: encode_png(_random_image((4, 4)), colour_type=3), "without a PLTE"),
    (lambda: encode_png(_random_image((4, 4)), colour_type=5), "unknown colour type"),
    (lambda: encode_png(_random_image((4, 4)), extra_chunks=[(b"ABCD", b"")]), "critical chunk"),
])
def test_png_errors_are_clear(make, message):
    with pytest.raises(ValueError, match=message):
        images.decode_png(make(), name="x.png")


def test_png_bad_filter_and_bad_zlib():
    good = encode_png(_random_image((2, 2)))
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
    bad_filter = images.PNG_SIGNATURE + header + _chunk(b"IDAT", zlib.compress(b"\x07\x00\x00\x00\x00\x00")) \
        + _chunk(b"IEND", b"")
    with pytest.raises(ValueError, match="unknown filter type 7"):
        images.decode_png(bad_filter)
    bad_zlib = images.PNG_SIGNATURE + header + _chunk(b"IDAT", b"not zlib") + _chunk(b"IEND", b"")
    with pytest.raises(ValueError, match="does not decompress"):
        images.decode_png(bad_zlib)
    short = images.PNG_SIGNATURE + header + _chunk(b"IDAT", zlib.compress(b"\x00\x01")) + _chunk(b"IEND", b"")
    with pytest.raises(ValueError, match="bytes of scanlines"):
        images.decode_png(short)
    assert images.decode_png(good).shape == (2, 2)


def test_png_refuses_huge_declared_size():
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    data = images.PNG_SIGNATURE + header + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b"")
    with pytest.raises(ValueError, match="100000x100000 = 10,000,000,000 pixels, more than the"):
        images.decode_png(data)


def test_netpbm_binary_and_text():
    grey = _random_image((3, 5))
    p5 = b"P5\n# a comment\n5 3\n255\n" + grey.tobytes()
    np.testing.assert_array_equal(images.decode_netpbm(p5), grey)
    rgb = _random_image((2, 2, 3))
    p6 = b"P6 2 2 255 " + rgb.tobytes()
    np.testing.assert_array_equal(images.decode_netpbm(p6), rgb)
    p2 = b"P2\n3 1\n15\n0 15 # comment\n 8\n"
    np.testing.assert_array_equal(images.decode_netpbm(p2), [[0, 255, 136]])
    p3 = b"P3 1 1 255 10 20 30"
    np.testing.assert_array_equal(images.decode_netpbm(p3), [[[10, 20, 30]]])
    sixteen = b"P5 2 1 65535\n" + np.array([0, 65535], dtype=">u2").tobytes()
    np.testing.assert_array_equal(images.decode_netpbm(sixteen), [[0, 255]])


@pytest.mark.parametrize("data, message", [
    (b"P5\n4 4\n255\n" + b"\x00" * 5, "truncated"),
    (b"P5\n4", "truncated header"),
    (b"P2 2 1 255 1 x", "whole numbers"),
    (b"P2 2 1 10 1 11", "exceeds maxval"),
    (b"P5 0 3 255\n", "bad header"),
    (b"P7 1 1 255\n\x00", "not a PGM/PPM"),
])
def test_netpbm_errors(data, message):
    with pytest.raises(ValueError, match=message):
        images.decode_netpbm(data, name="x.pgm")


def test_read_image_by_extension(tmp_path):
    pixels = _random_image((6, 6, 3))
    (tmp_path / "a.png").write_bytes(encode_png(pixels, filters=(1, 4)))
    np.testing.assert_array_equal(images.read_image(tmp_path / "a.png"), pixels)
    (tmp_path / "b.ppm").write_bytes(b"P6 6 6 255\n" + pixels.tobytes())
    np.testing.assert_array_equal(images.read_image(tmp_path / "b.ppm"), pixels)
    np.save(tmp_path / "c.npy", pixels[:, :, 0].astype(np.float32) / 255)
    assert images.read_image(tmp_path / "c.npy").dtype == np.float32
    with pytest.raises(FileNotFoundError, match="missing.png"):
        images.read_image(tmp_path / "missing.png")
    (tmp_path / "d.gif").write_bytes(b"GIF89a")
    try:
        import PIL  # noqa: F401  (optional: other formats go through Pillow where it is installed)
        expected = "d.gif: not an image Pillow can read"
    except ImportError:
        expected = r"d.gif: .gif images are read through Pillow, which is not installed: `pip install pillow`"
    with pytest.raises(ValueError, match=expected):
        images.read_image(tmp_path / "d.gif")


@pytest.mark.parametrize("array, message", [
    (np.zeros((3, 3, 2)), "shape"),
    (np.zeros(5), "shape"),
    (np.array([[np.nan, 0.0]]), "NaN"),
    (np.array([["a", "b"]]), "numeric"),
])
def test_read_npy_errors(tmp_path, array, message):
    path = tmp_path / "x.npy"
    np.save(path, array)
    with pytest.raises(ValueError, match=message):
        images.read_image(path)


def test_read_npy_refuses_pickles(tmp_path):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="not a readable .npy"):
        images.read_image(path)
