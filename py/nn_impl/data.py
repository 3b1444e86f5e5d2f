"""Datasets: MNIST in its original IDX files, the site's compact ``.npz``, the classic ``mnist.pkl.gz``.

Every loader hands back **uint8 pixels** (images of shape (n, 28, 28)) and **uint8 labels** (shape (n,)), exactly
as MNIST stores them; :func:`normalize` turns pixels into the floats a network eats. Anything malformed or
truncated raises a ``ValueError`` that names the file and says what is wrong, before any array is returned.

Where the data lives: :func:`cache_dir` (``$NN_IMPL_CACHE``, else ``$XDG_CACHE_HOME/nn_impl``, else
``~/.cache/nn_impl``) holds ``mnist-full.npz``, written by ``python3 build.py data``.
"""

import gzip
import hashlib
import io
import os
import pathlib
import pickle
import tempfile
import zipfile
import zlib

import numpy as np

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


def cache_dir():
    """The folder for downloads and the cached full MNIST (it is not created here).

    ``$NN_IMPL_CACHE`` if set, else ``$XDG_CACHE_HOME/nn_impl``, else ``~/.cache/nn_impl``.
    """
    if os.environ.get("NN_IMPL_CACHE"):
        return pathlib.Path(os.environ["NN_IMPL_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return pathlib.Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "nn_impl"
    return pathlib.Path.home() / ".cache" / "nn_impl"


# --------------------------------------------------------------------------------------------- IDX files


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


def _read_source(source, what):
    """Bytes of ``source``: a path (str or PathLike), bytes-like, or a binary file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>"
    if hasattr(source, "read"):
        return source.read(), getattr(source, "name", "<file>")
    if isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if not path.is_file():
            raise ValueError(f"{path}: no such file ({what})")
        return path.read_bytes(), str(path)
    raise ValueError(f"{what}: expected a path, bytes or a binary file, got {type(source).__name__}")


def load_npz_dataset(source, n_classes=10):
    """Load a dataset ``.npz`` (the site's ``data/mnist-subset.npz`` or the cached ``mnist-full.npz``).

    ``source``: a path, the file's bytes (as the browser fetches them) or a binary file object. The file must
    hold uint8 ``x_train`` (n, H, W), ``y_train`` (n,), ``x_test`` (m, H, W), ``y_test`` (m,) with labels in
    ``0 .. n_classes-1``; other members are ignored. Nothing is unpickled (``allow_pickle=False``).
    Returns dict of those four arrays.
    """
    raw, name = _read_source(source, "dataset .npz")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ValueError(f"{name}: not an .npz file (not a zip archive); is the download complete?")
    arrays = {}
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            missing = [key for key in MNIST_KEYS if key not in npz.files]
            if missing:
                raise ValueError(f"{name}: missing {', '.join(missing)} (a dataset .npz holds {', '.join(MNIST_KEYS)})")
            for key in MNIST_KEYS:
                arrays[key] = npz[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise ValueError(
                f"{name}: holds pickled Python objects, which are never loaded; save plain uint8 arrays"
            ) from exc
        if str(exc).startswith(name):
            raise
        raise ValueError(f"{name}: corrupt .npz member ({exc})") from exc
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"{name}: corrupt or truncated .npz ({exc}); build or download it again") from exc
    _check_dataset(arrays, name, n_classes)
    return arrays


def save_npz_dataset(arrays, file, n_classes=10):
    """Write a dataset ``.npz`` that :func:`load_npz_dataset` reads: the four uint8 arrays, compressed.

    ``arrays``: dict with x_train (n, H, W), y_train (n,), x_test (m, H, W), y_test (m,), all uint8 (checked
    first, so a bad dataset is never written). ``file``: a path (written atomically, under exactly that name) or
    a binary file object. The bytes are reproducible: the same arrays always give the same file.
    """
    _check_dataset({key: np.asarray(arrays[key]) for key in MNIST_KEYS}, "dataset to save", n_classes)
    write_npz(file, {key: arrays[key] for key in MNIST_KEYS})


def write_npz(file, arrays, compress=True):
    """Like ``np.savez_compressed(file, **arrays)``, but reproducible and never renaming or half-writing a file.

    NumPy stamps every member with the current time, so saving the same arrays twice gives different bytes
    (and a different sha256 in the site's build-info). Here every member carries the same fixed date, members are
    written in the order given, and nothing is pickled. A path is written under exactly that name (NumPy would
    append ``.npz``) through a temporary file, so a failure leaves any previous file intact.
    """
    if hasattr(file, "write"):
        _write_zip_of_arrays(file, arrays, compress)
        return
    path = pathlib.Path(file)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            _write_zip_of_arrays(stream, arrays, compress)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_zip_of_arrays(stream, arrays, compress):
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(stream, "w", compression=method) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16  # a plain readable file when unzipped
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)


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

NORMALIZATIONS = ("unit", "tutorial")


def normalize(x, scaling, dtype="float32"):
    """0..255 pixels -> network inputs: ``"unit"`` x/255 in [0, 1]; ``"tutorial"`` x/128 - 0.5 (the tutorial's).

    ``x`` any shape; returns an array of the same shape and the given float ``dtype``.
    """
    if scaling not in NORMALIZATIONS:
        raise ValueError(f"scaling must be one of {', '.join(map(repr, NORMALIZATIONS))}, got {scaling!r}")
    x = np.asarray(x)
    out = x.astype(dtype)  # a copy, so the in-place operations below never touch the caller's array
    if scaling == "unit":
        out /= 255
    else:
        out /= 128
        out -= 0.5
    return out


# --------------------------------------------------------------------------------------------- mnist.pkl.gz

# The reconstruction function of a pickled ndarray. NumPy 1.x pickles name it numpy.core.multiarray._reconstruct,
# NumPy 2 numpy._core.multiarray._reconstruct; we take it from ndarray.__reduce__ so that neither import path
# (nor NumPy 2's deprecation warning for numpy.core) is touched.
_RECONSTRUCT = np.ndarray((0,)).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and plain containers, and nothing else.

    A pickle can name any importable callable and have it called: a generic ``pickle.load`` on a downloaded file
    runs whatever the file says. Here every global the file asks for is looked up in a list of four.
    """

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: this file may only contain NumPy arrays"
            ) from None


def read_mnist_pickle(path, verify=True):
    """Restore the full MNIST as exact uint8 from the classic ``mnist.pkl.gz`` (50k / 10k / 10k, float k/256).

    The pickle holds ((x, y) train, (x, y) validation, (x, y) test) with x float32 (n, 784) = pixel/256. We
    multiply by 256 and round (checking every value was a multiple of 1/256), and join train + validation in that
    order to give MNIST's 60 000 training digits. With ``verify`` the result must match :data:`MNIST_SHA256`.
    Returns dict(x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,)), uint8.
    """
    path = pathlib.Path(path)
    try:
        with gzip.open(path, "rb") as stream:
            # encoding="latin1": the file is a Python 2 pickle; NumPy needs its byte strings passed through as-is
            content = _ArraysOnlyUnpickler(stream, encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    except (OSError, EOFError, zlib.error, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a readable mnist.pkl.gz ({type(exc).__name__}: {exc})") from exc

    if not (isinstance(content, tuple) and len(content) == 3 and all(_is_xy_pair(part) for part in content)):
        raise ValueError(f"{path}: expected ((x, y) train, (x, y) validation, (x, y) test) arrays")
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = content
    arrays = {
        "x_train": _restore_pixels(np.concatenate([x_tr, x_va]), path),
        "y_train": _restore_labels(np.concatenate([y_tr, y_va]), path),
        "x_test": _restore_pixels(x_te, path),
        "y_test": _restore_labels(y_te, path),
    }
    for split in ("train", "test"):
        n_images, n_labels = len(arrays[f"x_{split}"]), len(arrays[f"y_{split}"])
        if n_images != n_labels:
            raise ValueError(f"{path}: {split} has {n_images} images but {n_labels} labels")
    if verify:
        verify_mnist(arrays)
    return arrays


def _is_xy_pair(part):
    return (
        isinstance(part, tuple)
        and len(part) == 2
        and all(isinstance(a, np.ndarray) and a.dtype.kind in "fiu" for a in part)
    )


def _restore_pixels(x, path):
    """float k/256 of shape (n, 784) -> uint8 k of shape (n, 28, 28), refusing anything that is not exact."""
    if x.ndim != 2 or x.shape[1] != 784:
        raise ValueError(f"{path}: images have shape {x.shape}; expected (n, 784)")
    scaled = x.astype(np.float64) * 256
    pixels = np.rint(scaled)
    if not np.all(np.isfinite(scaled)) or np.max(np.abs(scaled - pixels), initial=0) > 1e-3:
        raise ValueError(f"{path}: pixel values are not multiples of 1/256; this is not the classic mnist.pkl.gz")
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise ValueError(f"{path}: pixel values outside [0, 255/256]")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def _restore_labels(y, path):
    if y.ndim != 1:
        raise ValueError(f"{path}: labels have shape {y.shape}; expected (n,)")
    if y.size and (y.min() < 0 or y.max() > 9 or np.any(y != np.rint(y))):
        raise ValueError(f"{path}: labels outside the integers 0..9")
    return y.astype(np.uint8)


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
