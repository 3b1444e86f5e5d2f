"""Session's My digits: set, written and read back, taught (with undo) and trained on (training_data)."""

import numpy as np
import pytest

from nn_impl import data, params
from nn_impl.session import Session
from nn_impl.worker_requests import handle
from test_session import FAST, dataset_bytes


def bar_digits(n, seed=7):
    """n digits of the test sessions' bar task written in another style: the bar that says the label stands
    upright, its column band saying the label (the networks trained on the lying bars have not seen it)."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 10).astype(np.uint8)
    x = rng.integers(0, 30, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        column = 2 + int(label) * 2
        x[i, 4:24, column:column + 2] = 255
    return x, y


@pytest.fixture
def trained():
    """A session whose own run is done: its model answers under the name "training"."""
    s = Session()
    s.load(dataset=memoryview(dataset_bytes()))
    s.configure(config=FAST)
    while s.train(n_batches=50)["status"] != "done":
        pass
    return s


def teach_to_the_end(session):
    while True:
        status = handle(session, "train", {"n_batches": 7})["status"]
        if status in ("done", "diverged"):
            return status


def test_my_digits_are_set_as_the_page_sends_them_and_counted(trained):
    x, y = bar_digits(23)
    # the page sends flat bytes for x and a Uint8Array (a memoryview here) for y
    counts = handle(trained, "set_my_digits", {"x": x.tobytes(), "y": memoryview(y)})["counts"]
    assert counts == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    assert np.array_equal(trained.my_digits[0], x) and np.array_equal(trained.my_digits[1], y)
    # predict's float "input" is accepted too, rounded
    trained.set_my_digits(np.minimum(x.astype(np.float32) + 0.2, 255), list(y))
    assert np.array_equal(trained.my_digits[0], x)


@pytest.mark.parametrize("x, y, message", [
    (np.zeros(100, np.uint8), [1], "x: 100 values for 1 labels"),
    (np.zeros(784, np.uint8), [10], "y: every label must be a whole number 0..9"),
    (np.full(784, 300.0), [1], "x: pixels must be numbers 0..255"),
])
def test_bad_digits_are_refused_and_the_old_ones_kept(trained, x, y, message):
    trained.set_my_digits(*bar_digits(5))
    with pytest.raises(ValueError, match=message):
        trained.set_my_digits(x, y)
    assert len(trained.my_digits[1]) == 5


def test_written_digits_read_back_the_same_here_and_with_nn_impl_data(trained, tmp_path):
    x, y = bar_digits(12)
    written = handle(trained, "write_digits", {"x": x.tobytes(), "y": memoryview(y)})
    assert written["filename"] == "my-digits.npz"
    blob = written["bytes"]["bytes"]  # transferable: an __ndarray__ marker of uint8
    back = handle(trained, "read_digits", {"data": memoryview(blob), "filename": "my-digits.npz"})
    assert back["format"] == "npz" and back["n_good"] == 12 and back["n_bad"] == 0 and back["problems"] == []
    assert back["x"]["shape"] == [12, 28, 28] and back["x"]["bytes"] == x.tobytes()
    (tmp_path / "my-digits.npz").write_bytes(blob)
    loaded = data.load_digits(tmp_path / "my-digits.npz")
    assert np.array_equal(loaded["x"], x) and np.array_equal(loaded["y"], y)


def test_teaching_improves_my_digits_and_undo_brings_back_the_model(trained):
    before_model = trained.model
    trained.set_my_digits(*bar_digits(40))
    summary = handle(trained, "teach", {"config": {"teach_batches": 60, "teach_learning_rate": 0.01}})
    # 4 digits of each label: the 4th of each is held out
    assert summary["scored_on"] == "held-out" and summary["n_held_out"] == 10 and summary["n_taught"] == 30
    assert summary["batches"] == 60 and summary["settings"]["replay_share"] == params.TEACHING_TABLE[
        "replay_share"]["default"]
    assert trained.model is before_model  # nothing changes before the first slice
    assert teach_to_the_end(trained) == "done"
    assert trained.model_name == "taught" and trained.model is not before_model
    result = handle(trained, "teaching_result")
    assert result["before"] == summary["before"]
    assert result["after"]["mine"] > result["before"]["mine"]
    undone = handle(trained, "undo_teaching")
    assert undone["model"] == "training" and trained.model is before_model
    with pytest.raises(ValueError, match="no teaching to undo"):
        trained.undo_teaching()


def test_a_new_network_ends_what_teaching_left_to_report_or_undo(trained):
    trained.set_my_digits(*bar_digits(20))
    trained.configure_teaching({"teach_batches": 3})
    teach_to_the_end(trained)
    trained.configure(FAST)
    with pytest.raises(ValueError, match="nothing was taught"):
        trained.teaching_result()
    with pytest.raises(ValueError, match="no teaching to undo"):
        trained.undo_teaching()
    assert trained.model_name == "taught"  # until the new run's first slice, the taught copy answers
    trained.train(n_batches=1)
    assert trained.model_name == "training"


def test_a_few_digits_are_scored_all_and_it_says_so(trained):
    trained.set_my_digits(*bar_digits(10))  # one of each label: none can be held out
    summary = trained.configure_teaching({"teach_batches": 5})
    assert summary["scored_on"] == "all" and summary["n_held_out"] == 0 and summary["n_taught"] == 10


@pytest.mark.parametrize("setup, config, message", [
    ("no model", {}, "nothing to teach yet"),
    ("no digits", {}, "My digits"),
    ("digits", {"replay_share": 1.5}, "replay_share: must be at most 0.95"),
    ("digits", {"teach_batches": 0}, "teach_batches: must be at least 1"),
    ("digits", {"epochs": 3}, "unknown hyper-parameter 'epochs'"),
])
def test_teaching_is_refused_with_a_reason_and_nothing_changes(trained, setup, config, message):
    if setup == "no model":
        trained.model = None
    if setup == "digits":
        trained.set_my_digits(*bar_digits(10))
    model = trained.model
    with pytest.raises(ValueError, match=message):
        trained.configure_teaching(config)
    assert trained.model is model and trained.model_name == "training"
    with pytest.raises(ValueError, match="nothing was taught"):
        trained.teaching_result()


def test_training_data_adds_my_digits_or_trains_on_them_alone(trained):
    x, y = bar_digits(50)
    with pytest.raises(ValueError, match="training_data: My digits are empty"):
        trained.configure({**FAST, "training_data": "mnist+mine"})
    trained.set_my_digits(x, y)
    assert trained.configure({**FAST, "training_data": "mnist+mine"})["n_train"] == FAST["train_samples"] + 50
    mine = trained.configure({**FAST, "training_data": "mine"})
    assert mine["n_train"] == 50 and mine["training_data"] == "mine"
    assert trained.configure(FAST)["training_data"] == "mnist"


def test_training_on_my_digits_alone_needs_enough_of_every_label(trained):
    x, y = bar_digits(50)
    keep = ~((y == 3) & (np.arange(50) >= 10))  # one 3 only
    trained.set_my_digits(x[keep], y[keep])
    expected = f"at least {params.MIN_DIGITS_PER_LABEL} of every digit 0-9; there are 1 of 3"
    with pytest.raises(ValueError, match=expected):
        trained.configure({**FAST, "training_data": "mine"})
    assert trained.check_settings({"training_data": "mine"})["problems"]["training_data"].endswith("1 of 3")
    assert trained.check_settings({"training_data": "mnist+mine", "replay_share": 0.2}) == {"problems": {}}


def test_the_parameter_table_exports_the_new_settings():
    import json

    table = json.loads(params.as_json(n_train=100))
    assert table["training_data"]["choices"] == ["mnist", "mnist+mine", "mine"]
    assert table["training_data"]["default"] == "mnist" and table["training_data"]["page_only"]
    for name in params.TEACHING_TABLE:
        assert table[name]["page_only"] and table[name]["default"] is not None
