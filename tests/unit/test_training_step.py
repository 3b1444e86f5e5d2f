"""One training step taken apart, the gradient check and the Jacobian lens: the numbers the page shows."""

import numpy as np
import pytest

from nn_impl import gradient_check, jacobian_lens, reference, training_step


def _test_set(n=12, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[:, :4] = 0  # blank rows, as MNIST has: some first-layer gradients are exactly 0
    return images, rng.integers(0, 10, size=n)


def test_the_step_is_the_tutorials_own_forward_and_backward():
    images, labels = _test_set()
    r = training_step.take_apart(images, labels, seed=5, index=7)
    # The same step done plainly with the reference.
    np.random.seed(5)
    net = reference.AThreeLayerSimpleMLPC(n_inputs=784, n_classes=10)
    x = reference.tutorial_normalize(images[7].reshape(784))
    t = np.eye(10)[labels[7]]
    y_hat = net.forward(x)
    np.testing.assert_array_equal(r["output"], y_hat.ravel())
    np.testing.assert_array_equal(r["target"], t)
    assert r["loss"] == reference.true_loss(y_hat, t)
    assert r["printed_loss"] == reference.legacy_printed_loss(y_hat, t)
    net.backward((y_hat.ravel() - t)[None, :])
    after = net.forward(x)
    np.testing.assert_array_equal(r["output_after"], after.ravel())
    assert r["loss_after"] == reference.true_loss(after, t) < r["loss"]
    assert [b["layer"] for b in r["backward"]] == [2, 1, 0]
    assert [layer["W"].shape for layer in r["layers"]] == [(32, 784), (24, 32), (10, 24)]
    for b, n in zip(r["backward"], (10, 24, 32)):
        J = b["jacobian"]
        assert J.shape == (n, n) and np.count_nonzero(J - np.diag(np.diag(J))) == 0
        np.testing.assert_allclose(b["dLdy"], b["dLdz"] * np.diag(J), rtol=1e-12)
    top = r["backward"][0]
    np.testing.assert_allclose(top["dLdz"], r["output"] - r["target"], rtol=1e-15)
    np.testing.assert_array_equal(r["backward"][1]["dLdz"], top["dLdx"])  # passed down unchanged


def test_the_step_leaves_the_global_random_stream_alone_and_checks_its_arguments():
    images, labels = _test_set()
    np.random.seed(99)
    expected = np.random.rand()
    np.random.seed(99)
    training_step.take_apart(images, labels, seed=1, index=0)
    assert np.random.rand() == expected
    for bad in (-1, 12, 1.5, True, "3"):
        with pytest.raises(ValueError, match="test image number"):
            training_step.take_apart(images, labels, seed=1, index=bad)
    for bad in (-1, 2**32, 0.5, None):
        with pytest.raises(ValueError, match="initial weights seed"):
            training_step.take_apart(images, labels, seed=bad, index=0)


def test_the_gradient_check_agrees_with_backprop():
    images, labels = _test_set()
    rows = gradient_check.check(images, labels, seed=2, index=3, per_layer=2)
    assert [r["layer"] for r in rows] == [0, 0, 1, 1, 2, 2]
    for r in rows:
        assert r["backprop"] != 0 and r["relative_error"] < 1e-6
    with pytest.raises(ValueError, match="weights per layer"):
        gradient_check.check(images, labels, seed=2, index=3, per_layer=0)


def test_the_gradient_check_would_catch_a_wrong_gradient(monkeypatch):
    images, labels = _test_set()
    original = reference.NNLayer.dsigmoid
    # Let the sigmoid's derivative be wrong (twice what it is): backprop then disagrees with the definition.
    monkeypatch.setattr(reference.NNLayer, "dsigmoid", lambda self, y: 2 * original(self, y))
    rows = gradient_check.check(images, labels, seed=2, index=3, per_layer=1)
    assert max(r["relative_error"] for r in rows) > 0.1


def test_the_jacobian_product_equals_the_element_wise_one():
    r = jacobian_lens.compare(n=64, repeats=1)
    assert r["max_difference"] < 1e-15
    assert r["full_bytes"] == 64 * 64 * 8 and r["elementwise_bytes"] == 64 * 8
    assert r["full_seconds"] > 0 and r["elementwise_seconds"] > 0
    for bad in (0, jacobian_lens.MAX_UNITS + 1, 2.5):
        with pytest.raises(ValueError, match="units must be"):
            jacobian_lens.compare(n=bad)
