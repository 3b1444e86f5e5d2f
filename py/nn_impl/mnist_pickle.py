"""The classic ``mnist.pkl.gz`` (deeplearning.net's 50k / 10k / 10k split), read through a restricted unpickler.

A pickle can name any importable callable and have it called, so a generic ``pickle.load`` on a downloaded file
runs whatever the file says. Here the only globals a file may name are the four that rebuild NumPy arrays.
"""

import gzip
import pathlib
import pickle
import zlib

import numpy as np

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


def read(path):
    """Restore the full MNIST as exact uint8 from the classic ``mnist.pkl.gz`` (50k / 10k / 10k, float k/256).

    The pickle holds ((x, y) train, (x, y) validation, (x, y) test) with x float32 (n, 784) = pixel/256. We
    multiply by 256 and round (checking every value was a multiple of 1/256), and join train + validation in that
    order to give MNIST's 60 000 training digits. The checksums are :func:`nn_impl.data.read_mnist_pickle`'s job.
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
