"""The matrix products of the fast engine, and how to compute them on this platform.

NumPy inside Pyodide is built without BLAS. There, ``matmul`` of a float32 batch by a weight matrix falls back to a
plain loop about twice as slow as ``einsum``'s sum-of-products loop (measured in Pyodide 0.27.7 / NumPy 2.0.2:
64×784 @ 784×32 takes 2.4 ms with matmul, 1.05 ms with einsum); with BLAS, matmul is ten times faster still.
"""

import sys

import numpy as np

#: True where NumPy has no BLAS (Pyodide): products then run as plain loops
NO_BLAS = sys.platform == "emscripten"

#: Whether the training step skips, in the first layer's two products, the inputs that are zero across the whole
#: batch (see :func:`dense_skipping_zero_inputs`). Worth it only where the products are plain loops.
SKIP_ZERO_INPUTS = NO_BLAS

# Above this fraction of non-zero inputs, gathering the active columns costs more than it saves.
_MAX_ACTIVE_FRACTION = 0.8

#: The most multiply-adds one ``einsum`` call may iterate over. einsum walks one iterator over all three
#: indices of "ij,jk->ik", and NumPy refuses ("iterator is too large") an iterator of more than the largest
#: npy_intp elements: 2**31 - 1 on wasm32, so in Pyodide 10 000 test images through a layer of 784 x 300 failed.
MAX_EINSUM_ITERATION = 2**31 - 1


def dense(A, W, out=None):
    """A @ W for a batch A of shape (batch, n_in) and weights W of shape (n_in, n_out), into ``out`` if given.

    Returns the (batch, n_out) product.
    """
    if NO_BLAS:
        return einsum_product(A, W, out=out)
    return np.matmul(A, W, out=out)


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
