"""The matrix products of the fast engine, and the kernel that computes them on this platform.

Three kernels compute the same products:

* ``"numpy"`` -- ``np.matmul``, which on CPython calls the BLAS NumPy was built with;
* ``"einsum"`` -- ``np.einsum``'s sum-of-products loop, for NumPy without BLAS (Pyodide's): there ``matmul``
  falls back to a plain loop about twice as slow (Pyodide 0.27.7 / NumPy 2.0.2: 64×784 @ 784×32 takes 2.4 ms
  with matmul, 1.05 ms with einsum);
* ``"openblas"`` -- Pyodide's own OpenBLAS (``libopenblas.so``, shipped for its SciPy) called through
  ``ctypes``: ``cblas_sgemm``/``cblas_dgemm`` on the arrays' buffers, row-major, transposes passed as flags.
  The page loads the library after it is ready and calls :func:`use_openblas`; until then, or if the library
  is missing or broken, the einsum kernel goes on working;
* ``"simd"`` -- the page's own float32 product in WebAssembly SIMD (``web/wasm/kernels.wat``): the worker links
  it to Pyodide's memory and hands its exports to :func:`use_simd`; it reads and writes the arrays in place,
  given their addresses. In the tab it is several times faster than OpenBLAS on the engine's products (OpenBLAS
  is built for wasm without SIMD), and a call costs ~1 µs against ctypes' ~10. It computes float32 products
  only; float64 ones go to einsum. The same module does Adam's update in one pass (:func:`fused_adam_step`).

The kernel is chosen once (:func:`use`), and with OpenBLAS once per product shape: below
:data:`BLAS_MIN_MULTIPLY_ADDS` the ctypes call costs more than it saves and einsum computes the product.
"""

import ctypes
import sys

import numpy as np

#: True where NumPy has no BLAS (Pyodide): products then run as plain loops unless OpenBLAS is loaded
NO_BLAS = sys.platform == "emscripten"

KERNELS = ("numpy", "einsum", "openblas", "simd")

#: Whether the training step skips, in the first layer's two products, the inputs that are zero across the whole
#: batch (see :func:`dense_skipping_zero_inputs`). Worth it only where the products are plain loops;
#: :func:`use` sets it with the kernel.
SKIP_ZERO_INPUTS = NO_BLAS

# Above this fraction of non-zero inputs, gathering the active columns costs more than it saves.
_MAX_ACTIVE_FRACTION = 0.8

#: The most multiply-adds one ``einsum`` call may iterate over. einsum walks one iterator over all three
#: indices of "ij,jk->ik", and NumPy refuses ("iterator is too large") an iterator of more than the largest
#: npy_intp elements: 2**31 - 1 on wasm32, so in Pyodide 10 000 test images through a layer of 784 x 300 failed.
MAX_EINSUM_ITERATION = 2**31 - 1


#: The smallest product (m·k·n multiply-adds) OpenBLAS computes; smaller ones go to einsum. Measured in
#: headless Chromium's worker (bench/bench_kernels.py, best of 10, float32, a loaded machine), µs per product
#: einsum / OpenBLAS: 64×24×10 (15 360) 13 / 15; 64×32×24 (49 152) 25 / 23; 64×128×64 (524 288) 167 / 133;
#: 64×784×32 (1.6 M) 600 / 400; its transpose for dW 600 / 300. The ctypes call costs ~10-15 µs, so the
#: crossover lies near 40 000. (One row, 1×784×128, is the exception: 32 / 47; it costs a drawing 15 µs.)
BLAS_MIN_MULTIPLY_ADDS = 40_000

_CBLAS_ROW_MAJOR, _CBLAS_NO_TRANS, _CBLAS_TRANS = 101, 111, 112


class _OpenBLAS:
    """``cblas_sgemm`` and ``cblas_dgemm`` of a loaded libopenblas, with their C signatures."""

    def __init__(self, library):
        self.library = library
        self.gemm = {}
        for dtype, name, scalar in ((np.float32, "cblas_sgemm", ctypes.c_float),
                                    (np.float64, "cblas_dgemm", ctypes.c_double)):
            function = getattr(library, name)
            function.restype = None
            # order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc
            function.argtypes = [ctypes.c_int] * 6 + [scalar, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                       ctypes.c_int, scalar, ctypes.c_void_p, ctypes.c_int]
            self.gemm[np.dtype(dtype)] = function
        config = getattr(library, "openblas_get_config", None)
        self.config = "OpenBLAS"
        if config is not None:
            config.restype, config.argtypes = ctypes.c_char_p, []
            self.config = config().decode("ascii", "replace").strip()  # "OpenBLAS 0.3.26 NO_AFFINITY ..."


