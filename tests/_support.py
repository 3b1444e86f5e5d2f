"""Helpers shared by the test folders (importable because tests/conftest.py puts tests/ on sys.path)."""

import io
import os

import numpy as np
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


def optional_module(name, why):
    """Import and return the optional package ``name`` (scikit-learn, Pillow, pandas...) that a test needs.

    Inside Pyodide, where these packages do not exist, the test is skipped saying so; on CPython they are pinned
    in requirements-dev.txt, so under `build.py test` their absence fails the test (``skip_or_fail``).
    """
    import importlib
    import sys

    if sys.platform == "emscripten":
        pytest.skip(f"{name} is not available inside Pyodide ({why})")
    try:
        return importlib.import_module(name)
    except ImportError:
        skip_or_fail(f"{name} is not installed ({why}; requirements-dev.txt pins it)")


def _kernels_here():
    """The kernels that work here: numpy and einsum everywhere; openblas where a libopenblas is loaded (inside
    Pyodide after loadPackage("openblas"), as tests/pyodide/run_in_pyodide.mjs does); simd where the page's
    WebAssembly kernel was given to nn_impl.matmul.use_simd (run_in_pyodide.mjs does, as the worker does)."""
    before = matmul.kernel()
    try:
        matmul.use_openblas()
    except (OSError, ValueError):
        pass
    matmul.use(before)
    return matmul.available()


KERNELS_HERE = _kernels_here()


def npz_members(raw):
    """The arrays of the .npz bytes ``raw``, {name: array} (read without unpickling)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def rewritten_npz(raw, **changes):
    """The .npz bytes ``raw`` with members replaced (a value of None removes that member)."""
    members = npz_members(raw)
    for key, value in changes.items():
        if value is None:
            members.pop(key)
        else:
            members[key] = value
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    return buffer.getvalue()
