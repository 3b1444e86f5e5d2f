"""Why the fast engine never builds the Jacobian: the tutorial's n×n product next to the element-wise one.

The tutorial computes dL/dy = dL/dz · J with J = ``np.diagflat(z·(1 − z))`` (``NNLayer.dsigmoid``): a matrix
of n² numbers of which only n are not zero. The engine (``activations.sigmoid_backward``) multiplies dL/dz
element-wise by z·(1 − z): the same numbers, n memory instead of n², n multiplications instead of n².
"""

import time

import numpy as np

from . import reference
from .activations import sigmoid_backward

MAX_UNITS = 4096  # a 4096×4096 float64 Jacobian is 128 MiB: the most the page's lens may ask for


def _seconds_per_call(fn, repeats, min_seconds=0.02):
    """Best of ``repeats`` of the mean time of one call, over enough calls to last ``min_seconds``.

    Many calls per measurement because a browser's clock is coarse (0.1 ms where the page is not
    cross-origin isolated), far coarser than one element-wise product of 1,024 numbers.
    """
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_seconds:
            break
        calls *= 4
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def compare(n=1024, seed=0, repeats=3):
    """Both ways of computing dL/dy for a layer of ``n`` sigmoid units at random y and dL/dz.

    Returns ``{"n", "max_difference" (largest |full − element-wise|), "full_bytes" (n²·8: the Jacobian),
    "elementwise_bytes" (n·8: the derivative vector), "full_seconds", "elementwise_seconds" (one call, best
    of ``repeats`` measurements; building J or z·(1 − z) included)}``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_UNITS:
        raise ValueError(f"units must be an integer from 1 to {MAX_UNITS}; got {n!r}")
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, 1))
    dLdz = rng.normal(size=(1, n))
    layer = reference.NNLayer.__new__(reference.NNLayer)  # no weights needed: only its (d)sigmoid methods
    z = layer.sigmoid(y).T  # (1, n), the cached output the engine keeps

    def full():
        return (dLdz @ layer.dsigmoid(y)).T.ravel()

    def elementwise():
        return sigmoid_backward(z, dLdz.copy()).ravel()

    difference = float(np.max(np.abs(full() - elementwise())))
    return {"n": int(n), "max_difference": difference, "full_bytes": n * n * 8, "elementwise_bytes": n * 8,
            "full_seconds": _seconds_per_call(full, repeats),
            "elementwise_seconds": _seconds_per_call(elementwise, repeats)}
