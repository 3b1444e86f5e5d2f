"""Helpers shared by the test folders (importable because tests/conftest.py puts tests/ on sys.path)."""

import os

import pytest

from nn_impl import matmul

# `python3 build.py test` sets NN_IMPL_STRICT=1: then a missing prerequisite (the built site, a browser, the
# full MNIST, the Pyodide test wheels) fails the test instead of skipping it.
STRICT = os.environ.get("NN_IMPL_STRICT") == "1"


def skip_or_fail(reason):
    """Skip when run by hand without the prerequisite; fail under `build.py test`, where it must exist."""
    if STRICT:
        pytest.fail(f"{reason} (build.py test should have provided it)")
    pytest.skip(reason)


def _kernels_here():
    """The kernels that work here: numpy and einsum everywhere, openblas where a libopenblas is loaded (inside
    Pyodide after loadPackage("openblas"), as tests/pyodide/run_in_pyodide.mjs does)."""
    kernels = ["numpy", "einsum"]
    before = matmul.kernel()
    try:
        matmul.use_openblas()
        kernels.append("openblas")
    except (OSError, ValueError):
        pass
    matmul.use(before)
    return kernels


KERNELS_HERE = _kernels_here()
