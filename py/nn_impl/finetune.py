"""Teaching a trained network someone's own digits: fine-tuning with replay.

A few dozen digits in one person's style are a tiny, skewed training set. Trained on them alone, a network
learns them and forgets MNIST ("catastrophic forgetting": its weights move wherever these few examples pull
them, and nothing pulls back). Replay is the classic remedy: every batch mixes the learner's digits with MNIST
training images, a ``replay_share`` of it, so the gradient keeps MNIST's answers while it learns the new style.

The model is never changed in place: a copy is taught (Adam at a small rate, batches of :data:`BATCH_SIZE`,
one pass over a mixed set of ``batches * BATCH_SIZE`` images, with the learner's digits repeated as often as
needed), so the caller keeps the original for undo. When there are enough digits, a part of them is kept aside
(:func:`split_held_out`) and the accuracy on the learner's digits is measured on that part only: accuracy on
the very digits taught says little, since a network can learn 20 images by heart.

    teaching = Teaching(model, x_mine, y_mine, mnist["x_train"], mnist["y_train"], mnist["x_test"], mnist["y_test"])
    teaching.run()                    # or teaching.trainer.run(n) slice by slice, as the page does
    teaching.result()                 # {"before": {"mine", "mnist"}, "after": {...}, "scored_on", ...}
"""

import copy

import numpy as np

from . import params
from .trainer import Trainer, TrainingDiverged

#: images per teaching batch (the table's ``teach_batches`` counts these)
BATCH_SIZE = 32
#: of each label's digits, every HELD_OUT_EVERY-th is kept aside for scoring (one in four), when there are
#: that many; the rest are taught
HELD_OUT_EVERY = 4
#: batches per Trainer.run call in :meth:`Teaching.run`
_SLICE_BATCHES = 50


