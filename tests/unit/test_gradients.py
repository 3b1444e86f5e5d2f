"""Finite-difference checks of the backward pass: every activation × loss × depth (and weight decay).

For each parameter entry θ the central difference (L(θ + h) − L(θ − h)) / 2h must match the analytic
gradient. Everything runs in float64 so the comparison can be tight (relative error < 1e-6).
"""

import numpy as np
import pytest

from nn_impl import MLPClassifier
from nn_impl.activations import ACTIVATIONS
from nn_impl.losses import LOSSES

# The same checks with every matrix-product kernel this platform offers (tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("each_kernel")

H = 1e-6


def _net(activation, loss, hidden, weight_decay=0.0, n_features=7, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(5, n_features))
    y = rng.integers(0, n_classes, size=5)
    y[:n_classes] = np.arange(n_classes)  # every class present, so the output layer has n_classes units
    model = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, loss=loss, dtype="float64",
                          batch_size=8, weight_decay=weight_decay, init="glorot", random_state=seed)
    trainer = model.trainer(X, y)
    # Move the biases away from 0 so that ReLU kinks are not sat on by chance and every unit matters.
    for b in model.intercepts_:
        b[:] = rng.normal(scale=0.3, size=b.shape)
    return model, trainer, X, y


def _numeric_gradient(trainer, array, X, y):
    grad = np.empty_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + H
        up = trainer.loss_and_gradients(X, y)[0]
        array[index] = original - H
        down = trainer.loss_and_gradients(X, y)[0]
        array[index] = original
        grad[index] = (up - down) / (2 * H)
    return grad


def _assert_close(analytic, numeric, what):
    scale = max(np.abs(numeric).max(), np.abs(analytic).max(), 1e-8)
    error = np.abs(analytic - numeric).max() / scale
    assert error < 1e-6, f"{what}: relative error {error:.2e}"


@pytest.mark.parametrize("hidden", [(6,), (6, 5), (6, 5, 4)], ids=["1-hidden", "2-hidden", "3-hidden"])
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backward_matches_finite_differences(activation, loss, hidden):
    model, trainer, X, y = _net(activation, loss, hidden)
    _, coef_grads, intercept_grads = trainer.loss_and_gradients(X, y)
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        _assert_close(coef_grads[i], _numeric_gradient(trainer, W, X, y), f"dW[{i}]")
        _assert_close(intercept_grads[i], _numeric_gradient(trainer, b, X, y), f"db[{i}]")


def test_weight_decay_gradient_matches_finite_differences():
    model, trainer, X, y = _net("tanh", "cross_entropy", (6, 5), weight_decay=0.1)
    _, coef_grads, intercept_grads = trainer.loss_and_gradients(X, y)
    for i, W in enumerate(model.coefs_):
        _assert_close(coef_grads[i], _numeric_gradient(trainer, W, X, y), f"dW[{i}] with decay")
    _assert_close(intercept_grads[0], _numeric_gradient(trainer, model.intercepts_[0], X, y), "db[0]")


def test_no_hidden_layer_is_softmax_regression():
    model, trainer, X, y = _net("relu", "cross_entropy", ())
    _, coef_grads, _ = trainer.loss_and_gradients(X, y)
    _assert_close(coef_grads[0], _numeric_gradient(trainer, model.coefs_[0], X, y), "dW[0]")


def test_gradients_leave_the_weights_unchanged():
    model, trainer, X, y = _net("sigmoid", "mse", (6,))
    before = [W.copy() for W in model.coefs_]
    trainer.loss_and_gradients(X, y)
    for W, W0 in zip(model.coefs_, before):
        np.testing.assert_array_equal(W, W0)


def test_cross_entropy_delta_is_softmax_minus_one_hot():
    """The fused output: dL/dZ = (softmax(Z) − t) / batch, checked on numbers small enough to do by hand."""
    Z = np.array([[0.0, np.log(3.0)]])  # softmax = [1/4, 3/4]
    loss = LOSSES["cross_entropy"]
    Y_hat = loss.output(Z.copy())
    np.testing.assert_allclose(Y_hat, [[0.25, 0.75]])
    assert loss.value(Y_hat, np.array([1])) == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(loss.delta(Y_hat, np.array([1])), [[0.25, -0.25]])


@pytest.mark.parametrize("skip", [False, True], ids=["all-inputs", "skip-zero-inputs"])
def test_inputs_zero_across_the_batch_are_skipped_exactly(monkeypatch, skip):
    """The shortcut Pyodide uses (inputs that are 0 in every sample of a batch left out of the first layer's
    products) gives the same gradients, checked against finite differences, as the full products."""
    from nn_impl import matmul

    monkeypatch.setattr(matmul, "SKIP_ZERO_INPUTS", skip)
    model, trainer, X, y = _net("relu", "cross_entropy", (6, 5), weight_decay=0.05, n_features=10)
    X[:, [0, 3, 4, 7, 8, 9]] = 0.0  # 6 of 10 inputs blank in the whole batch, like an MNIST border
    _, coef_grads, intercept_grads = trainer.loss_and_gradients(X, y)
    assert (trainer._active_inputs is not None) == skip
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        _assert_close(coef_grads[i], _numeric_gradient(trainer, W, X, y), f"dW[{i}]")
        _assert_close(intercept_grads[i], _numeric_gradient(trainer, b, X, y), f"db[{i}]")
