"""What happens inside each layer while the network trains: the numbers a learner watches for vanishing or
exploding gradients, steps too large or too small, and units that stopped learning.

For layer i (weights W of shape (n_i, n_{i+1})), measured on one batch, from what the training step already
has -- the batch's activations, the gradient dW and the weights before and after the optimiser's step:

    gradient_norm   ‖dW‖                 (Frobenius norm; dW includes the weight-decay term, it is what the step uses)
    update_ratio    ‖W_after − W_before‖ / ‖W_before‖
                    the relative size of the step; around 1e-3 is the usual rule of thumb for a healthy rate
    inactive_share  for a hidden layer, the share of its units that are not learning on this batch:
                    * sigmoid and tanh: *saturated*, the unit's output so close to its limit that its derivative
                      is under 4 % of its peak (sigmoid: |a − ½| > 0.49, tanh: |a| > 0.98), averaged over the
                      batch's samples (share of unit-sample pairs);
                    * ReLU: *dead*, never active (a > 0) for any sample of the batch.
                    None for the output layer (its non-linearity belongs to the loss).

Nothing here runs a forward pass of its own: :class:`nn_impl.trainer.Trainer` takes :func:`norms` of the
gradients before the optimiser's step and calls :func:`measure` after it, and only when asked to (so a run
without statistics pays nothing).
"""

import math

import numpy as np

# A unit counts as saturated when its derivative falls under this share of the derivative's peak.
SATURATED_DERIVATIVE_SHARE = 0.04

# activation -> (centre, limit): saturated when |a − centre| > limit, i.e. f'(z) < 4 % of its peak.
#   sigmoid: f' = a(1 − a) = ¼ − (a − ½)², peak ¼  ->  |a − ½| > ½·√(1 − 0.04)
#   tanh:    f' = 1 − a²,                  peak 1  ->  |a| > √(1 − 0.04)
SATURATION = {
    "sigmoid": (0.5, 0.5 * math.sqrt(1.0 - SATURATED_DERIVATIVE_SHARE)),
    "tanh": (0.0, math.sqrt(1.0 - SATURATED_DERIVATIVE_SHARE)),
}

#: what ``inactive_share`` measures for each hidden activation (the page's table says it in words)
INACTIVE_KIND = {"sigmoid": "saturated", "tanh": "saturated", "relu": "dead"}


def _norm(a):
    """‖a‖ (Frobenius) as a Python float: one dot product in a's own precision (float32 keeps 6 digits, plenty
    for a chart on a log scale, and the product runs without a float64 copy)."""
    flat = a.reshape(-1)
    return math.sqrt(float(np.dot(flat, flat)))


def norms(arrays):
    """[‖a‖ for a in arrays] (Frobenius norms, Python floats)."""
    return [_norm(a) for a in arrays]


def inactive_share(A, activation):
    """Share of the hidden units not learning on the batch: A (b, units) are the layer's activations.

    sigmoid/tanh: share of unit-sample pairs saturated (see the module's docstring); relu: share of units never
    active on any of the b samples. Returns a float in [0, 1].
    """
    if activation == "relu":
        alive = np.logical_or.reduce(A > 0.0, axis=0)  # (units,)
        return 1.0 - np.count_nonzero(alive) / alive.size
    centre, limit = SATURATION[activation]
    saturated = np.abs(A - centre) > limit if centre else np.abs(A) > limit
    return np.count_nonzero(saturated) / saturated.size


def measure(hidden, activation, gradient_norms, before, after):
    """The statistics of every layer after one training step.

    hidden: the hidden layers' activations on the batch, [A_1 (b, n_1), ..., A_{L-1} (b, n_{L-1})];
    gradient_norms: [‖dW_0‖, ..., ‖dW_{L-1}‖] (:func:`norms` of the gradients, taken before the step: the
    optimisers use the gradient arrays as scratch space); before / after: the weights [W_0 (n_0, n_1), ...,
    W_{L-1}] before and after the step. Returns one dict per layer, input side first: ``{"layer": 1-based index, "units": n_{i+1},
    "gradient_norm": float, "update_ratio": float, "inactive_share": float | None, "inactive_kind": str | None}``.
    """
    stats = []
    for i, (gradient_norm, W0, W1) in enumerate(zip(gradient_norms, before, after)):
        weight_norm = _norm(W0)
        hidden_layer = i < len(hidden)
        stats.append({
            "layer": i + 1,
            "units": int(W1.shape[1]),
            "gradient_norm": gradient_norm,
            "update_ratio": _norm(W1 - W0) / weight_norm if weight_norm > 0 else math.inf,
            "inactive_share": float(inactive_share(hidden[i], activation)) if hidden_layer else None,
            "inactive_kind": INACTIVE_KIND[activation] if hidden_layer else None,
        })
    return stats
