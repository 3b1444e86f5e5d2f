"""The network's forward pass, written once: prediction and training both run it.

The network is a list of dense layers. Layer ``i`` maps activations ``A[i]`` of shape (batch, n_i) to

    Z = A[i] @ W[i] + b[i]        W[i]: (n_i, n_{i+1}),  b[i]: (n_{i+1},)
    A[i+1] = f(Z)                  f: the hidden activation, or the loss's output non-linearity at the end

This is the tutorial's layer turned on its side: the tutorial keeps one sample as a column and ``W`` as
(n_out, n_in); here a batch is a stack of rows and ``W`` is (n_in, n_out), so a whole batch goes through each
layer in one matrix product. The backward pass lives in :mod:`nn_impl.trainer`.
"""

from . import matmul
from .activations import ACTIVATIONS
from .losses import LOSSES


def layer_sizes(coefs):
    """[n_features, n_hidden_1, ..., n_classes] (list of ints) of the weight matrices ``coefs`` ((n_in, n_out) each)."""
    return [int(coefs[0].shape[0])] + [int(W.shape[1]) for W in coefs]


def forward(X, coefs, intercepts, activation, loss, buffers=None, skip_zero_inputs=False):
    """The activations of every layer for scaled inputs ``X`` of shape (b, n_features).

    coefs / intercepts: the weights, (n_i, n_{i+1}) and (n_{i+1},) per layer; activation: a name of
    :data:`~nn_impl.activations.ACTIVATIONS`; loss: a name of :data:`~nn_impl.losses.LOSSES` (its output
    non-linearity ends the network). buffers: optional list of one array per layer, of shape (>= b, n_{i+1}),
    written into instead of allocating (the trainer reuses them for every batch).
    skip_zero_inputs: compute the first layer from the inputs that are non-zero in the batch
    (:func:`nn_impl.matmul.dense_skipping_zero_inputs`; the same result).

    Returns ``(A, active)``: ``A = [X, A_1, ..., A_L]`` with ``A_L`` the outputs (b, n_classes), and
    ``active`` the first layer's ``(columns, X[:, columns])`` when inputs were skipped, else None.
    """
    hidden, _ = ACTIVATIONS[activation]
    output = LOSSES[loss].output
    b, last = len(X), len(coefs) - 1
    A, active = [X], None
    for i, (W, bias) in enumerate(zip(coefs, intercepts)):
        out = None if buffers is None else buffers[i][:b]
        if i == 0 and skip_zero_inputs:
            Z, active = matmul.dense_skipping_zero_inputs(X, W, out=out)
        else:
            Z = matmul.dense(A[i], W, out=out)
        Z += bias
        A.append(output(Z) if i == last else hidden(Z))  # both work in place: Z becomes the activations
    return A, active


def outputs(X, coefs, intercepts, activation, loss):
    """The network's outputs of shape (b, n_classes) for scaled inputs ``X`` (b, n_features); see :func:`forward`."""
    return forward(X, coefs, intercepts, activation, loss)[0][-1]
