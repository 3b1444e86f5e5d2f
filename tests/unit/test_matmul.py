"""The matrix-product kernels: every form of product the engine uses, of any size, gives A @ B."""

import ctypes
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from _support import KERNELS_HERE

from nn_impl import MLPClassifier, matmul
from nn_impl.optimizers import Adam


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


# Sizes around the SIMD kernel's tiles (4 rows x 8 columns, then 8-, 4- and 1-column tails, then single rows),
# the engine's own products, and one drawing.
ODD_SHAPES = [(1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 9, 13), (4, 3, 12), (13, 17, 29), (8, 1, 9), (64, 784, 32),
              (784, 64, 24), (64, 24, 10), (1, 784, 128), (7, 64, 128)]


@pytest.mark.parametrize("m, k, n", ODD_SHAPES)
@pytest.mark.parametrize("form", ["A@B", "A.T@B", "A@B.T"])
def test_every_kernel_agrees_with_numpy_on_odd_shapes(each_kernel, m, k, n, form):
    A, B = operands(m, k, n, seed=m * 1000 + n)
    if form == "A.T@B":
        A = np.ascontiguousarray(A.T).T
    elif form == "A@B.T":
        B = np.ascontiguousarray(B.T).T
    out = np.full((m + 2, n), np.nan, dtype=np.float32)
    result = matmul.product(A, B, out=out[1:-1])
    assert result.dtype == np.float32 and result.shape == (m, n)
    assert np.isnan(out[0]).all() and np.isnan(out[-1]).all()  # nothing written outside the target
    expected = A.astype(np.float64) @ B.astype(np.float64)
    tolerance = k * np.finfo(np.float32).eps * np.abs(A).max() * np.abs(B).max()
    np.testing.assert_allclose(result, expected, rtol=0, atol=tolerance)


def _strided(address, shape, strides):
    """The float32 array of ``shape`` at ``address`` with element ``strides`` (>= 0), read and written in place."""
    extent = sum((size - 1) * stride for size, stride in zip(shape, strides)) + 1
    memory = np.frombuffer((ctypes.c_float * extent).from_address(address), dtype=np.float32)
    return np.lib.stride_tricks.as_strided(memory, shape, [stride * 4 for stride in strides])


def python_sgemm(m, n, k, a, a_row, a_col, b, b_row, c, c_row):
    """The SIMD kernel's sgemm (web/wasm/kernels.wat) in NumPy: C = A @ B on memory given by addresses."""
    C = _strided(c, (m, n), (c_row, 1))
    C[...] = _strided(a, (m, k), (a_row, a_col)) @ _strided(b, (k, n), (b_row, 1))


def python_adam(n, p, g, m, v, beta1, beta2, eps, inverse_step):
    """The SIMD kernel's adam in NumPy, float32 throughout."""
    p, g, M, V = (_strided(address, (n,), (1,)) for address in (p, g, m, v))
    beta1, beta2, eps, inverse_step = (np.float32(x) for x in (beta1, beta2, eps, inverse_step))
    M[...] = M * beta1 + g
    V[...] = V * beta2 + g * g
    p -= M / ((np.sqrt(V) + eps) * inverse_step)


PYTHON_KERNELS = SimpleNamespace(sgemm=python_sgemm, adam=python_adam)


@pytest.fixture
def simd_kernel_or_its_contract():
    """Where the page's WebAssembly kernel is loaded (inside Pyodide), it; elsewhere its contract in NumPy, so
    that CPython also tests how nn_impl.matmul hands arrays to it (addresses, strides, copies)."""
    before = matmul.kernel()
    if "simd" not in matmul.available():
        matmul.use_simd(PYTHON_KERNELS)
    matmul.use("simd")
    yield
    matmul.use(before)


