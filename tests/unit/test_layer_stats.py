"""The layers' statistics a training step reports, against the same numbers computed directly with NumPy.

The direct computation runs its own forward pass (``network.forward``) and takes the gradients from
``Trainer.loss_and_gradients`` (which test_gradients checks against finite differences); the trainer's numbers
come from inside its training step. Both must agree, for every activation, with and without weight decay.
"""

import numpy as np
import pytest

from nn_impl import MLPClassifier, network
from nn_impl.activations import ACTIVATIONS
from nn_impl.layer_stats import inactive_share


def _setup(activation, weight_decay=0.0, solver="adam", n=24, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 9))
    y = np.arange(n) % 4
    model = MLPClassifier(hidden_layer_sizes=(7, 6), activation=activation, solver=solver, learning_rate=0.05,
                          batch_size=n, shuffle=False, dtype="float64", weight_decay=weight_decay, random_state=seed)
    trainer = model.trainer(X, y)
    # Push some units to their limits (saturated sigmoid/tanh, dead ReLU) so that the shares are not all 0.
    model.intercepts_[0][:3] = [-40.0, 40.0, -40.0]
    return model, trainer, X, y


def _direct(model, trainer, X, y):
    """(gradient norms, update ratios, inactive shares) of one step over the whole (X, y), computed directly."""
    before = [W.copy() for W in model.coefs_]
    _, coef_grads, _ = trainer.loss_and_gradients(X, y)
    A, _ = network.forward(X, [W.copy() for W in model.coefs_], [b.copy() for b in model.intercepts_],
                           model.activation, model.loss)
    return before, [np.linalg.norm(g) for g in coef_grads], A[1:-1]


@pytest.mark.parametrize("weight_decay", [0.0, 0.01], ids=["no-decay", "decay"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_step_statistics_match_a_direct_numpy_computation(activation, weight_decay):
    model, trainer, X, y = _setup(activation, weight_decay)
    before, grad_norms, hidden = _direct(model, trainer, X, y)
    result = trainer.run(1, layer_stats=True)
    stats = result["layer_stats"]
    assert [s["layer"] for s in stats] == [1, 2, 3]
    assert [s["units"] for s in stats] == [7, 6, 4]
    for i, s in enumerate(stats):
        update = np.linalg.norm(model.coefs_[i] - before[i]) / np.linalg.norm(before[i])
        assert s["gradient_norm"] == pytest.approx(grad_norms[i], rel=1e-9)
        assert s["update_ratio"] == pytest.approx(update, rel=1e-9)
        assert s["gradient_norm"] > 0 and s["update_ratio"] > 0
    for i, A in enumerate(hidden):
        if activation == "relu":
            expected = np.mean(np.all(A <= 0, axis=0))  # dead: never active on the batch
            kind = "dead"
        elif activation == "sigmoid":
            expected = np.mean(A * (1 - A) < 0.04 * 0.25)  # derivative under 4 % of its peak ¼
            kind = "saturated"
        else:
            expected = np.mean(1 - A**2 < 0.04)
            kind = "saturated"
        assert stats[i]["inactive_share"] == pytest.approx(expected, abs=1e-12)
        assert stats[i]["inactive_kind"] == kind
    assert stats[0]["inactive_share"] > 0  # the units pushed to their limits are seen
    assert stats[-1]["inactive_share"] is None and stats[-1]["inactive_kind"] is None


def test_nothing_is_measured_unless_asked():
    model, trainer, X, y = _setup("relu")
    assert trainer.run(1)["layer_stats"] is None


def test_a_slice_reports_its_last_batch():
    """Over several batches the numbers are the last batch's: equal to a run that stops right there."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 9)), np.arange(40) % 4

    def trainer():
        m = MLPClassifier(hidden_layer_sizes=(5,), batch_size=8, dtype="float64", random_state=1, shuffle=False)
        return m.trainer(X, y)

    whole = trainer().run(4, layer_stats=True)["layer_stats"]
    stepwise = trainer()
    stepwise.run(3)
    last = stepwise.run(1, layer_stats=True)["layer_stats"]
    assert whole == last


def test_a_slice_ending_an_epoch_reports_the_epochs_last_batch():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 9)), np.arange(16) % 4
    m = MLPClassifier(hidden_layer_sizes=(5,), batch_size=8, dtype="float64", random_state=1, shuffle=False)
    result = m.trainer(X, y).run(10, layer_stats=True)  # stops after 2 batches, at the epoch's end
    assert result["batches"] == 2 and result["layer_stats"] is not None


@pytest.mark.parametrize("activation, values, share", [
    ("sigmoid", [[0.001, 0.5], [0.999, 0.2]], 0.5),
    ("tanh", [[-0.99, 0.0], [0.5, 0.981]], 0.5),
    ("relu", [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], 1 / 3),
])
def test_inactive_share_by_hand(activation, values, share):
    assert inactive_share(np.array(values), activation) == pytest.approx(share)


def test_the_tutorials_sigmoid_network_shows_vanishing_gradients_and_relu_does_not():
    """What the page's chart is for: with the tutorial's sigmoid units and U(−0.1, 0.1) weights the first layer's
    gradient is a small fraction of the last layer's; with ReLU and He weights they are of the same order."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(256, 784)).astype(np.uint8)
    y = np.arange(256) % 10
    common = dict(hidden_layer_sizes=(32, 24), batch_size=16, random_state=0, epochs=3)
    tutorial = MLPClassifier(activation="sigmoid", loss="mse", solver="sgd", learning_rate=0.01, init="tutorial",
                             input_scaling="tutorial", schedule="constant", **common)
    fast = MLPClassifier(activation="relu", loss="cross_entropy", solver="adam", learning_rate=0.003,
                         input_scaling="unit", **common)
    ratios = {}
    for name, model in (("tutorial", tutorial), ("fast", fast)):
        trainer = model.trainer(X, y)
        first_over_last = []
        for _ in range(8):
            stats = trainer.run(4, layer_stats=True)["layer_stats"]
            first_over_last.append(stats[0]["gradient_norm"] / stats[-1]["gradient_norm"])
        ratios[name] = float(np.median(first_over_last))
    assert ratios["tutorial"] < 0.2 < ratios["fast"], ratios
