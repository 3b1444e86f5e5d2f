"""The matrix-product kernels: every form of product the engine uses, of any size, gives A @ B."""

import numpy as np
import pytest

from nn_impl import MLPClassifier, matmul


def operands(m, k, n, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, k)).astype(dtype), rng.normal(size=(k, n)).astype(dtype)


@pytest.mark.parametrize("limit", [1, 7, 100, 10_000])
@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True)])
def test_einsum_in_blocks_equals_one_product(monkeypatch, limit, transpose_a, transpose_b):
    # A small limit forces blocks of rows and of columns (limit < k forces one column at a time).
    monkeypatch.setattr(matmul, "MAX_EINSUM_ITERATION", limit)
    A, B = operands(13, 9, 11, dtype=np.float64)
    A = np.ascontiguousarray(A.T).T if transpose_a else A  # the same values, stored as a transpose's view
    B = np.ascontiguousarray(B.T).T if transpose_b else B
    expected = A @ B
    np.testing.assert_allclose(matmul.einsum_product(A, B), expected, rtol=1e-12)
    out = np.full((13, 11), np.nan)
    assert matmul.einsum_product(A, B, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_a_wide_hidden_layer_predicts_many_images_at_once():
    # 700 images through 784 x 4096 is 2.25e9 multiply-adds: more than one einsum iterator holds on wasm32,
    # where this failed with "iterator is too large" (Pyodide runs this test too).
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(700, 784)).astype(np.uint8)
    model = MLPClassifier(hidden_layer_sizes=(4096,), epochs=1, batch_size=64, input_scaling="unit",
                          random_state=0).fit(X[:64], rng.integers(0, 10, size=64))
    proba = model.predict_proba(X)
    assert proba.shape == (700, 10) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba[-3:], model.predict_proba(X[-3:]), rtol=1e-5, atol=1e-7)
