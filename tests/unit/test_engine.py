"""The fast engine's behaviour: reproducibility, slices, divergence, validation, schedules, augmentation."""

import inspect
import json
import math

import numpy as np
import pytest

import nn_impl
from nn_impl import MLPClassifier, TrainingDiverged, params
from nn_impl.augment import random_shifts
from nn_impl.schedules import SCHEDULES


def blobs(n=300, n_features=16, n_classes=3, seed=0):
    """Separable-ish Gaussian clusters: something small an MLP can learn in a fraction of a second."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(n_classes, n_features))
    y = rng.integers(0, n_classes, size=n)
    return centres[y] + rng.normal(size=(n, n_features)), y


def small(**kw):
    return MLPClassifier(**{"hidden_layer_sizes": (8,), "epochs": 3, "batch_size": 16, "random_state": 0, **kw})


# --- learning and reproducibility ----------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "momentum", "nesterov", "adam"])
def test_every_solver_learns_separable_blobs(solver):
    X, y = blobs()
    lr = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.01}[solver]
    model = small(solver=solver, learning_rate=lr, epochs=10).fit(X, y)
    assert model.score(X, y) > 0.95
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_same_seed_same_weights_and_history_different_seed_different():
    X, y = blobs()
    a, b, c = small().fit(X, y), small().fit(X, y), small(random_state=1).fit(X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(Wa, Wb)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_shift_augmentation_is_reproducible_too():
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, size=(64, 8, 8)).astype(np.uint8), rng.integers(0, 3, size=64)
    a = small(shift=2, input_scaling="unit").fit(X, y)
    b = small(shift=2, input_scaling="unit").fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


def test_trainer_slices_give_exactly_what_fit_gives():
    X, y = blobs()
    fitted = small().fit(X, y, validation_data=(X[:50], y[:50]))
    sliced = small()
    trainer = sliced.trainer(X, y, validation_data=(X[:50], y[:50]))
    statuses = []
    while not statuses or statuses[-1] != "done":
        statuses.append(trainer.run(7)["status"])
    assert statuses.count("epoch_end") == 2 and "running" in statuses
    for Wf, Ws in zip(fitted.coefs_ + fitted.intercepts_, sliced.coefs_ + sliced.intercepts_):
        np.testing.assert_array_equal(Wf, Ws)
    assert [h["loss"] for h in fitted.history_] == [h["loss"] for h in sliced.history_]
    assert trainer.run(5)["status"] == "done"  # asking for more after the end does nothing


def test_slices_bounded_by_time_give_exactly_what_fit_gives(monkeypatch):
    """With a budget smaller than any piece of work, each call does one batch or one block of the epoch's
    validation scoring, and the run ends exactly where fit ends (same weights, same history)."""
    X, y = blobs()
    validation = (np.tile(X, (4, 1)), np.tile(y, 4))
    fitted = small().fit(X, y, validation_data=validation)
    sliced = small()
    trainer = sliced.trainer(X, y, validation_data=validation)
    monkeypatch.setattr(trainer, "VALIDATION_BLOCK_MULTIPLY_ADDS", 100 * (16 * 8 + 8 * 3))
    assert trainer.validation_block == 100  # 1200 validation images: 12 blocks
    results = []
    while not results or results[-1]["status"] != "done":
        results.append(trainer.run(1000, max_seconds=1e-9))
    assert all(r["batches"] <= 1 for r in results)
    scoring = [r for r in results if r["batches"] == 0]  # the calls that only scored validation images
    assert len(scoring) == 3 * 12 and all(r["epoch_progress"] in (0.0, 1.0) for r in scoring)
    for Wf, Ws in zip(fitted.coefs_ + fitted.intercepts_, sliced.coefs_ + sliced.intercepts_):
        np.testing.assert_array_equal(Wf, Ws)
    assert [h["val_accuracy"] for h in fitted.history_] == [h["val_accuracy"] for h in sliced.history_]
    assert fitted.history_[-1]["val_accuracy"] == fitted.score(*validation)
    with pytest.raises(ValueError, match="max_seconds"):
        trainer.run(1, max_seconds=0)


def test_run_reports_what_the_page_needs():
    X, y = blobs(n=100)
    trainer = small(batch_size=10).trainer(X, y, validation_data=(X, y))
    result = trainer.run(4)
    assert result["status"] == "running" and result["batches"] == 4 and result["samples"] == 40
    assert result["epoch"] == 0 and result["epoch_progress"] == pytest.approx(0.4)
    assert result["history"] is None and result["message"] is None
    assert math.isfinite(result["loss"]) and result["samples_per_s"] > 0
    result = trainer.run(100)  # stops at the end of the epoch, not after 100 batches
    assert result["status"] == "epoch_end" and result["batches"] == 6 and result["epoch"] == 1
    entry = result["history"]
    assert set(entry) == {"epoch", "loss", "train_accuracy", "val_accuracy", "samples_per_s", "seconds",
                          "learning_rate"}
    assert entry["epoch"] == 1 and 0 <= entry["val_accuracy"] <= 1


def test_partial_fit_adds_one_epoch_and_continues_from_the_weights():
    X, y = blobs()
    model = small(epochs=1)
    model.partial_fit(X, y)
    first = model.coefs_[0].copy()
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == 2 and not np.array_equal(first, model.coefs_[0])
    assert model.loss_curve_[1] < model.loss_curve_[0]


def test_fit_starts_again_from_fresh_weights():
    X, y = blobs()
    model = small()
    model.fit(X, y)
    once = [W.copy() for W in model.coefs_]
    model.fit(X, y)
    np.testing.assert_array_equal(once[0], model.coefs_[0])
    assert len(model.history_) == 3


def test_callback_returning_false_stops_fit():
    X, y = blobs()
    seen = []
    small(epochs=5).fit(X, y, callback=lambda entry: seen.append(entry["epoch"]) or entry["epoch"] < 2)
    assert seen == [1, 2]


def test_learning_rate_change_takes_effect_at_the_next_batch():
    X, y = blobs()
    model = small(solver="sgd", schedule="constant", learning_rate=0.1)
    trainer = model.trainer(X, y)
    trainer.run(1)
    trainer.set_learning_rate(1e-12)
    before = model.coefs_[0].copy()
    trainer.run(1)
    assert np.abs(model.coefs_[0] - before).max() < 1e-9
    assert trainer.run(1)["learning_rate"] == pytest.approx(1e-12)
    with pytest.raises(ValueError, match="learning_rate"):
        trainer.set_learning_rate(0)


@pytest.mark.parametrize("rate", [0, -1e-3, float("nan"), float("inf"), 2 * params.TABLE["learning_rate"]["max"],
                                  "0.1", True])
def test_a_rate_changed_during_a_run_obeys_the_same_rule_as_one_set_before(rate):
    with pytest.raises(ValueError, match="learning_rate") as before_the_run:
        small(learning_rate=rate).fit(*blobs())
    trainer = small(learning_rate=0.01).trainer(*blobs())
    with pytest.raises(ValueError, match="learning_rate") as during_the_run:
        trainer.set_learning_rate(rate)
    assert str(during_the_run.value) == str(before_the_run.value)
    assert trainer.base_learning_rate == 0.01 and trainer.model.learning_rate == 0.01


def test_float64_on_request_and_float32_by_default():
    X, y = blobs()
    assert small().fit(X, y).coefs_[0].dtype == np.float32
    model = small(dtype="float64").fit(X, y)
    assert model.coefs_[0].dtype == np.float64 and model.predict_proba(X).dtype == np.float64


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_predict_proba_rows_sum_to_one_and_predict_is_their_argmax(loss):
    X, y = blobs()
    model = small(loss=loss).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))


def test_images_are_flattened_and_scaled_as_asked():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(40, 6, 6)).astype(np.uint8)
    y = rng.integers(0, 2, size=40)
    a = small(input_scaling="unit").fit(images, y)
    b = small().fit(images.reshape(40, 36) / 255.0, y)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-5, atol=1e-6)
    assert a.n_features_in_ == 36 and a.n_classes_ == 2


def test_any_number_of_hidden_layers():
    X, y = blobs()
    for hidden in [(), (5,), (9, 7, 5, 3)]:
        model = small(hidden_layer_sizes=hidden).fit(X, y)
        assert [W.shape for W in model.coefs_] == list(zip((16, *hidden), (*hidden, 3)))
        assert model.layer_sizes_ == [16, *hidden, 3]
    assert small().layer_sizes_ is None  # not fitted yet


# --- divergence ------------------------------------------------------------------------------------------------


def test_divergence_stops_and_keeps_the_last_finite_weights():
    X, y = blobs()
    X = X * 1e3
    model = small(solver="sgd", learning_rate=1e6, schedule="constant", activation="relu")
    trainer = model.trainer(X, y)
    result = trainer.run(1000)
    assert result["status"] == "diverged"
    assert "learning rate" in result["message"]
    assert all(np.isfinite(p).all() for p in model.coefs_ + model.intercepts_)
    assert np.isfinite(model.predict_proba(X)).all()
    assert trainer.run(1)["status"] == "diverged"  # it stays stopped


def test_fit_raises_training_diverged_with_finite_weights():
    X, y = blobs()
    model = small(solver="sgd", learning_rate=1e6, schedule="constant", activation="relu")
    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        model.fit(X * 1e3, y)
    assert isinstance(TrainingDiverged("x"), ArithmeticError)
    assert all(np.isfinite(W).all() for W in model.coefs_)


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"hidden_layer_sizes": (32, 0)}, "hidden_layer_sizes"),
        ({"activation": "softplus"}, "relu"),
        ({"loss": "hinge"}, "cross_entropy"),
        ({"solver": "lbfgs"}, "adam"),
        ({"init": "zeros"}, "glorot"),
        ({"schedule": "cyclic"}, "cosine"),
        ({"dtype": "int8"}, "float32"),
        ({"momentum": 1.0}, "momentum"),
        ({"shift": -1}, "shift"),
        ({"random_state": -3}, "random_state"),
    ],
)
def test_bad_hyper_parameters_name_themselves(kwargs, message):
    model = MLPClassifier(**kwargs)  # stored as given (scikit-learn's contract); fit checks them
    assert model.get_params()[next(iter(kwargs))] is next(iter(kwargs.values()))
    for call in (lambda: model.fit(*blobs()), lambda: model.partial_fit(*blobs()), lambda: model.trainer(*blobs())):
        with pytest.raises(ValueError, match=message):
            call()
        assert not model.__sklearn_is_fitted__()


def test_unknown_hyper_parameter_lists_the_valid_names():
    with pytest.raises(ValueError, match="valid names: hidden_layer_sizes"):
        MLPClassifier().set_params(lr=0.1)


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros((4, 3)), np.zeros(5, int), "y: expected shape"),
        (np.full((4, 3), np.nan), np.arange(4) % 2, "NaN"),
        (np.zeros((0, 3)), np.zeros(0, int), "at least one sample"),
        (np.zeros((4, 3, 2, 2)), np.zeros(4, int), "X: expected shape"),
        (np.array([["a", "b"]]), np.zeros(1, int), "numbers"),
        (np.zeros((4, 3)), np.array([0, 1, 0.5, 0]), "Unknown label type"),
        (np.zeros((4, 3)), np.array([3, 3, 3, 3]), "1 class"),
        (np.zeros((4, 3)), None, "requires y to be passed"),
        (np.zeros((4, 0)), np.zeros(4, int), "0 feature"),
        (np.zeros(4), np.zeros(4, int), "Reshape your data"),
    ],
)
def test_bad_training_data_is_refused_clearly(X, y, message):
    with pytest.raises(ValueError, match=message):
        small().fit(X, y)


def test_predicting_needs_a_fitted_model_and_the_right_width():
    with pytest.raises(ValueError, match="not fitted"):
        MLPClassifier().predict(np.zeros((1, 4)))
    X, y = blobs()
    model = small().fit(X, y)
    with pytest.raises(ValueError, match="16"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="label 7 is not one of the model's 3 classes"):
        model.partial_fit(X[:3], np.array([0, 1, 7]))


def test_set_weights_checks_shapes_and_finiteness():
    model = MLPClassifier(hidden_layer_sizes=(3,))
    good = [np.ones((4, 3)), np.ones((3, 2))], [np.zeros(3), np.zeros(2)]
    model.set_weights(*good)
    assert model.predict(np.ones((1, 4))).shape == (1,) and model.coefs_[0].dtype == np.float32
    with pytest.raises(ValueError, match="takes 5 inputs"):
        model.set_weights([np.ones((4, 3)), np.ones((5, 2))], good[1])
    with pytest.raises(ValueError, match="NaN"):
        model.set_weights([np.full((4, 3), np.nan), np.ones((3, 2))], good[1])
    with pytest.raises(ValueError, match="needs 2 of each"):
        model.set_weights(good[0][:1], good[1][:1])


# --- the parameter table, schedules, augmentation -----------------------------------------------------------


def test_params_table_round_trips_through_json_and_matches_the_constructor():
    table = json.loads(params.as_json())
    assert set(table) == set(MLPClassifier().get_params())
    assert table["activation"]["choices"] == ["relu", "sigmoid", "tanh"]
    assert table["hidden_layer_sizes"]["default"] == [32, 24]
    assert params.validate(hidden_layer_sizes=[4, 5]) == {"hidden_layer_sizes": (4, 5)}
    model = MLPClassifier(**{k: v["default"] for k, v in table.items()})
    assert params.validate(**model.get_params()) == MLPClassifier().get_params()


def test_constructor_defaults_are_the_tables():
    """MLPClassifier.__init__ spells its arguments out (for help() and editors); this ties them to params.TABLE."""
    signature = inspect.signature(MLPClassifier.__init__)
    arguments = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    assert list(arguments) == list(params.TABLE)  # same names, in the table's order
    for name, default in arguments.items():
        assert default == params.DEFAULTS[name] and type(default) is type(params.DEFAULTS[name]), name


def test_get_and_set_params():
    model = MLPClassifier(activation="tanh")
    assert model.get_params()["activation"] == "tanh"
    assert model.set_params(epochs=3) is model and model.epochs == 3
    assert "tanh" in repr(model)


def test_schedules_start_at_the_base_rate_and_decay():
    assert all(SCHEDULES[name](0.0) == 1.0 for name in SCHEDULES)
    assert SCHEDULES["constant"](0.9) == 1.0
    assert SCHEDULES["step"](0.6) == pytest.approx(0.1) and SCHEDULES["step"](0.8) == pytest.approx(0.01)
    assert SCHEDULES["cosine"](0.5) == pytest.approx(0.5) and SCHEDULES["cosine"](1.0) == pytest.approx(0.0)


def test_cosine_schedule_reaches_zero_at_the_end_of_fit():
    X, y = blobs()
    model = small(schedule="cosine").fit(X, y)
    assert model.history_[0]["learning_rate"] < model.learning_rate
    assert model.history_[-1]["learning_rate"] == pytest.approx(0.0, abs=1e-12)


def test_random_shifts_move_each_image_by_at_most_k_pixels():
    rng = np.random.default_rng(0)
    images = np.zeros((200, 10, 10), np.float32)
    images[:, 4, 5] = 1.0  # one lit pixel per image, at row 4, column 5
    out = random_shifts(images.reshape(200, 100), 2, rng).reshape(200, 10, 10)
    rows, cols = np.nonzero(out.reshape(200, 100) == 1.0)[1] // 10, np.nonzero(out.reshape(200, 100) == 1.0)[1] % 10
    assert len(rows) == 200  # nothing lost: the pixel is inside the image after any shift of <= 2
    assert set(rows - 4) == {-2, -1, 0, 1, 2} and set(cols - 5) == {-2, -1, 0, 1, 2}
    assert out.sum() == 200


def test_random_shifts_fill_with_the_background_and_refuse_non_square():
    rng = np.random.default_rng(1)
    images = np.full((50, 16), 7.0)
    out = random_shifts(images, 1, rng, background=-0.5)
    assert set(np.unique(out)) <= {7.0, -0.5} and (out == -0.5).any()
    with pytest.raises(ValueError, match="square"):
        random_shifts(np.zeros((2, 15)), 1, rng)


def test_package_exports():
    assert nn_impl.MLPClassifier is MLPClassifier and callable(nn_impl.load)
    assert issubclass(nn_impl.Trainer, object)


def test_validation_data_of_another_width_is_refused_before_any_weight_is_drawn():
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 6)), np.arange(20) % 3
    model = MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    with pytest.raises(ValueError, match="validation_data: X has 5 features, training X has 6"):
        model.fit(X, y, validation_data=(rng.random((8, 5)), np.arange(8) % 3))
    assert model.coefs_ is None  # the failed call left the model unfitted


def test_a_refused_first_partial_fit_leaves_the_model_unfitted():
    X, y = blobs()
    model = small()
    with pytest.raises(ValueError, match="NaN"):
        model.partial_fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="1 class"):
        model.partial_fit(X, np.zeros(len(X), int))
    assert not model.__sklearn_is_fitted__() and not hasattr(model, "classes_")