_kernel = "einsum" if NO_BLAS else "numpy"
_openblas = None
# the SIMD kernel's exports, once given to use_simd: sgemm(m, n, k, a, a_row, a_col, b, b_row, c, c_row) and
# adam(n, p, g, m, v, beta1, beta2, eps, inverse_step) (web/wasm/kernels.wat)
_sgemm = None
_adam = None


def kernel():
    """The name of the kernel in use, one of :data:`KERNELS`."""
    return _kernel


def describe_kernel():
    """What computes the products, for people: e.g. "OpenBLAS 0.3.26", "einsum (NumPy without BLAS)"."""
    if _kernel == "openblas":
        return " ".join(_openblas.config.split()[:2])
    if _kernel == "simd":
        return "WebAssembly SIMD (nn_impl's own float32 kernel)"
    if _kernel == "einsum":
        return "einsum (NumPy without BLAS)"
    return "NumPy matmul (its BLAS)"


def use(name):
    """Compute every product from now on with kernel ``name`` ("numpy", "einsum", or "openblas" once
    :func:`use_openblas` has loaded it). Returns the name."""
    global _kernel, SKIP_ZERO_INPUTS
    if name not in KERNELS:
        raise ValueError(f"kernel: unknown {name!r}; choose from {list(KERNELS)}")
    if name == "openblas" and _openblas is None:
        raise ValueError("kernel: OpenBLAS is not loaded; call use_openblas() first")
    if name == "simd" and _sgemm is None:
        raise ValueError("kernel: the SIMD kernel is not loaded; call use_simd() first")
    _kernel = name
    # Leaving blank inputs out pays where products are plain loops; with OpenBLAS the gather costs more than
    # the (now fast) third of the first layer it saves.
    SKIP_ZERO_INPUTS = name == "einsum"
    return name


def use_openblas(library="libopenblas.so"):
    """Load OpenBLAS (``library``: a path or a name the dynamic loader finds, as after Pyodide's
    ``loadPackage("openblas")``), check it on a product of known result, and make it the kernel.

    Raises ``OSError`` when the library cannot be loaded or lacks the cblas functions, ``ValueError`` when it
    computes a wrong product; the kernel in use is then unchanged. Returns ``"openblas"``.
    """
    global _openblas
    try:
        candidate = _OpenBLAS(ctypes.CDLL(library))
    except AttributeError as exc:
        raise OSError(f"{library}: no cblas_sgemm/cblas_dgemm ({exc})") from None
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        A = rng.normal(size=(33, 70)).astype(dtype)
        B = rng.normal(size=(70, 21)).astype(dtype)
        expected = einsum_product(A.astype(np.float64), B.astype(np.float64))
        got = _blas_product(candidate, A, B.T.copy().T)  # B stored transposed: the flag is checked too
        tolerance = 1e-4 if dtype == np.float32 else 1e-10
        if got is None or not np.allclose(got, expected, rtol=tolerance, atol=tolerance):
            raise ValueError(f"{library}: its {np.dtype(dtype).name} product differs from einsum's; not used")
    _openblas = candidate
    return use("openblas")


def available():
    """The kernels :func:`use` accepts now (a list of names of :data:`KERNELS`)."""
    loaded = {"openblas": _openblas is not None, "simd": _sgemm is not None}
    return [name for name in KERNELS if loaded.get(name, True)]


