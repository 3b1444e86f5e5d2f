"""nn_impl.checkpoint: a run saved in the middle and continued gives bit for bit the weights of the run that never
stopped, for every solver and dtype, wherever it was saved; a bad checkpoint is refused and changes nothing."""

import io

import numpy as np
import pytest

from nn_impl import MLPClassifier, checkpoint

from _support import rewritten_npz
from nn_impl.optimizers import OPTIMIZERS

N_TRAIN, N_VAL, BATCH = 300, 100, 16
BATCHES_PER_EPOCH = -(-N_TRAIN // BATCH)  # 19: the last batch is short
VALIDATION_BLOCKS = -(-N_VAL // 16)  # scored in blocks of 16 (see _one_step_at_a_time)
STEPS_PER_EPOCH = BATCHES_PER_EPOCH + VALIDATION_BLOCKS
# where the run is saved, counted in steps (a batch or a block of validation scoring)
WHERE = {
    "before the first batch": 0,
    "in the middle of an epoch": STEPS_PER_EPOCH + 5,
    "at an epoch's end": STEPS_PER_EPOCH,
    "while scoring the validation set": BATCHES_PER_EPOCH + 3,
}
# what can differ between two runs of the same maths: the wall clock
TIMES = ("seconds", "samples_per_s")


def _data(seed=7):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(N_TRAIN, 8, 8)).astype(np.uint8)
    y = rng.integers(0, 4, size=N_TRAIN)
    X_val = rng.integers(0, 256, size=(N_VAL, 8, 8)).astype(np.uint8)
    y_val = rng.integers(0, 4, size=N_VAL)
    return X, y, (X_val, y_val)


def _trainer(solver, dtype, **settings):
    X, y, val = _data()
    model = MLPClassifier(hidden_layer_sizes=(12, 6), epochs=3, batch_size=BATCH, solver=solver, dtype=dtype,
                          learning_rate=0.01, schedule="cosine", shift=1, input_scaling="unit", random_state=42,
                          **settings)
    return _one_step_at_a_time(model.trainer(X, y, val))


def _one_step_at_a_time(trainer):
    # Validation in blocks of 16 images, so that a run can be saved in the middle of scoring it.
    trainer.VALIDATION_BLOCK_MULTIPLY_ADDS = 1
    return trainer


def _step(trainer, n):
    """n steps, each one batch or one block of validation (a deadline already past ends a call after one)."""
    for _ in range(n):
        trainer.run(1, max_seconds=1e-12)


def _to_the_end(trainer):
    while trainer.run(1000)["status"] not in ("done", "diverged"):
        pass


def _saved(trainer, extra=None):
    buffer = io.BytesIO()
    checkpoint.save(trainer, buffer, extra=extra)
    return buffer.getvalue()


def _resumed(raw):
    X, y, val = _data()
    return _one_step_at_a_time(checkpoint.resume(checkpoint.read(raw), X, y, val))


def _without_times(history):
    return [{k: v for k, v in entry.items() if k not in TIMES} for entry in history]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("solver", sorted(OPTIMIZERS))
def test_a_resumed_run_ends_with_the_same_weights_bit_for_bit(solver, dtype, where):
    run = _trainer(solver, dtype)
    _step(run, 7)
    run.set_learning_rate(0.02)  # a change during the run is part of what is saved
    _step(run, WHERE[where])
    raw = _saved(run)
    _to_the_end(run)  # the run that was never interrupted

    resumed = _resumed(raw)
    assert resumed.model.learning_rate == 0.02
    _to_the_end(resumed)
    for mine, theirs in zip(resumed.model.coefs_ + resumed.model.intercepts_, run.model.coefs_ + run.model.intercepts_):
        assert mine.dtype == theirs.dtype == np.dtype(dtype)
        assert np.array_equal(mine, theirs)
    assert resumed.epoch == run.epoch == 3
    assert _without_times(resumed.model.history_) == _without_times(run.model.history_)
    assert resumed.model.loss_curve_ == run.model.loss_curve_


def test_a_run_without_shuffling_or_shifts_resumes_too():
    run = _trainer("momentum", "float32", shuffle=False)
    run.model.shift = 0
    _step(run, STEPS_PER_EPOCH + 4)
    raw = _saved(run)
    _to_the_end(run)
    resumed = _resumed(raw)
    _to_the_end(resumed)
    assert all(np.array_equal(a, b) for a, b in zip(resumed.model.coefs_, run.model.coefs_))


def test_the_resumed_model_answers_at_once_and_keeps_the_counters():
    run = _trainer("adam", "float32")
    _step(run, STEPS_PER_EPOCH + 5)
    resumed = _resumed(_saved(run))
    assert resumed.epoch == 1 and resumed.samples_seen == run.samples_seen == N_TRAIN + 5 * BATCH
    X, _, _ = _data()
    assert np.array_equal(resumed.model.predict_proba(X[:10]), run.model.predict_proba(X[:10]))
    assert len(resumed.model.history_) == 1


def test_extra_comes_back_as_it_was_given():
    run = _trainer("sgd", "float64")
    saved = checkpoint.read(_saved(run, extra={"page": {"train_samples": 300}, "note": [1, None]}))
    assert saved["extra"] == {"page": {"train_samples": 300}, "note": [1, None]}
    assert saved["params"]["hidden_layer_sizes"] == (12, 6)


def _header(raw):
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return str(npz["checkpoint"][()])


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[: len(raw) // 2], "truncated|not a readable"),
    (lambda raw: b"not a checkpoint at all", "not an .npz"),
    (lambda raw: rewritten_npz(raw, checkpoint=None), "no 'checkpoint' member"),
    (lambda raw: rewritten_npz(raw, checkpoint=np.array("{")), "not valid JSON"),
    (lambda raw: rewritten_npz(raw, params=None), "refers to an array 'params'"),
    (lambda raw: rewritten_npz(raw, checkpoint=np.array(_header(raw).replace('"format_version": 1', '"format_version": 9'))),
     "format_version 9"),
])
def test_unreadable_checkpoints_say_what_is_wrong(damage, message):
    raw = _saved(_trainer("adam", "float32"))
    with pytest.raises(ValueError, match=message):
        checkpoint.read(damage(raw))


