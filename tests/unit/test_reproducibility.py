"""Same seed, same result, on CPython and in Pyodide.

This file runs in both (``build.py test`` also runs it inside Pyodide), against the same numbers recorded
once on CPython 3.11 / NumPy 2.4 with OpenBLAS. ``random_state`` seeds a PCG64 ``np.random.default_rng``
whose streams do not depend on the platform, so the initial weights (and the sample order and shifts) are
bit-for-bit identical everywhere. The arithmetic is not: OpenBLAS and Pyodide's BLAS-less NumPy sum the
matrix products in different orders, so trained weights agree to rounding (about 1e-8 in float32, 1e-15
in float64) and predictions agree exactly.
"""

import hashlib

import numpy as np
import pytest

from nn_impl import MLPClassifier

RECORDED = {
    # dtype: (sha256 prefix of the initial weights, loss curve after 2 epochs, predictions on X[:20])
    "float32": ("71c5de818a4049d3", [1.3920341058033516, 1.3733019003364746]),
    "float64": ("052ec25bcb10bff1", [1.3920341058033516, 1.3733019003364746]),
}
PREDICTIONS = [3, 0, 2, 0, 2, 3, 2, 0, 3, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]


def _digest(model):
    return hashlib.sha256(b"".join(a.tobytes() for a in model.coefs_ + model.intercepts_)).hexdigest()[:16]


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-6), ("float64", 1e-12)])
def test_seeded_run_matches_the_recorded_one(dtype, rtol):
    rng = np.random.default_rng(7)
    X = rng.integers(0, 256, size=(200, 8, 8)).astype(np.uint8)
    y = rng.integers(0, 4, size=200)
    model = MLPClassifier(hidden_layer_sizes=(12, 6), epochs=2, batch_size=16, shift=1, input_scaling="unit",
                          random_state=42, dtype=dtype)
    model.initialize(64, 4)
    initial_digest, loss_curve = RECORDED[dtype]
    assert _digest(model) == initial_digest  # bit for bit: the generator's stream is platform-independent
    model.fit(X, y)
    np.testing.assert_allclose(model.loss_curve_, loss_curve, rtol=rtol)
    assert model.predict(X[:20]).tolist() == PREDICTIONS
