"""MNIST: where it is cached, its loaders (IDX folder, the site's ``.npz``, the classic ``mnist.pkl.gz``), its checksums.

Every loader hands back **uint8 pixels** (images of shape (n, 28, 28)) and **uint8 labels** (shape (n,)), exactly
as MNIST stores them; :func:`normalize` turns pixels into the floats a network eats. Anything malformed or
truncated raises a ``ValueError`` that names the file and says what is wrong, before any array is returned.
The file formats themselves are read by :mod:`nn_impl.idx`, :mod:`nn_impl.npzfile` and :mod:`nn_impl.mnist_pickle`.

Where the data lives: :func:`cache_dir` (``$NN_IMPL_CACHE``, else ``$XDG_CACHE_HOME/nn_impl``, else
``~/.cache/nn_impl``) holds ``mnist-full.npz``, written by ``python3 build.py data``.
"""

import hashlib
import os
import pathlib

import numpy as np

from . import digit_sets, inputs, npzfile
from .idx import read_idx

#: the four arrays of MNIST, in the order they are usually listed
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")

#: the standard IDX file names (LeCun's site); each may also end in ``.gz``
MNIST_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

#: sha256 of ``np.ascontiguousarray(a).tobytes()`` for the full MNIST as uint8 (images (n, 28, 28)):
#: 60 000 training digits (the pickle's train + validation parts, in that order) and 10 000 test digits.
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}

_MNIST_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}

MNIST_FULL_NPZ = "mnist-full.npz"

#: the largest dataset ``.npz`` read, and the largest total its members may inflate to (the full MNIST is 55 MB)
MAX_FILE_BYTES = 256 * 2**20


