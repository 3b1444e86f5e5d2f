"""nn_impl.finetune: teaching a trained network new digits with replay, scored on a held-out part."""

import numpy as np
import pytest

from nn_impl import MLPClassifier, finetune, params


def bars(n, seed, upright=False):
    """The bar task: the label is the band (of ten) where a bright bar lies; ``upright`` bars are another
    "handwriting" of the same labels, which a network trained on lying bars reads no better than chance."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        at = 2 + 2 * int(label) + int(rng.integers(0, 2))
        if upright:
            x[i, 4:24, at] = 255
        else:
            x[i, at, 4:24] = 255
    return x, y


@pytest.fixture(scope="module")
def world():
    x_train, y_train = bars(600, 0)
    x_test, y_test = bars(200, 1)
    model = MLPClassifier(hidden_layer_sizes=(32,), epochs=4, input_scaling="unit", random_state=0)
    model.fit(x_train, y_train)
    assert model.score(x_test, y_test) > 0.9
    return model, (x_train, y_train), (x_test, y_test)


def test_split_holds_out_one_in_four_of_each_label_in_order():
    y = np.array([3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 5])
    taught, held = finetune.split_held_out(y)
    assert held.tolist() == [3, 7]  # the 4th and 8th 3; the 1s and the 5 are too few to spare one
    assert sorted(taught.tolist() + held.tolist()) == list(range(len(y)))


def test_the_mix_holds_the_replay_share_and_repeats_my_digits_evenly():
    x_mine, y_mine = np.arange(5)[:, None], np.full(5, 7)
    x_pool, y_pool = np.arange(100, 200)[:, None], np.arange(100) % 10
    x, y = finetune.replay_mix(x_mine, y_mine, x_pool, y_pool, 0.25, 40, np.random.default_rng(0))
    assert len(x) == len(y) == 40
    own = x[:, 0] < 100
    assert own.sum() == 30 and np.bincount(x[own, 0]).tolist() == [6] * 5  # each of mine six times
    assert len(set(x[~own, 0].tolist())) == 10  # replayed without repeats while the pool lasts


def test_teaching_leaves_the_model_alone_and_learns_the_new_style(world):
    model, (x_pool, y_pool), (x_test, y_test) = world
    weights = [w.copy() for w in model.coefs_]
    x_mine, y_mine = bars(80, 2, upright=True)
    taught, result = finetune.fine_tune(model, x_mine, y_mine, x_pool, y_pool, x_test, y_test,
                                        teach_batches=120, teach_learning_rate=0.003)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.coefs_))  # the original, for undo
    assert result["scored_on"] == "held-out" and result["n_held_out"] + result["n_taught"] == 80
    assert result["before"]["mine"] < 0.4 and result["after"]["mine"] > result["before"]["mine"] + 0.3
    assert result["after"]["mnist"] > result["before"]["mnist"] - 0.05
    x_new, y_new = bars(100, 3, upright=True)  # the same style, digits it was not taught
    assert taught.score(x_new, y_new) > model.score(x_new, y_new) + 0.3


def test_without_replay_a_skewed_set_makes_it_forget_more(world):
    model, (x_pool, y_pool), (x_test, y_test) = world
    x_mine, y_mine = bars(200, 4, upright=True)
    sevens = y_mine == 7  # a learner who taught only sevens
    drops = {}
    for share in (0.0, params.TEACHING_TABLE["replay_share"]["default"]):
        _, result = finetune.fine_tune(model, x_mine[sevens], y_mine[sevens], x_pool, y_pool, x_test, y_test,
                                       replay_share=share, teach_batches=80)
        drops[share] = result["before"]["mnist"] - result["after"]["mnist"]
        assert result["after"]["mine"] == 1.0
    assert drops[0.0] > 0.5  # it answers 7 to everything: catastrophic forgetting
    assert drops[0.0] > drops[params.TEACHING_TABLE["replay_share"]["default"]] + 0.3


def test_the_same_digits_and_seed_teach_the_same_weights(world):
    model, (x_pool, y_pool), (x_test, y_test) = world
    x_mine, y_mine = bars(20, 5, upright=True)
    runs = [finetune.fine_tune(model, x_mine, y_mine, x_pool, y_pool, x_test, y_test, teach_batches=10)[0]
            for _ in range(2)]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0].coefs_, runs[1].coefs_))


def test_a_model_of_other_classes_or_no_digits_are_refused(world):
    model, (x_pool, y_pool), (x_test, y_test) = world
    with pytest.raises(ValueError, match="no digits of your own"):
        finetune.Teaching(model, np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8), x_pool, y_pool,
                          x_test, y_test)
    three = MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(x_pool[:30], y_pool[:30] % 3)
    with pytest.raises(ValueError, match="not the digits 0-9"):
        finetune.teaching_copy(three, 0.001)
