"""nn_impl.session.Session: load the data, configure and train in slices, change the learning rate, stop."""

import io

import numpy as np
import pytest

from nn_impl import data, digit_sets, persist
from nn_impl.session import Session


def dataset_bytes(n_train=240, n_test=80, seed=0):
    """A small learnable dataset: the label is the row band (of ten) in which a bright bar is drawn."""
    rng = np.random.default_rng(seed)

    def make(n):
        y = rng.integers(0, 10, n).astype(np.uint8)
        x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(y):
            row = 2 + int(label) * 2 + int(rng.integers(0, 2))
            x[i, row, 4:24] = 255
        return x, y

    x_train, y_train = make(n_train)
    x_test, y_test = make(n_test)
    buffer = io.BytesIO()
    data.save_npz_dataset(dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test), buffer)
    return buffer.getvalue()


FAST = dict(
    hidden_layer_sizes=[16], activation="relu", loss="cross_entropy", solver="adam", learning_rate=0.01,
    batch_size=16, epochs=3, input_scaling="unit", random_state=3, train_samples=160,
)


@pytest.fixture
def session():
    s = Session()
    # The worker hands bytes over as a memoryview of the transferred buffer.
    info = s.load(dataset=memoryview(dataset_bytes()))
    assert info["n_train"] == 240 and info["n_test"] == 80
    return s


def test_load_reports_versions_and_the_parameter_table(session):
    info = Session().load(dataset=dataset_bytes())
    assert info["versions"]["numpy"] == np.__version__
    assert info["versions"]["python"].count(".") == 2
    assert info["params"]  # nn_impl.params.as_json(): the page builds its menus from it
    assert info["model"] is None  # no pre-trained model given


def test_load_reports_the_file_caps_the_page_refuses_larger_files_by(monkeypatch):
    info = Session().load(dataset=dataset_bytes())
    assert info["limits"] == {"digit_file_bytes": digit_sets.MAX_FILE_BYTES, "model_file_bytes": persist.MAX_FILE_BYTES}
    # read from the constants when the reply is made, not copied: the page's caps follow Python's
    monkeypatch.setattr(digit_sets, "MAX_FILE_BYTES", 3 * 2**20)
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", 5 * 2**20)
    info = Session().load(dataset=dataset_bytes())
    assert info["limits"] == {"digit_file_bytes": 3 * 2**20, "model_file_bytes": 5 * 2**20}


def test_load_rejects_what_is_not_a_dataset():
    with pytest.raises(ValueError, match="npz"):
        Session().load(dataset=b"not a zip file")
    with pytest.raises(ValueError, match="dataset"):
        Session().load(dataset=None)


def test_train_before_configure_says_what_to_do(session):
    with pytest.raises(ValueError, match="configure"):
        session.train(n_batches=5)
    with pytest.raises(ValueError, match="configure"):
        session.set_learning_rate(learning_rate=0.1)


def test_configure_then_train_in_slices_until_done(session):
    configured = session.configure(config=FAST)
    assert configured["layer_sizes"] == [784, 16, 10]
    assert configured["n_train"] == 160
    statuses, epochs_seen = [], []
    for _ in range(100):
        r = session.train(n_batches=4)
        statuses.append(r["status"])
        assert r["batches"] >= 1 and r["samples"] >= 1
        assert np.isfinite(r["loss"])
        if r["history"] is not None:
            epochs_seen.append(r["history"]["epoch"])
            assert r["test_accuracy"] == r["history"]["val_accuracy"]
        if r["status"] == "done":
            break
    assert statuses[-1] == "done"
    assert epochs_seen == [1, 2, 3]
    assert r["test_accuracy"] > 0.5  # the bar task is easy; chance is 0.1
    assert session.model_name == "training" and session.model is not None


def test_a_bad_configuration_names_the_setting_and_keeps_the_run(session):
    session.configure(config=FAST)
    first = session.train(n_batches=2)
    with pytest.raises(ValueError, match="train_samples"):
        session.configure(config={**FAST, "train_samples": 10_000})
    with pytest.raises(ValueError, match="learning_rate"):
        session.configure(config={**FAST, "learning_rate": -1.0})
    with pytest.raises(ValueError, match="stop_accuracy"):
        session.configure(config={**FAST, "stop_accuracy": 1.5})
    # the earlier run is intact and carries on from where it was
    second = session.train(n_batches=2)
    assert second["epoch"] + second["epoch_progress"] > first["epoch"] + first["epoch_progress"]


def test_configuring_again_with_the_same_seed_gives_the_same_start(session):
    # the page's Reset sends configure again; its Step sends train with n_batches=1
    session.configure(config=FAST)
    first = session.train(n_batches=1)["loss"]
    session.train(n_batches=5)
    session.configure(config=FAST)
    assert session.train(n_batches=1)["loss"] == first
    session.configure(config={**FAST, "random_state": 4})
    assert session.train(n_batches=1)["loss"] != first


