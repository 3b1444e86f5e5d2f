"""Activation functions, each with its derivative written in terms of its own output.

Every function works in place on a batch ``Z`` of shape (batch, units): the forward pass overwrites the
pre-activations with the activations, and the backward pass multiplies the incoming gradient ``dA`` by
f'(z) computed from the cached activations ``A`` (so the pre-activations never need to be kept).

    forward(Z)          Z <- f(Z)
    backward(A, dA)     dA <- dA * f'(z), with f'(z) expressed through A = f(z)
"""

import numpy as np


def sigmoid(Z):
    """Z <- 1 / (1 + exp(-Z)), in place; the tutorial's formula, evaluated in the same order."""
    # exp(-z) overflows to inf for z < -88 in float32; 1 / (1 + inf) is then exactly the right limit, 0.
    with np.errstate(over="ignore"):
        np.negative(Z, out=Z)
        np.exp(Z, out=Z)
    Z += 1.0
    np.reciprocal(Z, out=Z)
    return Z


def sigmoid_backward(A, dA):
    """dA <- dA * A * (1 - A): the diagonal of the tutorial's Jacobian ``dsigmoid``, without building it."""
    dA *= A
    dA *= 1.0 - A
    return dA


def tanh(Z):
    """Z <- tanh(Z), in place."""
    return np.tanh(Z, out=Z)


def tanh_backward(A, dA):
    """dA <- dA * (1 - A**2)."""
    dA *= 1.0 - A * A
    return dA


def relu(Z):
    """Z <- max(Z, 0), in place."""
    return np.maximum(Z, 0.0, out=Z)


def relu_backward(A, dA):
    """dA <- dA where the unit was active (A > 0), else 0 (the subgradient at 0 is taken as 0)."""
    # Multiplying by the boolean mask is one vectorised pass; masked assignment (dA[A <= 0] = 0) is several
    # times slower on the small arrays of a mini-batch.
    np.multiply(dA, A > 0.0, out=dA)
    return dA


# name -> (forward, backward); the model, the CLI and the page's menu all read this table.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
}
