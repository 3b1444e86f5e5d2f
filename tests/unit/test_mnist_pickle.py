"""nn_impl.mnist_pickle: the classic mnist.pkl.gz is restored exactly, and nothing but arrays is ever unpickled."""

import gzip
import os
import pickle

import numpy as np
import pytest

from nn_impl import mnist_pickle


def write_mnist_pickle(path, n=(6, 3, 4), seed=0, protocol=4):
    """A small file in the classic layout: ((x, y), (x, y), (x, y)), x float32 = k/256 of shape (n, 784)."""
    rng = np.random.default_rng(seed)
    parts, pixels, labels = [], [], []
    for count in n:
        k = rng.integers(0, 256, (count, 784))
        y = rng.integers(0, 10, count)
        parts.append(((k / 256).astype(np.float32), y.astype(np.int64)))
        pixels.append(k)
        labels.append(y)
    with gzip.open(path, "wb") as stream:
        pickle.dump(tuple(parts), stream, protocol=protocol)
    return pixels, labels


def test_read_mnist_pickle_restores_exact_uint8_train_then_validation(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    pixels, labels = write_mnist_pickle(path)
    arrays = mnist_pickle.read(path)
    assert arrays["x_train"].dtype == np.uint8 and arrays["x_train"].shape == (9, 28, 28)
    np.testing.assert_array_equal(arrays["x_train"].reshape(9, 784), np.concatenate(pixels[:2]))
    np.testing.assert_array_equal(arrays["y_train"], np.concatenate(labels[:2]))
    np.testing.assert_array_equal(arrays["x_test"].reshape(4, 784), pixels[2])
    np.testing.assert_array_equal(arrays["y_test"], labels[2])


class _RunsACommand:
    """Pickles to ``os.system(...)``: what a malicious 'dataset' would contain."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_read_mnist_pickle_refuses_anything_but_arrays(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl.gz"
    with gzip.open(path, "wb") as stream:
        pickle.dump(((np.zeros((1, 784), np.float32), _RunsACommand(marker)),), stream, protocol=4)
    with pytest.raises(ValueError, match=r"refusing to load (posix|nt|os)\.system"):
        mnist_pickle.read(path)
    assert not marker.exists()


def test_read_mnist_pickle_refuses_builtins_even_harmless_ones(tmp_path):
    path = tmp_path / "set.pkl.gz"
    with gzip.open(path, "wb") as stream:
        pickle.dump({1, 2}, stream, protocol=2)  # protocol 2 spells a set as builtins.set(...)
    with pytest.raises(ValueError, match=r"refusing to load (__builtin__|builtins)\.set"):
        mnist_pickle.read(path)


def test_read_mnist_pickle_rejects_wrong_layout_and_inexact_pixels(tmp_path):
    path = tmp_path / "layout.pkl.gz"
    with gzip.open(path, "wb") as stream:
        pickle.dump((np.zeros(3),), stream, protocol=4)
    with pytest.raises(ValueError, match="expected \\(\\(x, y\\) train"):
        mnist_pickle.read(path)

    path = tmp_path / "inexact.pkl.gz"
    x = np.full((2, 784), 0.3, np.float32)  # 0.3 is not k/256
    part = (x, np.zeros(2, np.int64))
    with gzip.open(path, "wb") as stream:
        pickle.dump((part, part, part), stream, protocol=4)
    with pytest.raises(ValueError, match="multiples of 1/256"):
        mnist_pickle.read(path)


def test_read_mnist_pickle_rejects_non_gzip_and_truncated(tmp_path):
    path = tmp_path / "plain.pkl.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="plain.pkl.gz"):
        mnist_pickle.read(path)
    path = tmp_path / "cut.pkl.gz"
    write_mnist_pickle(path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="cut.pkl.gz"):
        mnist_pickle.read(path)