def cache_dir():
    """The folder for downloads and the cached full MNIST (it is not created here).

    ``$NN_IMPL_CACHE`` if set, else ``$XDG_CACHE_HOME/nn_impl``, else ``~/.cache/nn_impl``.
    """
    if os.environ.get("NN_IMPL_CACHE"):
        return pathlib.Path(os.environ["NN_IMPL_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return pathlib.Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "nn_impl"
    return pathlib.Path.home() / ".cache" / "nn_impl"


# --------------------------------------------------------------------------------------------- IDX folder


def _find_idx_file(directory, stem):
    """The path of ``stem`` in ``directory``, also trying ``stem.gz`` and the common ``.idx3-ubyte`` spelling."""
    dotted = stem.replace("-idx", ".idx")  # e.g. train-images.idx3-ubyte, as some mirrors name them
    for candidate in (stem, stem + ".gz", dotted, dotted + ".gz"):
        path = directory / candidate
        if path.is_file():
            return path
    raise ValueError(f"{directory}: no {stem} (or {stem}.gz) in this folder; it must hold the four MNIST IDX files")


def load_mnist_idx(directory):
    """Load the four original MNIST IDX files from ``directory`` (each raw or ``.gz``).

    Returns dict(x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,)), all uint8
    (any number of images is accepted as long as the files agree with one another).
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: not a folder; pass the folder that holds the four MNIST IDX files")
    arrays, paths = {}, {}
    for key, stem in MNIST_IDX_FILES.items():
        paths[key] = _find_idx_file(directory, stem)
        arrays[key] = read_idx(paths[key])
        if arrays[key].dtype != np.uint8:
            raise ValueError(f"{paths[key]}: MNIST files hold unsigned bytes, this one holds {arrays[key].dtype}")
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        images_path, labels_path = paths[f"x_{split}"], paths[f"y_{split}"]
        if images.ndim != 3:
            raise ValueError(f"{images_path}: expected images of shape (n, rows, cols), got shape {images.shape}")
        if labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected labels of shape (n,), got shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{labels_path}: label {int(labels.max())} is outside 0..9")
    return arrays


# --------------------------------------------------------------------------------------------- the site's .npz


def load_npz_dataset(source, n_classes=10):
    """Load a dataset ``.npz`` (the site's ``data/mnist-subset.npz`` or the cached ``mnist-full.npz``).

    ``source``: a path, the file's bytes (as the browser fetches them) or a binary file object. The file must
    hold uint8 ``x_train`` (n, H, W), ``y_train`` (n,), ``x_test`` (m, H, W), ``y_test`` (m,) with labels in
    ``0 .. n_classes-1``; other members are ignored. It is read by :func:`nn_impl.npzfile.read` (size caps,
    nothing unpickled).
    Returns dict of those four arrays.
    """
    arrays, name = npzfile.read(source, "dataset file", MAX_FILE_BYTES)
    missing = [key for key in MNIST_KEYS if key not in arrays]
    if missing:
        raise ValueError(f"{name}: missing {', '.join(missing)} (a dataset .npz holds {', '.join(MNIST_KEYS)})")
    arrays = {key: arrays[key] for key in MNIST_KEYS}
    _check_dataset(arrays, name, n_classes)
    return arrays


def save_npz_dataset(arrays, file, n_classes=10):
    """Write a dataset ``.npz`` that :func:`load_npz_dataset` reads: the four uint8 arrays, compressed.

    ``arrays``: dict with x_train (n, H, W), y_train (n,), x_test (m, H, W), y_test (m,), all uint8 (checked
    first, so a bad dataset is never written). ``file``: a path (written atomically, under exactly that name) or
    a binary file object. The bytes are reproducible: the same arrays always give the same file.
    """
    _check_dataset({key: np.asarray(arrays[key]) for key in MNIST_KEYS}, "dataset to save", n_classes)
    npzfile.write(file, {key: arrays[key] for key in MNIST_KEYS})


def _check_dataset(arrays, name, n_classes):
    """Raise ValueError unless ``arrays`` is a well-formed uint8 image-classification dataset."""
    for key in MNIST_KEYS:
        if arrays[key].dtype != np.uint8:
            raise ValueError(
                f"{name}: {key} has dtype {arrays[key].dtype}; expected uint8 (0..255 pixels, integer labels)"
            )
    image_shape = arrays["x_train"].shape[1:]
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3:
            raise ValueError(f"{name}: x_{split} has shape {x.shape}; expected (n, height, width)")
        if x.shape[1:] != image_shape:
            raise ValueError(f"{name}: x_test images are {x.shape[1:]} but x_train images are {image_shape}")
        if y.shape != (len(x),):
            raise ValueError(f"{name}: y_{split} has shape {y.shape}; expected ({len(x)},), one label per image")
        if y.size and int(y.max()) >= n_classes:
            raise ValueError(f"{name}: y_{split} holds label {int(y.max())}, outside 0..{n_classes - 1}")
    if len(arrays["x_train"]) == 0:
        raise ValueError(f"{name}: x_train is empty")


def load_digits(path):
    """A set of labelled digits from a file: the ``.npz`` that the page's "Export my digits" writes (``x`` uint8
    (n, 28, 28), ``y`` uint8 (n,)), a Kaggle-layout ``.csv`` or a ``.zip`` of images in folders named 0 to 9
    (:func:`nn_impl.digit_sets.read_digit_set`).

    Returns dict(x uint8 (n, 28, 28), y uint8 (n,)), white ink on black like MNIST. Raises ``ValueError``
    naming the file when it is refused, or listing its bad rows or images when it has any (use
    ``digit_sets.read_digit_set`` to keep the good ones).
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.stat().st_size > digit_sets.MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than the {digit_sets.MAX_FILE_BYTES // 2**20} MB a digit set may have")
    found = digit_sets.read_digit_set(path.read_bytes(), path.name)
    if found["n_bad"]:
        raise ValueError(f"{path}: {found['n_bad']} of its digits cannot be used: " + "; ".join(found["problems"]))
    if not found["n_good"]:
        raise ValueError(f"{path}: holds no digits")
    return {"x": found["x"], "y": found["y"]}


def load_mnist(data_dir=None):
    """The full MNIST as uint8 arrays: from an IDX folder if ``data_dir`` is given, else the cached ``.npz``.

    Returns dict(x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,)).
    Raises ``FileNotFoundError`` saying how to get the data when the cache is empty.
    """
    if data_dir is not None:
        return load_mnist_idx(data_dir)
    path = cache_dir() / MNIST_FULL_NPZ
    if not path.is_file():
        raise FileNotFoundError(
            f"the full MNIST is not cached at {path}: run `python3 build.py data` "
            "or pass --data DIR (a folder with the four MNIST IDX files)"
        )
    return load_npz_dataset(path)


# --------------------------------------------------------------------------------------------- normalisation

NORMALIZATIONS = inputs.SCALINGS


def normalize(x, scaling, dtype="float32"):
    """0..255 pixels -> network inputs: ``"unit"`` x/255 in [0, 1]; ``"tutorial"`` x/128 - 0.5 (the tutorial's).

    ``x`` any shape; returns a new array of the same shape and the given float ``dtype`` (:func:`nn_impl.inputs.scale`,
    the scaling a model applies for its ``input_scaling``).
    """
    if scaling not in NORMALIZATIONS:
        raise ValueError(f"scaling must be one of {', '.join(map(repr, NORMALIZATIONS))}, got {scaling!r}")
    return inputs.scale(np.asarray(x), scaling, dtype)


# --------------------------------------------------------------------------------------------- mnist.pkl.gz


def read_mnist_pickle(path, verify=True):
    """The full MNIST as exact uint8 from the classic ``mnist.pkl.gz`` (:func:`nn_impl.mnist_pickle.read`).

    With ``verify`` the result must match :data:`MNIST_SHA256` (:func:`verify_mnist`).
    Returns dict(x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,)), uint8.
    """
    from . import mnist_pickle  # here: its gzip is not needed to start the page (~30 ms in Pyodide)

    arrays = mnist_pickle.read(path)
    if verify:
        verify_mnist(arrays)
    return arrays


# --------------------------------------------------------------------------------------------- checksums


def array_sha256(array):
    """sha256 hex digest of ``np.ascontiguousarray(array).tobytes()`` (how :data:`MNIST_SHA256` is defined)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify_mnist(arrays):
    """Raise ``ValueError`` unless ``arrays`` (dict of the four uint8 arrays) is exactly the full MNIST."""
    missing = [key for key in MNIST_KEYS if key not in arrays]
    if missing:
        raise ValueError(f"MNIST check: {', '.join(missing)} is missing")
    for key in MNIST_KEYS:
        array = arrays[key]
        expected_shape = _MNIST_SHAPES[key]
        if array.dtype != np.uint8 or array.shape != expected_shape:
            raise ValueError(
                f"MNIST check: {key} is {array.dtype} {array.shape}, expected uint8 {expected_shape}"
            )
        digest = array_sha256(array)
        if digest != MNIST_SHA256[key]:
            raise ValueError(
                f"MNIST check: {key} has sha256 {digest}, expected {MNIST_SHA256[key]}; the source file is not the "
                "canonical MNIST (re-download it)"
            )