def test_stop_condition_ends_the_run_early(session):
    session.configure(config={**FAST, "epochs": 50, "stop_accuracy": 0.05})
    for _ in range(100):
        r = session.train(n_batches=50)
        if r["status"] != "running":
            break
    assert r["status"] == "done" and r["stopped_early"]
    assert r["epoch"] == 1 and "test accuracy" in r["message"]


def test_learning_rate_changes_during_a_run(session):
    session.configure(config=dict(FAST, schedule="constant"))  # a decaying schedule would scale the reported rate
    session.train(n_batches=2)
    assert session.set_learning_rate(learning_rate=0.001) == {"learning_rate": 0.001}
    assert session.train(n_batches=1)["learning_rate"] == pytest.approx(0.001)


@pytest.mark.parametrize("bad", [0.0, -1.0, 2e7, float("nan")])
def test_a_learning_rate_changed_during_a_run_is_checked_like_one_set_before(session, bad):
    session.configure(config=FAST)
    with pytest.raises(ValueError, match="learning_rate"):
        session.configure(config={**FAST, "learning_rate": bad})
    with pytest.raises(ValueError, match="learning_rate"):
        session.set_learning_rate(learning_rate=bad)
    assert session.train(n_batches=1)["learning_rate"] > 0  # the run goes on at its rate


def test_page_settings_are_checked_by_the_parameter_table(session):
    for bad in (0, 241, 2.5):
        with pytest.raises(ValueError, match="train_samples"):
            session.configure(config={**FAST, "train_samples": bad})
    for bad in (0.0, 1.01):
        with pytest.raises(ValueError, match="stop_accuracy"):
            session.configure(config={**FAST, "stop_accuracy": bad})
    assert session.configure(config={**FAST, "train_samples": 240, "stop_accuracy": 1.0})["n_train"] == 240
    assert session.configure(config={**FAST, "train_samples": None})["n_train"] == 240  # None: all of them


def test_a_network_without_hidden_layers_trains(session):
    assert session.configure(config={**FAST, "hidden_layer_sizes": []})["layer_sizes"] == [784, 10]
    assert np.isfinite(session.train(n_batches=2)["loss"])


def test_stop_keeps_the_trained_model(session):
    session.configure(config=FAST)
    session.train(n_batches=20)
    model = session.model
    result = session.stop()
    assert result["status"] == "stopped"
    assert session.model is model
    with pytest.raises(ValueError, match="configure"):
        session.train(n_batches=1)


def test_layer_statistics_come_with_a_slice_only_when_asked(session):
    session.configure(config=FAST)
    assert session.train(n_batches=2)["layer_stats"] is None
    stats = session.train(n_batches=2, layer_stats=True)["layer_stats"]
    assert [s["layer"] for s in stats] == [1, 2] and [s["units"] for s in stats] == [16, 10]
    assert stats[0]["inactive_kind"] == "dead" and stats[1]["inactive_share"] is None
    assert all(s["gradient_norm"] > 0 and s["update_ratio"] > 0 for s in stats)


def test_a_network_past_the_tab_memory_is_refused_before_it_is_built(session):
    session.configure({"hidden_layer_sizes": [8], "random_state": 0})
    kept = session._training_model
    # every layer within the table's range, but together far beyond what the tab holds
    with pytest.raises(ValueError, match=r"^hidden_layer_sizes: a 784-4096-4096-4096-4096-10 network "
                                         r"\(float32, batch 32\) needs about \d+ MB, more than the \d+ MB"):
        session.configure({"hidden_layer_sizes": [4096] * 4})
    assert session._training_model is kept


def test_check_settings_names_each_problem_and_builds_nothing(session):
    assert session.check_settings({"hidden_layer_sizes": [32, 24], "batch_size": 64}) == {"problems": {}}
    problems = session.check_settings({
        "hidden_layer_sizes": [4096] * 4, "learning_rate": "abc", "train_samples": 10**9, "epochs": 3,
    })["problems"]
    assert sorted(problems) == ["hidden_layer_sizes", "learning_rate", "train_samples"]
    assert "needs about" in problems["hidden_layer_sizes"] and "MB" in problems["hidden_layer_sizes"]
    assert problems["learning_rate"].startswith("learning_rate: must be a number")
    # a large batch counts too, with the network it trains
    big_batch = session.check_settings({"hidden_layer_sizes": [4096], "batch_size": 65536})["problems"]
    assert "batch 65536" in big_batch["hidden_layer_sizes"]
    assert session._trainer is None
