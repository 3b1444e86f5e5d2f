"""Optimisers. They know nothing about layers: each holds per-parameter state in lists aligned with the
parameter list it was built for, and ``step(params, grads, lr)`` updates every array of ``params`` in place.

``grads`` are used as scratch space (they are recomputed for every batch), which saves a temporary per
parameter on every step.

What an optimiser carries from one step to the next (momentum's velocities, Adam's moments and step count)
is named in its ``STATE``; ``state()`` and ``load_state()`` copy it out and back in, so that a run saved in
the middle (:mod:`nn_impl.checkpoint`) goes on exactly as if it had never stopped.
"""

import numpy as np

from . import matmul


class _Stateful:
    #: the attributes carried from step to step: lists of arrays aligned with the parameters, or an int
    STATE: tuple[str, ...] = ()

    def state(self):
        """``{name: list of arrays (copies) | int}`` for every name in ``STATE``."""
        return {name: _copied(getattr(self, name)) for name in self.STATE}

    def load_state(self, state):
        """Take back what :meth:`state` returned (same names, array shapes and dtypes, else ``ValueError``
        and nothing changes); arrays are copied into the existing ones."""
        if not isinstance(state, dict) or set(state) != set(self.STATE):
            raise ValueError(f"optimizer state: expected the entries {sorted(self.STATE)}, got "
                             f"{sorted(state) if isinstance(state, dict) else type(state).__name__}")
        for name in self.STATE:
            _check_like(name, state[name], getattr(self, name))
        for name in self.STATE:
            current = getattr(self, name)
            if isinstance(current, list):
                for mine, given in zip(current, state[name]):
                    np.copyto(mine, given)
            else:
                setattr(self, name, int(state[name]))


def _copied(value):
    return [a.copy() for a in value] if isinstance(value, list) else value


def _check_like(name, given, current):
    if isinstance(current, list):
        if not isinstance(given, list) or len(given) != len(current):
            raise ValueError(f"optimizer state: {name} must be a list of {len(current)} arrays")
        for i, (g, c) in enumerate(zip(given, current)):
            if not isinstance(g, np.ndarray) or g.shape != c.shape or g.dtype != c.dtype:
                raise ValueError(f"optimizer state: {name}[{i}] must be a {c.dtype} array of shape {c.shape}")
            if not np.isfinite(g).all():
                raise ValueError(f"optimizer state: {name}[{i}] holds NaN or infinite values")
    elif isinstance(given, bool) or not isinstance(given, int) or given < 0:
        raise ValueError(f"optimizer state: {name} must be a non-negative integer, got {given!r}")


class SGD(_Stateful):
    """Plain stochastic gradient descent, the tutorial's: p <- p − lr·g. It carries nothing between steps."""

    def __init__(self, params, momentum=None):
        pass

    def step(self, params, grads, lr):
        for p, g in zip(params, grads):
            g *= lr
            p -= g


class Momentum(_Stateful):
    """Heavy-ball momentum: v <- μv − lr·g; p <- p + v."""

    STATE = ("velocities",)

    def __init__(self, params, momentum=0.9):
        self.momentum = momentum
        self.velocities = [np.zeros_like(p) for p in params]

    def step(self, params, grads, lr):
        for p, g, v in zip(params, grads, self.velocities):
            v *= self.momentum
            g *= lr
            v -= g
            p += v


class Nesterov(Momentum):
    """Nesterov momentum in the form that needs no look-ahead evaluation (Sutskever et al., 2013):
    v <- μv − lr·g; p <- p + μv − lr·g."""

    def step(self, params, grads, lr):
        for p, g, v in zip(params, grads, self.velocities):
            v *= self.momentum
            g *= lr
            v -= g
            p += self.momentum * v
            p -= g


class Adam(_Stateful):
    """Adam (Kingma & Ba, 2015) with bias-corrected moments, as PyTorch and Keras implement it:
    m <- β1·m + (1−β1)·g;  v <- β2·v + (1−β2)·g²;  p <- p − lr·m̂ / (sqrt(v̂) + ε),
    with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).

    The arithmetic is rearranged to touch the parameters fewer times (on a small network the optimiser is a
    third of the training time), with the same result up to rounding: we keep M = m / (1−β1) and
    V = v / (1−β2), which follow M <- β1·M + g and V <- β2·V + g², and fold the constants into one step size:
    p <- p − m̂ / (sqrt(v̂) + ε)·lr = p − M / (sqrt(V) + ε')·lr' with
    lr' = lr·(1−β1)·sqrt(1−β2ᵗ) / ((1−β1ᵗ)·sqrt(1−β2)) and ε' = ε·sqrt(1−β2ᵗ) / sqrt(1−β2).

    In the browser the SIMD kernel does these same float32 operations in one pass over the arrays
    (:func:`nn_impl.matmul.fused_adam_step`): ten NumPy passes were 30-60 % of a batch's time there.
    """

    STATE = ("t", "M", "V")

    def __init__(self, params, momentum=None, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.M = [np.zeros_like(p) for p in params]
        self.V = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        v_scale = np.sqrt((1.0 - b2**self.t) / (1.0 - b2))  # sqrt(v̂) = sqrt(V) / v_scale
        step_size = lr * (1.0 - b1) / (1.0 - b1**self.t) * v_scale
        eps = self.eps * v_scale
        for p, g, M, V, tmp in zip(params, grads, self.M, self.V, self._scratch):
            if matmul.fused_adam_step(p, g, M, V, b1, b2, eps, 1.0 / step_size):
                continue
            M *= b1  # M <- β1·M + g
            M += g
            np.multiply(g, g, out=g)  # V <- β2·V + g²  (g is scratch space)
            V *= b2
            V += g
            np.sqrt(V, out=tmp)  # p <- p − lr'·M / (sqrt(V) + ε')
            tmp += eps
            tmp *= 1.0 / step_size
            np.divide(M, tmp, out=tmp)
            p -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}
