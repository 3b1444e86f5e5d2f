"""nn_impl.session.Session: "checkpoint" keeps the run in progress as bytes, "resume" continues it in a fresh worker.

Called as the worker calls them, through worker_requests.handle (bytes travel as memoryviews and come back as
``__ndarray__`` markers), on the session tests' small learnable dataset.
"""

import numpy as np
import pytest

from nn_impl.session import Session
from nn_impl.worker_requests import handle
from test_session import FAST, dataset_bytes  # the same dataset and settings as the session tests


def _loaded():
    session = Session()
    session.load(dataset=memoryview(dataset_bytes()))
    return session


def _bytes_of(marker):
    return memoryview(marker["bytes"])  # what the page hands back: the typed array's buffer


def _to_the_end(session):
    while True:
        reply = session.train(n_batches=7)
        if reply["status"] in ("done", "diverged"):
            return reply


@pytest.mark.parametrize("solver", ["sgd", "momentum", "adam"])
def test_a_run_kept_and_resumed_in_a_fresh_session_ends_as_the_uninterrupted_one(solver):
    session = _loaded()
    handle(session, "configure", {"config": {**FAST, "solver": solver, "shift": 1, "stop_accuracy": None}})
    handle(session, "train", {"n_batches": 13})  # the first epoch (10 batches): a slice ends at an epoch's end
    handle(session, "train", {"n_batches": 3})
    handle(session, "set_learning_rate", {"learning_rate": 0.02})
    handle(session, "train", {"n_batches": 2})
    kept = handle(session, "checkpoint")
    summary = kept["summary"]
    assert summary["epoch"] == 1 and summary["epochs"] == 3
    assert summary["samples_seen"] == 15 * 16
    assert summary["config"]["learning_rate"] == 0.02 and summary["config"]["train_samples"] == 160
    assert summary["config"]["stop_accuracy"] is None
    assert 0 <= summary["test_accuracy"] <= 1
    uninterrupted = _to_the_end(session)

    fresh = _loaded()  # a reloaded page: a new worker, the same bundled data
    reply = handle(fresh, "resume", {"data": _bytes_of(kept["bytes"])})
    assert reply["model"] == "training" and reply["n_train"] == 160 and reply["epoch"] == 1
    assert reply["config"]["hidden_layer_sizes"] == [16]
    assert handle(fresh, "predict", {"image": bytes(28 * 28 * 4), "shape": [28, 28, 4]})["model"] == "training"
    resumed = _to_the_end(fresh)
    assert resumed["epoch"] == uninterrupted["epoch"] == 3
    assert resumed["test_accuracy"] == uninterrupted["test_accuracy"]
    for mine, theirs in zip(fresh.model.coefs_, session.model.coefs_):
        assert np.array_equal(mine, theirs)


def test_the_stop_accuracy_goes_on_with_the_run():
    session = _loaded()
    session.configure({**FAST, "stop_accuracy": 0.2})
    session.train(n_batches=3)
    fresh = _loaded()
    fresh.resume(session.checkpoint()["bytes"].tobytes())
    assert fresh.train(n_batches=50)["stopped_early"]  # the first epoch's accuracy passes 20 %


def test_checkpoint_without_a_run_says_what_to_do():
    with pytest.raises(ValueError, match="configure"):
        _loaded().checkpoint()


@pytest.mark.parametrize("bad", [b"", b"garbage", None])
def test_bad_bytes_are_refused_and_the_current_run_stays(bad):
    session = _loaded()
    session.configure(FAST)
    session.train(n_batches=2)
    weights = [w.copy() for w in session.model.coefs_]
    with pytest.raises(ValueError, match="checkpoint|npz"):
        session.resume(bad)
    assert session.model_name == "training"
    reply = session.train(n_batches=1)  # the same run goes on
    assert reply["status"] == "running" and reply["epoch_progress"] == pytest.approx(0.3)
    assert not np.array_equal(session.model.coefs_[0], weights[0])


def test_a_checkpoint_of_other_data_is_refused():
    session = _loaded()
    session.configure(FAST)
    session.train(n_batches=2)
    kept = session.checkpoint()["bytes"].tobytes()
    other = Session()
    other.load(dataset=dataset_bytes(seed=5))
    with pytest.raises(ValueError, match="other training data"):
        other.resume(kept)
    assert other.model is None
