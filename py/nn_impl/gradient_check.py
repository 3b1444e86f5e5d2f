"""Is the backpropagated gradient right? A centred finite difference of the loss for a few weights per layer.

For weight w: (L(w + ε) − L(w − ε)) / 2ε, with L = ½‖ŷ − t‖² on one image, in float64. The error of a centred
difference shrinks like ε², so with ε = 1e-5 a correct gradient agrees to a relative error around 1e-7 or
much less; a wrong one (say dL/dx computed with the weights already updated) is off by orders of magnitude more.
"""

import numpy as np

from . import reference
from .training_step import take_apart, tutorial_network, tutorial_sample

EPSILON = 1e-5


def _loss(net, x, t):
    return reference.true_loss(net.forward(x), t)


def check(images, labels, seed, index, per_layer=3, epsilon=EPSILON):
    """Backprop's dL/dW next to the centred difference for the ``per_layer`` weights of largest gradient.

    images, labels, seed, index: as :func:`nn_impl.training_step.take_apart` (the tutorial's network on one
    test image). Largest gradients are chosen because a weight fed by a blank pixel has gradient exactly 0 in
    both, which would say nothing. Returns a list of ``{"layer", "row", "column", "backprop", "numeric",
    "relative_error"}``, layer by layer from the input; relative error = |b − n| / max(|b|, |n|, 1e-300).
    """
    if isinstance(per_layer, bool) or not isinstance(per_layer, (int, np.integer)) or not 1 <= per_layer <= 20:
        raise ValueError(f"weights per layer must be an integer from 1 to 20; got {per_layer!r}")
    step = take_apart(images, labels, seed, index)
    gradients = {part["layer"]: part["dW"] for part in step["backward"]}
    x, t, _ = tutorial_sample(images, labels, index)
    net = tutorial_network(seed)
    rows = []
    for i, layer in enumerate(net.layers):
        dW = gradients[i]
        for flat in np.argsort(-np.abs(dW), axis=None, kind="stable")[:per_layer]:
            r, c = np.unravel_index(flat, dW.shape)
            original = layer.W[r, c]
            layer.W[r, c] = original + epsilon
            plus = _loss(net, x, t)
            layer.W[r, c] = original - epsilon
            minus = _loss(net, x, t)
            layer.W[r, c] = original
            numeric = (plus - minus) / (2 * epsilon)
            backprop = float(dW[r, c])
            error = abs(backprop - numeric) / max(abs(backprop), abs(numeric), 1e-300)
            rows.append({"layer": i, "row": int(r), "column": int(c), "backprop": backprop, "numeric": numeric,
                         "relative_error": error})
    return rows
