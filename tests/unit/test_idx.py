"""nn_impl.idx: IDX files (raw or gzip) are read exactly, and malformed ones are refused naming the file."""

import gzip
import struct

import numpy as np
import pytest

from nn_impl import idx


def idx_bytes(array, type_code=0x08):
    """The IDX encoding of ``array``: magic (0, 0, type, ndim), big-endian uint32 dimensions, big-endian data."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.asarray(array).astype(dtype).tobytes()


@pytest.mark.parametrize("type_code", [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E])
def test_read_idx_every_type_code_round_trips(tmp_path, type_code):
    values = np.arange(-6, 18).reshape(2, 3, 4) if type_code != 0x08 else np.arange(24).reshape(2, 3, 4)
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(values, type_code))
    read = idx.read_idx(path)
    assert read.shape == (2, 3, 4)
    assert read.dtype.isnative
    np.testing.assert_array_equal(read, values)


def test_read_idx_detects_gzip_from_content_not_name(tmp_path):
    values = np.arange(10, dtype=np.uint8)
    (tmp_path / "plain").write_bytes(gzip.compress(idx_bytes(values)))  # no .gz suffix
    np.testing.assert_array_equal(idx.read_idx(tmp_path / "plain"), values)


def test_read_idx_result_is_writable_and_detached(tmp_path):
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(np.zeros((2, 2), np.uint8)))
    array = idx.read_idx(path)
    array[0, 0] = 7  # a read-only view of the file's buffer would raise here
    assert array[0, 0] == 7


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda raw: raw[:3], "too short"),
        (lambda raw: b"\x01" + raw[1:], "magic number"),
        (lambda raw: raw[:2] + b"\x07" + raw[3:], "type code 0x07"),
        (lambda raw: raw[:3] + b"\x00" + raw[4:], "0 dimensions"),
        (lambda raw: raw[:10], "truncated IDX header"),
        (lambda raw: raw[:-1], "truncated"),
        (lambda raw: raw + b"\x00\x00", "unexpected bytes"),
    ],
    ids=["short", "magic", "type", "ndim0", "header", "data", "trailing"],
)
def test_read_idx_rejects_malformed_files_naming_them(tmp_path, mutate, message):
    path = tmp_path / "broken-images-idx3-ubyte"
    path.write_bytes(mutate(idx_bytes(np.zeros((3, 4, 5), np.uint8))))
    with pytest.raises(ValueError, match=message) as info:
        idx.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_truncated_gzip(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8) % 10))[:-20])
    with pytest.raises(ValueError, match="gzip") as info:
        idx.read_idx(path)
    assert str(path) in str(info.value)