def use_simd(kernels):
    """Make the page's WebAssembly SIMD kernel compute the float32 products (and Adam's update), after checking
    it on results known in advance (odd sizes, every form of product).

    ``kernels``: the module's exports (web/wasm/kernels.wat), as attributes: ``sgemm(m, n, k, a, a_row, a_col, b,
    b_row, c, c_row)``, C = A @ B for A (m, k) at address ``a`` with element strides (a_row, a_col), B (k, n) at
    ``b`` with contiguous rows of stride b_row, C (m, n) at ``c`` with rows of stride c_row; and ``adam(n, p, g,
    m, v, beta1, beta2, eps, inverse_step)`` (see :func:`fused_adam_step`). Raises ``ValueError`` when a result
    is wrong; the kernel in use is then unchanged. Returns ``"simd"``.
    """
    global _sgemm, _adam
    sgemm, adam = kernels.sgemm, kernels.adam
    rng = np.random.default_rng(0)
    for m, k, n in ((1, 1, 1), (13, 70, 21), (9, 5, 35)):  # the 4x8 tiles, the row tails and the single columns
        A = rng.normal(size=(m, k)).astype(np.float32)
        B = rng.normal(size=(k, n)).astype(np.float32)
        expected = einsum_product(A.astype(np.float64), B.astype(np.float64))
        for got in (_simd_product(sgemm, A, B), _simd_product(sgemm, A.T.copy().T, B.T.copy().T)):
            if got is None or not np.allclose(got, expected, rtol=1e-4, atol=1e-4):
                raise ValueError("the SIMD kernel's product differs from einsum's; not used")
    # Adam on 7 parameters (a vector of 4, then 3 one by one): p - m' / ((sqrt(v') + eps)·s)
    p, g, M, V = (rng.uniform(0.5, 1.5, size=7).astype(np.float32) for _ in range(4))
    M2, V2 = 0.9 * M.astype(np.float64) + g, 0.999 * V.astype(np.float64) + g.astype(np.float64) ** 2
    expected = p - M2 / ((np.sqrt(V2) + 1e-3) * 2.0)
    adam(7, p.ctypes.data, g.ctypes.data, M.ctypes.data, V.ctypes.data, 0.9, 0.999, 1e-3, 2.0)
    if not np.allclose(p, expected, rtol=1e-5):
        raise ValueError("the SIMD kernel's Adam step differs from the formula; not used")
    _sgemm, _adam = sgemm, adam
    return use("simd")


def fused_adam_step(p, g, M, V, beta1, beta2, eps, inverse_step):
    """One Adam step in one pass by the SIMD kernel, when it is in use and the arrays suit it (float32,
    contiguous, of one size): M <- beta1·M + g; V <- beta2·V + g·g; p <- p − M / ((sqrt(V) + eps)·inverse_step),
    the operations of :class:`nn_impl.optimizers.Adam` in its order, all in float32 (NumPy 2 adds eps and
    scales in float64 before rounding, as its scalars are float64: the two agree to float32 rounding).

    p, g, M, V: 1-D arrays of n parameters, their gradients and moments, updated in place (g is not changed).
    Returns True when done, False when the kernel cannot do it (nothing changed: the caller steps with NumPy).
    """
    if _kernel != "simd" or p.dtype != np.float32:
        return False
    arrays = (p, g, M, V)
    if any(a.dtype != np.float32 or a.size != p.size or not a.flags.c_contiguous for a in arrays):
        return False
    _adam(p.size, *(_address(a) for a in arrays), beta1, beta2, eps, inverse_step)
    return True


def product(A, B, out=None):
    """A @ B for A of shape (m, k) and B of shape (k, n), into ``out`` (m, n) if given, with the kernel in use.

    A and B may be transposed views (``X.T``): OpenBLAS takes them as flags, without a copy. Returns the
    (m, n) product.
    """
    if _kernel == "simd":
        result = _simd_product(_sgemm, A, B, out)
        if result is not None:
            return result
    elif _kernel == "openblas" and A.shape[0] * A.shape[1] * B.shape[1] >= BLAS_MIN_MULTIPLY_ADDS:
        result = _blas_product(_openblas, A, B, out)
        if result is not None:
            return result
    if _kernel == "numpy":
        return np.matmul(A, B, out=out)
    return einsum_product(A, B, out=out)


def dense(A, W, out=None):
    """A @ W for a batch A of shape (batch, n_in) and weights W of shape (n_in, n_out), into ``out`` if given.

    Returns the (batch, n_out) product.
    """
    return product(A, W, out=out)


def _blas_layout(M):
    """(transpose flag, leading dimension) under which cblas reads the 2-d array M in place, or None."""
    item = M.itemsize
    rows, columns = M.strides
    if columns == item and rows % item == 0 and rows // item >= max(1, M.shape[1]):
        return _CBLAS_NO_TRANS, rows // item
    if rows == item and columns % item == 0 and columns // item >= max(1, M.shape[0]):
        return _CBLAS_TRANS, columns // item
    return None