@pytest.mark.parametrize("m, k, n", ODD_SHAPES[:6])
@pytest.mark.parametrize("form", ["A@B", "A.T@B", "A@B.T", "strided rows", "float64"])
def test_the_simd_kernel_reads_and_writes_arrays_in_place(simd_kernel_or_its_contract, m, k, n, form):
    dtype = np.float64 if form == "float64" else np.float32  # float64 products go to einsum
    A, B = operands(m, k, n, dtype=dtype, seed=k)
    if form == "A.T@B":
        A = np.ascontiguousarray(A.T).T
    elif form == "A@B.T":
        B = np.ascontiguousarray(B.T).T
    elif form == "strided rows":  # every other row of bigger arrays, into every other row of the target
        A = np.repeat(A, 2, axis=0)[::2]
        B = np.repeat(B, 2, axis=0)[::2]
    out = np.full((2 * m, n), np.nan, dtype=dtype)
    target = out[::2] if form == "strided rows" else out[:m]
    result = matmul.product(A, B, out=target)
    assert result is target
    np.testing.assert_allclose(result, A.astype(np.float64) @ B.astype(np.float64), rtol=1e-4, atol=1e-4)
    assert np.isnan(out[1::2] if form == "strided rows" else out[m:]).all()


def test_a_wrong_simd_kernel_is_refused_and_the_kernel_stays():
    before = matmul.kernel()

    def leaves_c_alone(m, n, k, a, a_row, a_col, b, b_row, c, c_row):
        pass

    def forgets_the_last_column(m, n, k, a, a_row, a_col, b, b_row, c, c_row):
        python_sgemm(m, n - 1, k, a, a_row, a_col, b, b_row, c, c_row) if n > 1 else None

    def forgets_the_last_parameter(n, *args):
        python_adam(n - 1, *args)

    for wrong in (SimpleNamespace(sgemm=leaves_c_alone, adam=python_adam),
                  SimpleNamespace(sgemm=forgets_the_last_column, adam=python_adam),
                  SimpleNamespace(sgemm=python_sgemm, adam=forgets_the_last_parameter)):
        with pytest.raises(ValueError, match="SIMD kernel"):
            matmul.use_simd(wrong)
        assert matmul.kernel() == before


@pytest.mark.parametrize("n", [1, 7, 26_162])  # below one vector, vectors and a tail, the Fast preset's network
def test_the_simd_kernels_adam_step_is_numpys_to_float32_rounding(simd_kernel_or_its_contract, n):
    rng = np.random.default_rng(n)
    start = rng.normal(size=n).astype(np.float32)
    results = []
    for kernel in ("simd", "einsum"):  # einsum: Adam steps with NumPy
        matmul.use(kernel)
        p = start.copy()
        adam = Adam([p])
        for step in range(3):
            adam.step([p], [rng.normal(size=n).astype(np.float32) * 10.0**-step], 1e-3)
        results.append(p)
        rng = np.random.default_rng(n)  # the same gradients for the second kernel
        rng.normal(size=n)
    assert not np.array_equal(results[0], start)
    np.testing.assert_allclose(results[0], results[1], rtol=4 * np.finfo(np.float32).eps, atol=1e-7)


def test_pyodide_runs_the_simd_kernel():
    """tests/pyodide/run_in_pyodide.mjs links the page's WebAssembly kernel: there it must be tested."""
    if sys.platform != "emscripten":
        pytest.skip("the WebAssembly kernel runs inside Pyodide only")
    assert "simd" in KERNELS_HERE


def test_pyodide_runs_the_openblas_kernel():
    """tests/pyodide/run_in_pyodide.mjs loads Pyodide's openblas package: there the kernel must be tested."""
    if sys.platform != "emscripten":
        pytest.skip("OpenBLAS through ctypes is Pyodide's kernel; CPython's NumPy has its own BLAS")
    assert "openblas" in KERNELS_HERE


def test_the_kernel_in_use_is_described_for_people(each_kernel):
    text = matmul.describe_kernel()
    assert {"numpy": "NumPy matmul", "einsum": "einsum", "openblas": "OpenBLAS 0.",
            "simd": "WebAssembly SIMD"}[each_kernel] in text
