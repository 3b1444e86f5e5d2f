"""The matrix-product kernels this platform offers, and a fixture that runs a test once with each."""

import pytest
from _support import KERNELS_HERE

from nn_impl import matmul


@pytest.fixture(params=KERNELS_HERE)
def each_kernel(request, monkeypatch):
    """Run the test with every kernel of KERNELS_HERE in turn; the platform's own kernel afterwards.

    OpenBLAS then computes every product, the small ones too (the tests' networks are small)."""
    before = matmul.kernel()
    monkeypatch.setattr(matmul, "BLAS_MIN_MULTIPLY_ADDS", 0)
    matmul.use(request.param)
    yield request.param
    matmul.use(before)