def split_held_out(y, every=HELD_OUT_EVERY):
    """(taught, held_out): index arrays into ``y`` (n,) labels. Deterministic: of each label's digits, in the
    order given, the every-th, 2·every-th, ... are held out, so a label needs ``every`` digits to have one
    held out, and each label keeps most of its digits to be taught."""
    y = np.asarray(y)
    held = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        of_label = np.flatnonzero(y == label)
        held[of_label[every - 1::every]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def replay_mix(x_mine, y_mine, x_pool, y_pool, replay_share, n_samples, rng):
    """(x (n_samples, ...), y (n_samples,)): ``replay_share`` of ``n_samples`` drawn from the MNIST pool
    ``x_pool``/``y_pool`` (without repeats while the pool lasts), the rest the learner's digits, each repeated
    as evenly as possible (whole shuffled passes over them). The trainer shuffles the mix."""
    n_replay = int(round(replay_share * n_samples))
    n_own = n_samples - n_replay
    if n_own and not len(y_mine):
        raise ValueError("no digits of your own to teach: add some to My digits first")
    passes = -(-n_own // max(len(y_mine), 1))
    own = np.concatenate([rng.permutation(len(y_mine)) for _ in range(passes)] or [np.zeros(0, int)])[:n_own]
    replay = rng.choice(len(y_pool), n_replay, replace=n_replay > len(y_pool))
    x = np.concatenate([np.asarray(x_mine)[own], np.asarray(x_pool)[replay]])
    y = np.concatenate([np.asarray(y_mine)[own], np.asarray(y_pool)[replay]])
    return x, y


def accuracies(model, x_mine, y_mine, x_test, y_test):
    """``{"mine": float | None, "mnist": float}``: the share of the learner's digits and of the MNIST test
    images that ``model`` reads right (``mine`` is None when there are none)."""
    return {
        "mine": float(model.score(x_mine, y_mine)) if len(y_mine) else None,
        "mnist": float(model.score(x_test, y_test)),
    }


def teaching_copy(model, learning_rate, random_state=0):
    """A copy of the fitted ``model`` set up to be taught: Adam at ``learning_rate`` with fresh moments,
    batches of :data:`BATCH_SIZE`, a constant rate, no shifts, its generator seeded with ``random_state``.

    Adam whatever the model was trained with: its step is scaled per weight, so one small rate suits every
    network the page can hold (plain SGD's right rate depends on the loss and the batch size).
    """
    if getattr(model, "coefs_", None) is None:
        raise ValueError("nothing to teach: the model is not trained yet")
    if model.n_classes_ != params.PAGE_CLASSES or not np.array_equal(model.classes_, np.arange(params.PAGE_CLASSES)):
        raise ValueError(f"the model answers the classes {list(np.asarray(model.classes_))}, not the digits 0-9")
    taught = copy.deepcopy(model)
    taught.set_params(solver="adam", learning_rate=learning_rate, batch_size=BATCH_SIZE, epochs=1,
                      schedule="constant", shift=0, random_state=random_state)
    taught.rng_ = np.random.default_rng(random_state)
    return taught


class Teaching:
    """One teaching run: ``model`` is left as it is; ``self.model`` is the copy being taught by ``self.trainer``.

    x_mine (n, 28, 28) uint8 / y_mine (n,): the learner's digits; x_pool / y_pool: MNIST training images to
    replay; x_test / y_test: the MNIST test images, scored before and after (and by the trainer at the end of
    its one epoch, for a live view). Settings: those of :data:`nn_impl.params.TEACHING_TABLE` (defaults from it).
    """

    def __init__(self, model, x_mine, y_mine, x_pool, y_pool, x_test, y_test, replay_share=None,
                 teach_batches=None, teach_learning_rate=None, random_state=0):
        given = {"replay_share": replay_share, "teach_batches": teach_batches,
                 "teach_learning_rate": teach_learning_rate}
        self.settings = {name: params.TEACHING_TABLE[name]["default"] if value is None else value
                         for name, value in given.items()}
        self.settings = params.validate_teaching(**self.settings)
        x_mine, y_mine = np.asarray(x_mine), np.asarray(y_mine)
        if not len(y_mine):
            raise ValueError("no digits of your own to teach: add some to My digits first")
        taught, held = split_held_out(y_mine)
        self.scored_on = "held-out" if len(held) else "all"
        if not len(held):
            taught = held = np.arange(len(y_mine))
        self._mine = (x_mine[held], y_mine[held])
        self._test = (x_test, y_test)
        self.n_taught, self.n_held_out = len(taught), len(held) if self.scored_on == "held-out" else 0
        self.before = accuracies(model, *self._mine, *self._test)
        self.model = teaching_copy(model, self.settings["teach_learning_rate"], random_state)
        n_samples = self.settings["teach_batches"] * BATCH_SIZE
        x, y = replay_mix(x_mine[taught], y_mine[taught], x_pool, y_pool, self.settings["replay_share"], n_samples,
                          self.model.rng_)
        self.trainer = Trainer(self.model, x, y, validation_data=(x_test, y_test), epochs=1, schedule="constant")

    def summary(self):
        """What is about to happen: ``{"before": {"mine", "mnist"}, "scored_on": "held-out" | "all",
        "n_held_out": int, "n_taught": int, "batches": int, "settings": {name: value}}``."""
        return {"before": self.before, "scored_on": self.scored_on, "n_held_out": self.n_held_out,
                "n_taught": self.n_taught, "batches": self.trainer.batches_per_epoch, "settings": self.settings}

    def run(self):
        """Teach to the end; returns :meth:`result`. Raises ``TrainingDiverged`` (the copy keeps its last finite
        weights) when the loss becomes NaN or infinite, as a learning rate far too large makes it."""
        while True:
            report = self.trainer.run(_SLICE_BATCHES)
            if report["status"] == "diverged":
                raise TrainingDiverged(report["message"])
            if report["status"] == "done":
                return self.result()

    def result(self):
        """:meth:`summary` plus ``"after"``: the same two accuracies for the taught copy as it is now."""
        x_mine, y_mine = self._mine
        after = {"mine": float(self.model.score(x_mine, y_mine))}
        if self.trainer.epoch >= 1:  # the trainer scored the test images at the end of its epoch: the same number
            after["mnist"] = float(self.model.history_[-1]["val_accuracy"])
        else:
            after["mnist"] = float(self.model.score(*self._test))
        return {**self.summary(), "after": after}


def fine_tune(model, x_mine, y_mine, x_pool, y_pool, x_test, y_test, **settings):
    """(taught copy, :meth:`Teaching.result`): ``model`` taught ``x_mine``/``y_mine`` with replay from
    ``x_pool``/``y_pool``, scored before and after on the learner's digits and on ``x_test``/``y_test``.
    ``settings``: ``replay_share``, ``teach_batches``, ``teach_learning_rate``, ``random_state``."""
    teaching = Teaching(model, x_mine, y_mine, x_pool, y_pool, x_test, y_test, **settings)
    return teaching.model, teaching.run()
