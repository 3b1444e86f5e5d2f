"""The matrix-product kernels: every form of product the engine uses, of any size, gives A @ B."""

import numpy as np
import pytest
from _support import KERNELS_HERE

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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", ["A@B", "A.T@B", "A@B.T", "into a slice"])
def test_every_kernel_computes_every_form_of_product(each_kernel, dtype, form):
    A, B = operands(37, 50, 23, dtype=dtype)
    out = None
    if form == "A.T@B":
        A = np.ascontiguousarray(A.T).T
    elif form == "A@B.T":
        B = np.ascontiguousarray(B.T).T
    elif form == "into a slice":
        buffer = np.full((64, 23), np.nan, dtype=dtype)
        out = buffer[:37]  # the trainer's buffers are sliced to the batch like this
    expected = A.astype(np.float64) @ B.astype(np.float64)
    result = matmul.product(A, B, out=out)
    assert result.dtype == dtype and result.shape == (37, 23)
    if out is not None:
        assert result is out and np.isnan(buffer[37:]).all()
    # float32 rounding of a 50-term sum: a few units in the last place of its largest terms
    tolerance = 50 * np.finfo(dtype).eps * np.abs(A).max() * np.abs(B).max()
    np.testing.assert_allclose(result, expected, rtol=0, atol=tolerance)


def test_training_with_and_without_blas_agrees_to_float32_rounding():
    """Three batches of a 784-32-24-10 float32 network with each kernel: the weights agree to float32
    rounding (the kernels sum in different orders; nothing else differs)."""
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(192, 784)).astype(np.uint8)
    y = rng.integers(0, 10, size=192)
    before = matmul.kernel()
    weights = {}
    try:
        for name in KERNELS_HERE:
            matmul.use(name)
            model = MLPClassifier(hidden_layer_sizes=(32, 24), batch_size=64, epochs=1, input_scaling="unit",
                                  random_state=0)
            model.trainer(X, y).run(3)
            weights[name] = model.coefs_
    finally:
        matmul.use(before)
    first = weights[KERNELS_HERE[0]]
    for name in KERNELS_HERE[1:]:
        for W0, W in zip(first, weights[name]):
            np.testing.assert_allclose(W, W0, rtol=0, atol=2e-5)


def test_a_missing_or_corrupt_openblas_leaves_the_kernel_unchanged(tmp_path):
    before = matmul.kernel()
    corrupt = tmp_path / "libopenblas.so"
    corrupt.write_bytes(b"\x00asm not really a library" * 40)
    for library in (str(tmp_path / "missing" / "libopenblas.so"), str(corrupt)):
        with pytest.raises(OSError):
            matmul.use_openblas(library)
        assert matmul.kernel() == before


def test_an_unknown_kernel_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="numpy.*einsum.*openblas"):
        matmul.use("fortran")


def test_pyodide_runs_the_openblas_kernel():
    """tests/pyodide/run_in_pyodide.mjs loads Pyodide's openblas package: there the kernel must be tested."""
    import sys

    if sys.platform != "emscripten":
        pytest.skip("OpenBLAS through ctypes is Pyodide's kernel; CPython's NumPy has its own BLAS")
    assert "openblas" in KERNELS_HERE


def test_the_kernel_in_use_is_described_for_people(each_kernel):
    text = matmul.describe_kernel()
    assert {"numpy": "NumPy matmul", "einsum": "einsum", "openblas": "OpenBLAS 0."}[each_kernel] in text
