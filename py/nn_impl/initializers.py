"""Initial weights for one layer: ``init(rng, n_in, n_out) -> (W of shape (n_in, n_out), b of shape (n_out,))``.

``rng`` is a ``np.random.Generator`` (or a legacy ``np.random.RandomState``: both have ``uniform`` and
``standard_normal``, which is how a test replays the tutorial's own draws).
"""

import numpy as np


def tutorial(rng, n_in, n_out):
    """U(−0.1, 0.1) for weights and biases, drawn in the tutorial's order and shapes.

    The tutorial stores ``W`` as (n_out, n_in) and draws it before ``b`` (n_out, 1); drawing the same shapes
    in the same order and transposing gives identical numbers from the same generator state.
    """
    W = rng.uniform(-0.1, 0.1, (n_out, n_in)).T.copy()
    b = rng.uniform(-0.1, 0.1, (n_out, 1)).reshape(n_out)
    return W, b


def glorot(rng, n_in, n_out):
    """Glorot/Xavier uniform: U(±sqrt(6 / (n_in + n_out))) keeps the activations' variance steady for tanh
    and sigmoid layers; biases start at 0."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)


def he(rng, n_in, n_out):
    """He normal: N(0, 2 / n_in), which compensates for ReLU zeroing half of its inputs; biases start at 0."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in), np.zeros(n_out)


INITIALIZERS = {"tutorial": tutorial, "glorot": glorot, "he": he}


def resolve(init, activation):
    """The initialiser function for ``init``; ``"auto"`` picks he for relu and glorot otherwise."""
    if init == "auto":
        init = "he" if activation == "relu" else "glorot"
    try:
        return INITIALIZERS[init]
    except KeyError:
        raise ValueError(f"init: {init!r} is not one of auto, {', '.join(INITIALIZERS)}") from None