def _blas_product(blas, A, B, out=None):
    """A @ B by cblas ?gemm, or None when the operands do not suit it (other dtypes, an empty dimension)."""
    gemm = blas.gemm.get(A.dtype)
    m, k = A.shape
    n = B.shape[1]
    if gemm is None or B.dtype != A.dtype or 0 in (m, k, n):
        return None
    if out is not None and out.dtype != A.dtype:
        return None
    layout_a = _blas_layout(A)
    if layout_a is None:
        A = np.ascontiguousarray(A)
        layout_a = _blas_layout(A)
    layout_b = _blas_layout(B)
    if layout_b is None:
        B = np.ascontiguousarray(B)
        layout_b = _blas_layout(B)
    target = out if out is not None and out.flags.c_contiguous else np.empty((m, n), dtype=A.dtype)
    gemm(_CBLAS_ROW_MAJOR, layout_a[0], layout_b[0], m, n, k, 1.0, A.ctypes.data, layout_a[1],
         B.ctypes.data, layout_b[1], 0.0, target.ctypes.data, n)
    if out is not None and target is not out:
        out[...] = target
        return out
    return target


def _address(a):
    """The address of ``a``'s first element (an int): what ``a.ctypes.data`` says, in 60 % of its time in Pyodide
    (a product makes three of these calls: they were most of a small product's cost)."""
    return a.__array_interface__["data"][0]


def _simd_product(sgemm, A, B, out=None):
    """A @ B by the SIMD kernel's ``sgemm`` for float32 operands, or None when they do not suit it (other dtypes,
    an empty dimension). A is read with its own strides (a transposed view as it is); B is copied when its rows
    are not contiguous (B = W.T in the backward pass: a small weight matrix); ``out`` must not overlap A or B."""
    m, k = A.shape
    n = B.shape[1]
    if A.dtype != np.float32 or B.dtype != np.float32 or 0 in (m, k, n):
        return None
    if out is not None and out.dtype != np.float32:
        return None
    if A.strides[0] % 4 or A.strides[1] % 4:
        A = np.ascontiguousarray(A)
    if B.strides[1] != 4 or B.strides[0] % 4:
        B = np.ascontiguousarray(B)
    writable = out is not None and out.strides[1] == 4 and out.strides[0] % 4 == 0
    target = out if writable else np.empty((m, n), dtype=np.float32)
    sgemm(m, n, k, _address(A), A.strides[0] // 4, A.strides[1] // 4, _address(B), B.strides[0] // 4,
          _address(target), target.strides[0] // 4)
    if out is not None and target is not out:
        out[...] = target
        return out
    return target


def einsum_product(A, B, out=None):
    """A @ B through ``np.einsum`` for A of shape (m, k) and B of shape (k, n), into ``out`` if given.

    Returns the (m, n) product. Products larger than :data:`MAX_EINSUM_ITERATION` multiply-adds are computed
    in blocks of rows of A (and, for a very wide B, of columns of B), each small enough for one einsum call;
    the sum over k is never split, so every element is computed exactly as in one call.
    """
    m, k = A.shape
    n = B.shape[1]
    if m * k * n <= MAX_EINSUM_ITERATION:
        return np.einsum("ij,jk->ik", A, B, out=out)
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(A, B))
    columns = max(1, min(n, MAX_EINSUM_ITERATION // max(k, 1)))
    rows = max(1, MAX_EINSUM_ITERATION // max(k * columns, 1))
    for c in range(0, n, columns):
        for r in range(0, m, rows):
            np.einsum("ij,jk->ik", A[r : r + rows], B[:, c : c + columns], out=out[r : r + rows, c : c + columns])
    return out


def dense_skipping_zero_inputs(X, W, out=None):
    """(X @ W, active): the product computed from the inputs that are non-zero somewhere in the batch.

    X: (batch, n_in), W: (n_in, n_out); the product (batch, n_out) goes into ``out`` if given. ``active`` is
    ``(columns, X[:, columns])`` when columns were skipped (the backward pass reuses both for dW), else None.

    MNIST digits leave most pixels black: a batch of 64 has ink in about 500 of the 784 pixels, so the two
    largest products of a training step (this one and dW_0) shrink by a third. The result is the same as
    :func:`dense`'s, since the skipped terms are exact zeros.
    """
    # a column is all zeros iff the sum of its absolute values is 0 (4x quicker in Pyodide than any())
    columns = np.flatnonzero(np.add.reduce(np.abs(X), axis=0))
    if len(columns) > _MAX_ACTIVE_FRACTION * X.shape[1]:
        return dense(X, W, out=out), None
    X_active = X[:, columns]
    return dense(X_active, W[columns], out=out), (columns, X_active)
