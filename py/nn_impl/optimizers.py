"""Optimisers. They know nothing about layers: each holds per-parameter state in lists aligned with the
parameter list it was built for, and ``step(params, grads, lr)`` updates every array of ``params`` in place.

``grads`` are used as scratch space (they are recomputed for every batch), which saves a temporary per
parameter on every step.
"""

import numpy as np


class SGD:
    """Plain stochastic gradient descent, the tutorial's: p <- p − lr·g."""

    def __init__(self, params, momentum=None):
        pass

    def step(self, params, grads, lr):
        for p, g in zip(params, grads):
            g *= lr
            p -= g


class Momentum:
    """Heavy-ball momentum: v <- μv − lr·g; p <- p + v."""

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


class Adam:
    """Adam (Kingma & Ba, 2015) with bias-corrected moments, as PyTorch and Keras implement it:
    m <- β1·m + (1−β1)·g;  v <- β2·v + (1−β2)·g²;  p <- p − lr·m̂ / (sqrt(v̂) + ε)."""

    def __init__(self, params, momentum=None, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = lr / (1.0 - b1**self.t)
        v_correction = np.sqrt(1.0 - b2**self.t)
        for p, g, m, v, tmp in zip(params, grads, self.m, self.v, self._scratch):
            np.multiply(g, g, out=tmp)
            v *= b2
            tmp *= 1.0 - b2
            v += tmp
            m *= b1
            g *= 1.0 - b1
            m += g
            np.sqrt(v, out=tmp)
            tmp /= v_correction
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}
