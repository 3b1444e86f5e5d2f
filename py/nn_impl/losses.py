"""Losses, each fused with the output layer's non-linearity it belongs to.

A loss here owns three things: the output non-linearity, the loss value, and the gradient with respect to
the output layer's *pre-activations*. Fusing them enforces the pairing in code: the famous shortcut
``delta = y_hat - t`` is only right for softmax + cross-entropy, and the MSE gradient keeps the sigmoid's
derivative explicitly, exactly as the tutorial's backward pass does.

    output(Z)            Z <- y_hat, in place; Z of shape (batch, classes)
    value(Y_hat, y)      mean loss over the batch (float); y of shape (batch,) integer labels
    delta(Y_hat, y)      Y_hat <- dLoss/dZ averaged over the batch, in place
"""

import numpy as np

from .activations import sigmoid

# Smallest probability fed to log: keeps -log(p) finite when a wrong class gets p = 0 in float32.
_TINY = 1e-12


class MeanSquaredError:
    """The tutorial's loss: sigmoid outputs, per-sample ½‖ŷ − t‖² with one-hot t, averaged over the batch.

    The tutorial *printed* ``np.sum(ŷ − t)**2 / 2`` (see ``nn_impl.reference.legacy_printed_loss``); it
    *trained* with the gradient ŷ − t of the true loss, which is what we use. With batch size 1 the two
    engines take identical steps.
    """

    name = "mse"

    def output(self, Z):
        return sigmoid(Z)

    def value(self, Y_hat, y):
        error = Y_hat.astype(np.float64)  # a float64 copy: the sum of many small squares in float32 drifts
        error[np.arange(len(y)), y] -= 1.0
        return float(0.5 * np.einsum("ij,ij->", error, error) / len(y))

    def delta(self, Y_hat, y):
        # dL/dZ = (ŷ − t) ⊙ ŷ(1 − ŷ) / batch: the error times the sigmoid's derivative written from its output.
        slope = Y_hat * (1.0 - Y_hat)
        Y_hat[np.arange(len(y)), y] -= 1.0
        Y_hat *= slope
        Y_hat /= len(y)
        return Y_hat


class CrossEntropy:
    """Softmax outputs with cross-entropy −log p(true class), averaged over the batch."""

    name = "cross_entropy"

    def output(self, Z):
        # Subtracting each row's maximum changes nothing mathematically and keeps exp from overflowing.
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
        return Z

    def value(self, Y_hat, y):
        p_true = Y_hat[np.arange(len(y)), y]
        # the log and its sum in float64: accurate whatever the batch size and the model's dtype
        return -float(np.log(np.maximum(p_true, _TINY), dtype=np.float64).sum()) / len(y)

    def delta(self, Y_hat, y):
        # For softmax followed by cross-entropy the Jacobians collapse to dL/dZ = (ŷ − t) / batch.
        Y_hat[np.arange(len(y)), y] -= 1.0
        Y_hat /= len(y)
        return Y_hat


LOSSES = {"mse": MeanSquaredError(), "cross_entropy": CrossEntropy()}