def test_a_pickle_inside_is_never_loaded():
    raw = _saved(_trainer("adam", "float32"))
    buffer = io.BytesIO()
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays["params"] = np.array([object()], dtype=object)
    np.savez(buffer, **arrays)
    with pytest.raises(ValueError, match="pickled"):
        checkpoint.read(buffer.getvalue())


@pytest.mark.parametrize("damage, message", [
    (lambda raw: rewritten_npz(raw, params=np.zeros(5, np.float32)), "params must be a float32 array"),
    (lambda raw: rewritten_npz(raw, params=np.full(_param_count(), np.nan, np.float32)), "NaN"),
    (lambda raw: rewritten_npz(raw, order=np.zeros(N_TRAIN, np.int64)), "permutation"),
    (lambda raw: rewritten_npz(raw, **{"optimizer.M.0": np.zeros(3, np.float32)}), "optimizer state: M"),
    (lambda raw: rewritten_npz(raw, checkpoint=np.array(_header(raw).replace('"epoch": 1', '"epoch": 99'))), "epoch must"),
    (lambda raw: rewritten_npz(raw, checkpoint=np.array(_header(raw).replace('"PCG64"', '"MT19937"'))), "rng"),
])
def test_a_checkpoint_that_does_not_fit_the_run_is_refused(damage, message):
    run = _trainer("adam", "float32")
    _step(run, STEPS_PER_EPOCH + 2)
    with pytest.raises(ValueError, match=message):
        _resumed(damage(_saved(run)))


def _param_count():
    return 64 * 12 + 12 + 12 * 6 + 6 + 6 * 4 + 4


def test_other_training_data_is_refused():
    run = _trainer("adam", "float32")
    _step(run, 3)
    X, y, val = _data(seed=8)
    with pytest.raises(ValueError, match="labels_crc32|other training data"):
        checkpoint.resume(checkpoint.read(_saved(run)), X, y, val)


def test_a_refused_state_changes_nothing_in_the_trainer():
    run = _trainer("momentum", "float64")
    _step(run, 4)
    before = run.state()
    bad = dict(run.state(), epoch=-1)
    with pytest.raises(ValueError, match="epoch"):
        run.load_state(bad)
    after = run.state()
    assert np.array_equal(after["params"], before["params"]) and after["rng"] == before["rng"]
    assert np.array_equal(after["optimizer"]["velocities"][0], before["optimizer"]["velocities"][0])


def test_a_checkpoint_file_is_written_and_read_by_path(tmp_path):
    run = _trainer("nesterov", "float32")
    _step(run, 5)
    path = tmp_path / "run.ckpt.npz"
    checkpoint.save(run, path)
    X, y, val = _data()
    resumed = checkpoint.resume(checkpoint.read(path), X, y, val)
    assert resumed.samples_seen == 5 * BATCH
