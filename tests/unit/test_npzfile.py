"""nn_impl.npzfile: the one .npz reader (caps, no pickles, clear errors) and the reproducible writer."""

import io
import zipfile

import numpy as np
import pytest

from nn_impl import data, npzfile


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def test_read_gives_every_member_and_a_name_for_messages(tmp_path):
    raw = _npz(a=np.arange(3), b=np.array("text"))
    arrays, name = npzfile.read(raw, "test file", 2**20)
    assert sorted(arrays) == ["a", "b"] and name == "test file"
    np.testing.assert_array_equal(arrays["a"], [0, 1, 2])
    (tmp_path / "t.npz").write_bytes(raw)
    assert npzfile.read(tmp_path / "t.npz", "test file", 2**20)[1] == str(tmp_path / "t.npz")


def test_the_caps_apply_to_the_file_and_to_what_it_inflates_to():
    raw = _npz(zeros=np.zeros(2**18))  # 2 MiB of zeros in a few KiB
    assert len(raw) < 2**20
    with pytest.raises(ValueError, match="would take more than 1 MiB; not a test file"):
        npzfile.read(raw, "test file", 2**20)
    with pytest.raises(ValueError, match="larger than the 0 MiB a test file may have"):
        npzfile.read(raw, "test file", 1000)


def test_datasets_are_capped_too(monkeypatch):
    arrays = {"x_train": np.zeros((2, 28, 28), np.uint8), "y_train": np.zeros(2, np.uint8),
              "x_test": np.zeros((1, 28, 28), np.uint8), "y_test": np.zeros(1, np.uint8)}
    monkeypatch.setattr(data, "MAX_FILE_BYTES", 2000)
    with pytest.raises(ValueError, match="would take more than 0 MiB; not a dataset file"):
        data.load_npz_dataset(_npz(**arrays))


def test_write_is_reproducible_ordered_and_readable_by_numpy(tmp_path):
    arrays = {"b": np.arange(4, dtype=np.float32), "a": np.eye(2)}
    first, second = io.BytesIO(), io.BytesIO()
    npzfile.write(first, arrays)
    npzfile.write(second, arrays)
    assert first.getvalue() == second.getvalue()
    npzfile.write(tmp_path / "plain", arrays, compress=False)  # under exactly that name
    assert [p.name for p in tmp_path.iterdir()] == ["plain"]
    with np.load(tmp_path / "plain", allow_pickle=False) as npz:
        assert npz.files == ["b", "a"]
        np.testing.assert_array_equal(npz["a"], np.eye(2))


def test_write_refuses_object_arrays_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.npz"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError):
        npzfile.write(path, {"x": np.array([{"a": 1}], dtype=object)})
    assert path.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["keep.npz"]


def _archive_of_many_members(n):
    """A zip of ``n`` tiny .npy members, each holding a 0-d array (what a hostile 'model file' can list)."""
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array(0, np.uint8))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for i in range(n):
            archive.writestr(f"m{i}.npy", member.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize("n, said", [(65, "lists 65 members"), (100_000, "lists more than 65 535 members")])
def test_an_archive_of_too_many_members_is_refused_from_its_last_record(n, said, monkeypatch):
    raw = _archive_of_many_members(n)
    # refused before the directory is listed: the zip module is never asked
    monkeypatch.setattr(zipfile, "ZipFile", None)
    with pytest.raises(ValueError, match=f"test file: the archive {said}; a test file has at most 64"):
        npzfile.read(raw, "test file", 2**26)


def test_an_archive_at_the_member_limit_is_read():
    assert len(npzfile.read(_archive_of_many_members(64), "test file", 2**20)[0]) == 64
