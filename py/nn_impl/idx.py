"""The IDX file format (LeCun's MNIST files): a big-endian header of type code and dimensions, then the data.

Any malformed or truncated file raises a ``ValueError`` that names it and says what is wrong.
"""

import gzip
import pathlib
import zlib

import numpy as np

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """Read one IDX file (raw, or gzip-compressed: detected from its first bytes, not its name).

    Returns an array of the file's shape (e.g. (n, 28, 28) for images, (n,) for labels) in native byte order
    (uint8 for MNIST). Raises ``ValueError`` naming the file when the magic number, type code, dimensions or
    length are wrong, or the gzip stream is truncated.
    """
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{path}: the gzip stream is corrupt or truncated ({exc}); download the file again"
            ) from exc
    return parse_idx(raw, name=str(path))


def parse_idx(raw, name="<bytes>"):
    """Parse the bytes of an (uncompressed) IDX file; see :func:`read_idx`. ``name`` appears in errors."""
    if len(raw) < 4:
        raise ValueError(f"{name}: too short to be an IDX file ({len(raw)} bytes; the header alone is 4)")
    zero0, zero1, type_code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise ValueError(
            f"{name}: not an IDX file (magic number starts with {raw[:2].hex()}, expected 0000); "
            "is it still compressed with something other than gzip?"
        )
    if type_code not in _IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in _IDX_DTYPES)
        raise ValueError(f"{name}: unknown IDX type code 0x{type_code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{name}: IDX header declares 0 dimensions")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"{name}: truncated IDX header ({len(raw)} bytes, the {ndim} dimensions need {header_len})")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = header_len + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) < expected:
        raise ValueError(
            f"{name}: truncated: header says shape {shape} ({expected} bytes in all) but the file has {len(raw)} bytes"
        )
    if len(raw) > expected:
        raise ValueError(
            f"{name}: {len(raw) - expected} unexpected bytes after the data of shape {shape}; "
            "the file is not a valid IDX file"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_len).reshape(shape)
    # a writable, native-byte-order copy: the caller owns it and never sees the file's big-endian layout
    return data.astype(dtype.newbyteorder("="))
