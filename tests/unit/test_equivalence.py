"""The fast engine, configured as the tutorial, takes the very same steps as the tutorial's own code.

Configured as the tutorial (sigmoid units, MSE on sigmoid outputs, SGD at 0.01, batch size 1, float64, the
tutorial's U(−0.1, 0.1) initialisation drawn in its order) and fed the samples in the order the tutorial's
``fit`` visits them, the engine's weights must match ``nn_impl.reference.AThreeLayerSimpleMLPC`` after 500
steps to 1e-10. The two share no code: the reference multiplies explicit Jacobians one column at a time,
the engine multiplies row-major batches with the derivative folded in.
"""

import numpy as np
import pytest

from nn_impl import MLPClassifier, initializers, reference

# The same checks with every matrix-product kernel this platform offers (tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("each_kernel")

N_STEPS = 500


def _digits_like(n, seed=0):
    """n fake 28×28 uint8 'digits' (random strokes on black) and labels: any data proves the equivalence."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for image in images:
        r, c = rng.integers(4, 24, size=2)
        image[r - 3:r + 3, 4:24] = rng.integers(100, 256)
        image[4:24, c - 2:c + 2] = rng.integers(100, 256)
    return images, rng.integers(0, 10, size=n)


def _tutorial_engine():
    return MLPClassifier(hidden_layer_sizes=(32, 24), activation="sigmoid", loss="mse", solver="sgd",
                         learning_rate=0.01, batch_size=1, epochs=1, init="tutorial", schedule="constant",
                         shuffle=False, input_scaling="tutorial", dtype="float64")


def test_tutorial_init_draws_the_same_numbers_in_the_same_order():
    np.random.seed(reference.TUTORIAL_SEED)
    net = reference.AThreeLayerSimpleMLPC(784, 10)
    legacy = np.random.RandomState(reference.TUTORIAL_SEED)  # the generator np.random.seed seeds
    for layer, (n_in, n_out) in zip(net.layers, [(784, 32), (32, 24), (24, 10)]):
        W, b = initializers.tutorial(legacy, n_in, n_out)
        np.testing.assert_array_equal(W, layer.W.T)  # ours is (n_in, n_out), the tutorial's (n_out, n_in)
        np.testing.assert_array_equal(b, layer.b.ravel())


def test_engine_configured_as_the_tutorial_matches_the_reference_after_500_steps():
    images, labels = _digits_like(N_STEPS)
    np.random.seed(reference.TUTORIAL_SEED)
    net = reference.AThreeLayerSimpleMLPC(784, 10)
    start = [(layer.W.T.copy(), layer.b.ravel().copy()) for layer in net.layers]

    # The order the tutorial's fit visits the samples: permutation once, then a shuffle per epoch. Replay
    # those two draws on a copy of the global generator's state, then let fit make them for real.
    state = np.random.get_state()
    order = np.random.permutation(N_STEPS)
    np.random.shuffle(order)
    np.random.set_state(state)
    net.fit(reference.tutorial_normalize(images.reshape(N_STEPS, 784)), labels, epochs=1)

    model = _tutorial_engine()
    model.set_weights([W for W, _ in start], [b for _, b in start])
    result = model.trainer(images[order], labels[order]).run(N_STEPS)
    assert result["batches"] == N_STEPS

    for i, layer in enumerate(net.layers):
        np.testing.assert_allclose(model.coefs_[i], layer.W.T, rtol=0, atol=1e-10)
        np.testing.assert_allclose(model.intercepts_[i], layer.b.ravel(), rtol=0, atol=1e-10)
    assert np.abs(model.coefs_[0] - start[0][0]).max() > 1e-4  # the weights did move: not a vacuous match
    # The engine's epoch loss is the true ½‖ŷ − t‖² averaged over the samples, like the reference's.
    assert model.loss_curve_[0] == pytest.approx(net.loss_history_[0], rel=1e-9)


def test_a_different_step_breaks_the_match():
    """The comparison is sharp: the same run with a learning rate 1 % off ends visibly elsewhere."""
    images, labels = _digits_like(100)
    np.random.seed(reference.TUTORIAL_SEED)
    net = reference.AThreeLayerSimpleMLPC(784, 10)
    start = [(layer.W.T.copy(), layer.b.ravel().copy()) for layer in net.layers]
    runs = []
    for lr in (0.01, 0.0101):
        model = _tutorial_engine().set_params(learning_rate=lr)
        model.set_weights([W for W, _ in start], [b for _, b in start])
        model.trainer(images, labels).run(100)
        runs.append(model.coefs_[2])
    assert np.abs(runs[0] - runs[1]).max() > 1e-8
