"""``Trainer``: mini-batch training in slices, so that a caller (the browser's worker, ``fit``) keeps control.

One batch of B samples goes through the network as a matrix of B rows. For the last layer the loss gives
dL/dZ directly (see :mod:`nn_impl.losses`); then, layer by layer from the output back to the input:

    dW[i] = A[i].T @ dZ[i]            (n_i, n_{i+1}): the tutorial's dW = dL/dy · xᵀ, summed over the batch
    db[i] = dZ[i].sum(axis=0)         (n_{i+1},)
    dA[i] = dZ[i] @ W[i].T            (B, n_i): the tutorial's grad_out, computed with W *before* the update
    dZ[i-1] = dA[i] * f'(Z[i-1])      the hidden activation's derivative, written from its output A[i]

All gradients are computed before any weight changes, exactly as the tutorial's backward pass reads ``W``
before updating it. Buffers for the activations and gradients are allocated once per Trainer and reused
for every batch; the products (:func:`nn_impl.matmul.product`) write into them without temporaries.
"""

import math
import time
import zlib
from typing import Any

import numpy as np

from . import inputs, matmul, network, params
from .activations import ACTIVATIONS
from .augment import random_shifts
from .layer_stats import measure as measure_layers, norms
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES


#: the entries of :meth:`Trainer.state`
STATE_KEYS = ("params", "last_finite", "optimizer", "rng", "order", "epoch", "batch_in_epoch", "epochs", "schedule",
              "base_learning_rate", "epoch_loss", "epoch_correct", "epoch_seconds", "validation", "diverged",
              "history", "n_samples", "labels_crc32")


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite; the model holds the last weights that gave a finite loss."""


class Trainer:
    """Trains ``model`` on (X, y) batch by batch; ``run(n)`` does the next n batches and reports.

    X: (n_samples, n_features) or (n_samples, height, width); y: (n_samples,) integer labels.
    validation_data: optional (X_val, y_val), scored at the end of every epoch.
    epochs / schedule: override the model's (``partial_fit`` uses 1 epoch at a constant rate).
    """

    def __init__(self, model: Any, X: Any, y: Any, validation_data: tuple[Any, Any] | None = None,
                 epochs: int | None = None, schedule: str | None = None) -> None:
        fitted = getattr(model, "coefs_", None) is not None  # an unfitted model has no coefs_ at all
        # once fitted, the inputs must have the model's features and the labels fit its classes
        n_features, n_classes = (model.n_features_in_, model.n_classes_) if fitted else (None, None)
        X = inputs.check_X(X, n_features)
        val = None
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val = inputs.check_X(X_val, n_features)
            val = (X_val, inputs.check_y(y_val, len(X_val), n_classes))
        y = inputs.check_y(y, len(X), n_classes)
        if not fitted:
            # checked before the weights are drawn, so that a bad call leaves the model as it was
            if val is not None and X_val.shape[1] != X.shape[1]:
                raise ValueError(f"validation_data: X has {X_val.shape[1]} features, training X has {X.shape[1]}")
            n_classes = max(2, int(y.max()) + 1, int(val[1].max()) + 1 if val is not None else 0)
            model.initialize(X.shape[1], n_classes)
        self.model = model
        self._y = y
        self._val = val
        # Pixels given as uint8 stay uint8 and are scaled batch by batch (the same inputs.scale as predicting):
        # a quarter of the memory, which matters in a browser tab, and a quarter of the bytes each batch
        # gathers. Anything else is scaled once, up front.
        self._raw_pixels = X.dtype == np.uint8 and model.input_scaling is not None
        self._X = X if self._raw_pixels else inputs.scale(X, model.input_scaling, model.dtype)
        self._background = inputs.background(model.input_scaling, model.dtype)  # the value shifted-in pixels take
        self.epochs = model.epochs if epochs is None else int(epochs)
        self.schedule = model.schedule if schedule is None else schedule  # its name, kept in a checkpoint
        self._schedule = SCHEDULES[self.schedule]
        self.base_learning_rate = model.learning_rate
        self._rng = model.rng_  # seeded when the weights were drawn or set: it goes on to the order and shifts

        self.n_samples = len(self._X)
        self.batch_size = min(model.batch_size, self.n_samples)
        self.batches_per_epoch = math.ceil(self.n_samples / self.batch_size)
        self._total_batches = self.epochs * self.batches_per_epoch

        # All weights and biases live in ONE flat array, and model.coefs_ / intercepts_ become views into it;
        # the gradients likewise. The optimiser then updates everything with a dozen NumPy calls per batch
        # instead of a dozen per array (it was a third of the training time), and the divergence backup is
        # one copy. The views are ordinary arrays of the documented shapes for everyone else.
        self._flat_params, views = _flat_views(model.coefs_ + model.intercepts_, model.dtype)
        n_layers = len(model.coefs_)
        model.coefs_, model.intercepts_ = views[:n_layers], views[n_layers:]
        self._flat_grads, self._grads = _flat_views(views, model.dtype, copy=False)
        self._last_finite = self._flat_params.copy()
        # the weights before the latest step (the coefs come first in the flat array): layer statistics read them
        self._coefs_before = _flat_views_of(self._last_finite, model.coefs_)
        self._optimizer = OPTIMIZERS[model.solver]([self._flat_params], momentum=model.momentum)

        sizes = network.layer_sizes(model.coefs_)
        B, dtype = self.batch_size, model.dtype
        self._batch_X = np.empty((B, sizes[0]), dtype=dtype)
        self._batch_pixels = np.empty((B, sizes[0]), dtype=np.uint8) if self._raw_pixels else None
        self._A = [np.empty((B, n), dtype=dtype) for n in sizes[1:]]  # activations of layers 1..L
        self._dA = [np.empty((B, n), dtype=dtype) for n in sizes[1:-1]]  # gradients w.r.t. hidden activations

        self.epoch = 0  # completed epochs
        self._batch_in_epoch = 0
        self._order: np.ndarray | None = None
        self._epoch_loss = self._epoch_correct = self._epoch_seconds = 0.0
        self._validation: dict[str, Any] | None = None  # {"scored", "correct", "proba"} while scored in blocks
        #: The class probabilities (n_val, n_classes) the validation set got at the end of the latest epoch (the
        #: weights do not change while it is scored), or None before the first epoch ends or without validation
        #: data. The page's inspection after an epoch reuses them instead of scoring the test set again.
        self.validation_proba: np.ndarray | None = None
        self._diverged: str | None = None
        self._layer_stats = None  # the statistics of the last batch measured (layer_stats.measure)

    @property
    def learning_rate(self):
        """The rate the next batch uses: the base rate times the schedule's factor at this point of the fit."""
        done = self.epoch * self.batches_per_epoch + self._batch_in_epoch
        return self.base_learning_rate * self._schedule(done / self._total_batches)

    @property
    def samples_seen(self) -> int:
        """Training samples gone through the network since the run began (every epoch counted)."""
        in_epoch = min(self._batch_in_epoch * self.batch_size, self.n_samples)
        return self.epoch * self.n_samples + in_epoch

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the base learning rate; takes effect at the next batch (the schedule still applies).

        Validated by :func:`nn_impl.params.validate`, the same rule as a rate given before the run.
        """
        lr = params.validate(learning_rate=learning_rate)["learning_rate"]
        self.base_learning_rate = lr
        self.model.learning_rate = lr

    def run(self, n_batches: int, max_seconds: float | None = None,
            layer_stats: bool = False) -> dict[str, Any]:
        """Train for up to ``n_batches`` batches, stopping early at the end of an epoch.

        ``max_seconds``: also stop once this much time has passed, after at least one batch or one block of the
        epoch's validation scoring (how the page bounds its slices by time, so that a drawing waits for at most
        one short slice). Scoring the validation set at the end of an epoch goes in blocks of
        :attr:`validation_block` images, so a time-bounded call may return in the middle of it (status
        "running", ``epoch_progress`` 1.0); the weights do not change until it is complete.

        Returns a dict: ``status`` ("running", "epoch_end", "done" or "diverged"), ``loss`` (mean training
        loss over these batches), ``batches``, ``samples``, ``epoch`` (completed epochs),
        ``epoch_progress`` (fraction of the current epoch done), ``samples_per_s``, ``seconds``,
        ``learning_rate``, ``message`` (why it diverged, else None), ``history`` (the epoch's dict when an
        epoch ended in this call, else None), ``layer_stats`` (with ``layer_stats=True``: the per-layer
        statistics of :func:`nn_impl.layer_stats.measure` on this call's last batch; else None).
        """
        n_batches = int(n_batches)
        if n_batches < 1:
            raise ValueError(f"n_batches: must be at least 1, got {n_batches}")
        if max_seconds is not None and not float(max_seconds) > 0:
            raise ValueError(f"max_seconds: must be positive, got {max_seconds}")
        started = time.perf_counter()
        deadline = None if max_seconds is None else started + float(max_seconds)
        loss_sum, samples, batches, history, status = 0.0, 0, 0, None, "running"
        self._layer_stats = None
        if self._diverged is not None:
            status = "diverged"
        elif self.epoch >= self.epochs:
            status = "done"
        batch_seconds = 0.0
        while status == "running" and (batches < n_batches or self._validation is not None):
            if self._validation is not None:
                history = self._score_validation_block()
                if history is not None:
                    status = "done" if self.epoch >= self.epochs else "epoch_end"
            else:
                if self._batch_in_epoch == 0:
                    self._start_epoch()
                batch_started = time.perf_counter()
                # The statistics are those of the slice's last batch; a batch or two measured per slice cost next
                # to nothing, even at batch size 1. Under a deadline the last batch is foreseen from the previous
                # batch's time, and the first batch is measured too, so a slice never ends without numbers.
                last = (batches == n_batches - 1 or self._batch_in_epoch == self.batches_per_epoch - 1
                        or (deadline is not None and batch_started + batch_seconds >= deadline))
                first_under_deadline = deadline is not None and batches == 0
                batch_loss, n = self._train_batch(measure=layer_stats and (last or first_under_deadline))
                batch_seconds = time.perf_counter() - batch_started
                self._epoch_seconds += batch_seconds
                if batch_loss is None:
                    status = "diverged"
                    break
                loss_sum += batch_loss * n
                samples += n
                batches += 1
                if self._batch_in_epoch == self.batches_per_epoch and not self._end_epoch_batches():
                    status = "diverged"
            if deadline is not None and time.perf_counter() >= deadline:
                break
        seconds = time.perf_counter() - started
        return {
            "status": status,
            "loss": loss_sum / samples if samples else None,
            "batches": batches,
            "samples": samples,
            "epoch": self.epoch,
            "epoch_progress": self._batch_in_epoch / self.batches_per_epoch,
            "samples_per_s": samples / seconds if seconds > 0 else 0.0,
            "seconds": seconds,
            "learning_rate": self.learning_rate,
            "message": self._diverged,
            "history": history,
            "layer_stats": self._layer_stats if layer_stats else None,
        }

    # --- the whole state, out and back in (nn_impl.checkpoint writes it to a file) ---------------------------

    def state(self) -> dict[str, Any]:
        """Everything the rest of the run depends on, copied: a trainer of the same model settings and data
        given it by :meth:`load_state` goes on bit for bit as this one would.

        Arrays: ``params`` and ``last_finite`` (n_params,), every weight and bias in one flat array, layer by layer
        (coefs first), now and at the last finite step; ``order`` (n_samples,) the epoch's sample order (None
        before the first epoch or without shuffling); the optimiser's arrays under ``optimizer``. Plain values:
        ``rng`` (the bit generator's state: names and ints), the epoch counters, the base learning rate (a
        change during the run included), the schedule's name, the epoch's running loss, hits and seconds, the
        validation scoring in progress, why it diverged, the ``history`` so far, and ``n_samples`` and
        ``labels_crc32`` (which data it trains on). Layer statistics are measured afresh in every ``run`` call
        and buffers are overwritten by every batch: neither carries anything to the next call.
        """
        return {
            "params": self._flat_params.copy(),
            "last_finite": self._last_finite.copy(),
            "optimizer": self._optimizer.state(),
            "rng": self._rng.bit_generator.state,
            "order": None if self._order is None else self._order.copy(),
            "epoch": self.epoch,
            "batch_in_epoch": self._batch_in_epoch,
            "epochs": self.epochs,
            "schedule": self.schedule,
            "base_learning_rate": self.base_learning_rate,
            "epoch_loss": self._epoch_loss,
            "epoch_correct": self._epoch_correct,
            "epoch_seconds": self._epoch_seconds,
            "validation": None if self._validation is None else _copied(self._validation),
            "diverged": self._diverged,
            "history": [dict(entry) for entry in self.model.history_],
            "n_samples": self.n_samples,
            "labels_crc32": self._labels_crc32(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue from ``state`` (what :meth:`state` returned, perhaps read back from a file).

        Everything is checked first against this trainer (its settings, network and data); anything that does not
        fit raises ``ValueError`` saying what, and then nothing has changed.
        """
        if not isinstance(state, dict):
            raise ValueError(f"trainer state: expected a dict, got {type(state).__name__}")
        missing = sorted(set(STATE_KEYS) - set(state))
        if missing:
            raise ValueError(f"trainer state: missing {', '.join(missing)}")
        for name, wanted in (("epochs", self.epochs), ("schedule", self.schedule), ("n_samples", self.n_samples),
                             ("labels_crc32", self._labels_crc32())):
            if state[name] != wanted:
                raise ValueError(f"trainer state: {name} is {state[name]!r} but this run has {wanted!r} "
                                 "(other settings or other training data)")
        for name in ("params", "last_finite"):
            _check_array(name, state[name], self._flat_params)
        epoch = _check_int("epoch", state["epoch"], 0, self.epochs)
        batch = _check_int("batch_in_epoch", state["batch_in_epoch"], 0, self.batches_per_epoch)
        order = state["order"]
        if order is not None:
            _check_order(order, self.n_samples)
        elif batch > 0 and self.model.shuffle:
            raise ValueError("trainer state: order is missing in the middle of a shuffled epoch")
        validation = state["validation"]
        if validation is not None:
            n_val = len(self._val[1]) if self._val is not None else 0
            if not isinstance(validation, dict) or set(validation) != {"scored", "correct", "proba"}:
                raise ValueError("trainer state: validation must be {'scored': int, 'correct': int, 'proba': "
                                 "array (n_val, n_classes) or None} or None")
            scored = _check_int("validation scored", validation["scored"], 0, n_val)
            _check_int("validation correct", validation["correct"], 0, scored)
            proba, shape = validation["proba"], None if self._val is None else (n_val, self.model.n_classes_)
            if (proba is None) != (shape is None) or (
                    proba is not None and (not isinstance(proba, np.ndarray) or proba.shape != shape)):
                raise ValueError(f"trainer state: validation proba must be an array of shape {shape}")
        for name in ("epoch_loss", "epoch_correct", "epoch_seconds"):
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"trainer state: {name} must be a non-negative number, got {value!r}")
        if state["diverged"] is not None and not isinstance(state["diverged"], str):
            raise ValueError("trainer state: diverged must be a message or None")
        history = state["history"]
        if not isinstance(history, list) or not all(isinstance(h, dict) and "loss" in h for h in history):
            raise ValueError("trainer state: history must be a list of per-epoch dicts, each with a 'loss'")
        base_rate = params.validate(learning_rate=state["base_learning_rate"])["learning_rate"]
        generator = type(self._rng.bit_generator)()
        try:
            generator.state = state["rng"]  # checked on a generator of our own: ours changes only below
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"trainer state: rng is not a {type(generator).__name__} state ({exc})") from None
        self._optimizer.load_state(state["optimizer"])  # checks before it changes anything
        # all checked: take it
        np.copyto(self._flat_params, state["params"])
        np.copyto(self._last_finite, state["last_finite"])
        self._rng.bit_generator.state = generator.state
        self._order = None if order is None else np.array(order)
        self.epoch, self._batch_in_epoch = epoch, batch
        self.base_learning_rate = self.model.learning_rate = base_rate
        self._epoch_loss, self._epoch_correct, self._epoch_seconds = (
            state["epoch_loss"], state["epoch_correct"], state["epoch_seconds"])
        self._validation = None if validation is None else {
            **validation, "proba": None if validation["proba"] is None else validation["proba"].astype(self.model.dtype)}
        self._diverged = state["diverged"]
        self.model.history_ = [dict(entry) for entry in history]
        self.model.loss_curve_ = [entry["loss"] for entry in history]

    def _labels_crc32(self):
        return zlib.crc32(np.ascontiguousarray(self._y).tobytes())

    # --- one epoch ------------------------------------------------------------------------------------------

    def _start_epoch(self):
        model = self.model
        self._order = self._rng.permutation(self.n_samples) if model.shuffle else None
        self._epoch_loss = self._epoch_correct = self._epoch_seconds = 0.0

    #: The work of one block of validation scoring: 16 M multiply-adds, ~5 ms in the page with OpenBLAS.
    VALIDATION_BLOCK_MULTIPLY_ADDS = 2**24

    @property
    def validation_block(self):
        """How many validation images one block scores (at least 16)."""
        per_image = sum(W.size for W in self.model.coefs_)
        return max(16, self.VALIDATION_BLOCK_MULTIPLY_ADDS // per_image)

    def _end_epoch_batches(self):
        """The epoch's last batch is done: check the weights and start scoring the validation set.
        Returns False (and the trainer has diverged) when the weights are not finite."""
        if not np.isfinite(self._flat_params).all():
            self._diverge("the weights became NaN or infinite after the last update")
            return False
        proba = None if self._val is None else np.empty((len(self._val[1]), self.model.n_classes_), self.model.dtype)
        self._validation = {"scored": 0, "correct": 0, "proba": proba}
        return True

    def _score_validation_block(self):
        """Score the next block of the validation set; when all is scored, close the epoch.

        Returns the epoch's history dict once the epoch is closed, else None."""
        progress = self._validation
        if self._val is not None:
            X_val, y_val = self._val
            start = progress["scored"]
            stop = min(start + self.validation_block, len(y_val))
            block = progress["proba"][start:stop]
            block[...] = self.model.predict_proba(X_val[start:stop])
            # labels are the engine's integer codes here, as are the columns' indices
            progress["correct"] += int(np.count_nonzero(block.argmax(axis=1) == y_val[start:stop]))
            progress["scored"] = stop
            if stop < len(y_val):
                return None
            self.validation_proba = progress["proba"]
        self._validation = None
        model = self.model
        self.epoch += 1
        self._batch_in_epoch = 0
        entry = {
            "epoch": len(model.history_) + 1,
            "loss": self._epoch_loss / self.n_samples,
            "train_accuracy": self._epoch_correct / self.n_samples,
            "val_accuracy": progress["correct"] / len(self._val[1]) if self._val is not None else None,
            "samples_per_s": self.n_samples / self._epoch_seconds if self._epoch_seconds > 0 else 0.0,
            "seconds": self._epoch_seconds,
            "learning_rate": self.learning_rate,
        }
        model.history_.append(entry)
        model.loss_curve_.append(entry["loss"])
        return entry

    # --- one batch ------------------------------------------------------------------------------------------

    def _next_batch(self):
        """(X_batch (b, n_features), y_batch (b,)) for the next batch of the epoch, in the reused buffer."""
        start = self._batch_in_epoch * self.batch_size
        stop = min(start + self.batch_size, self.n_samples)
        b = stop - start
        if self._order is None:
            X_batch, y_batch = self._X[start:stop], self._y[start:stop]
        else:
            rows = self._order[start:stop]
            gather_into = self._batch_pixels[:b] if self._raw_pixels else self._batch_X[:b]
            X_batch = np.take(self._X, rows, axis=0, out=gather_into)
            y_batch = self._y[rows]
        if self._raw_pixels:
            X_batch = inputs.scale(X_batch, self.model.input_scaling, self.model.dtype, out=self._batch_X[:b])
        if self.model.shift:
            X_batch = random_shifts(X_batch, self.model.shift, self._rng, self._background, out=self._batch_X[:b])
        return X_batch, y_batch

    def _train_batch(self, measure=False):
        """Forward, loss, backward and one optimiser step. Returns (loss, batch size), or (None, 0) if the
        loss is not finite (the weights are then restored to the last finite ones). ``measure``: also keep the
        layers' statistics of this step in ``self._layer_stats``."""
        X_batch, y_batch = self._next_batch()
        lr = self.learning_rate
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below, not warned about
            A, Y_hat = self._forward(X_batch)
            batch_loss = LOSSES[self.model.loss].value(Y_hat, y_batch)
            if not math.isfinite(batch_loss):
                self._diverge(f"the training loss became {batch_loss}")
                return None, 0
            np.copyto(self._last_finite, self._flat_params)  # they gave a finite loss: the state to fall back on
            self._epoch_loss += batch_loss * len(y_batch)
            self._epoch_correct += int(np.count_nonzero(Y_hat.argmax(axis=1) == y_batch))
            self._backward(A, Y_hat, y_batch)
            n_layers = len(self.model.coefs_)
            # taken before the step: the optimiser uses the gradients as scratch space
            gradient_norms = norms(self._grads[:n_layers]) if measure else None
            self._optimizer.step([self._flat_params], [self._flat_grads], lr)
            if measure:  # the hidden activations and the weights before the step are still at hand
                self._layer_stats = measure_layers(
                    A[1:n_layers], self.model.activation, gradient_norms, self._coefs_before, self.model.coefs_)
        self._batch_in_epoch += 1
        return batch_loss, len(y_batch)

    def _forward(self, X_batch):
        """Activations [A0 = X_batch, A1, ..., A_L = Y_hat] (views of the reused buffers) and Y_hat."""
        model = self.model
        A, self._active_inputs = network.forward(
            X_batch, model.coefs_, model.intercepts_, model.activation, model.loss, buffers=self._A,
            skip_zero_inputs=matmul.SKIP_ZERO_INPUTS,
        )
        return A, A[-1]

    def _backward(self, A, Y_hat, y_batch):
        """Fill ``self._grads`` ([dW_0..dW_{L-1}, db_0..db_{L-1}]) from the forward pass's activations.

        Overwrites ``Y_hat`` (it becomes dL/dZ of the output layer) and the hidden-gradient buffers.
        """
        model = self.model
        _, hidden_backward = ACTIVATIONS[model.activation]
        coefs, n_layers = model.coefs_, len(model.coefs_)
        dW, db = self._grads[:n_layers], self._grads[n_layers:]
        dZ = LOSSES[model.loss].delta(Y_hat, y_batch)  # (b, n_classes), already averaged over the batch
        for i in range(n_layers - 1, -1, -1):
            if i == 0 and self._active_inputs is not None:
                # Rows of dW_0 for inputs that are 0 in every sample of the batch are exactly 0.
                active, X_active = self._active_inputs
                dW[0].fill(0.0)
                dW[0][active] = matmul.product(X_active.T, dZ)
            else:
                matmul.product(A[i].T, dZ, out=dW[i])
            np.add.reduce(dZ, axis=0, out=db[i])
            if model.weight_decay:
                dW[i] += model.weight_decay * coefs[i]  # gradient of (λ/2)·‖W‖²; biases are not decayed
            if i > 0:  # the input layer needs no gradient for its inputs
                dA = self._dA[i - 1][: len(y_batch)]
                matmul.product(dZ, coefs[i].T, out=dA)  # W before the update, as in the tutorial
                dZ = hidden_backward(A[i], dA)

    def loss_and_gradients(self, X, y):
        """The objective and its gradients at the current weights, without changing them.

        X: (b, n_features) raw inputs (scaled here as in training), b <= batch_size; y: (b,) labels.
        Returns ``(objective, coef_grads, intercept_grads)``: the mean loss plus (λ/2)·Σ‖W‖² when
        ``weight_decay`` λ > 0, and lists of copies shaped like ``coefs_`` and ``intercepts_``.
        This is what the finite-difference tests check the backward pass against.
        """
        model = self.model
        X = inputs.scale(inputs.check_X(X, model.n_features_in_), model.input_scaling, model.dtype)
        y = inputs.check_y(y, len(X), model.n_classes_)
        if len(X) > self.batch_size:
            raise ValueError(f"X: at most batch_size={self.batch_size} samples at once, got {len(X)}")
        A, Y_hat = self._forward(X)
        objective = LOSSES[model.loss].value(Y_hat, y)
        if model.weight_decay:
            objective += 0.5 * model.weight_decay * sum(float(np.sum(W.astype(np.float64) ** 2)) for W in model.coefs_)
        self._backward(A, Y_hat, y)
        n_layers = len(model.coefs_)
        return objective, [g.copy() for g in self._grads[:n_layers]], [g.copy() for g in self._grads[n_layers:]]

    def _diverge(self, reason):
        np.copyto(self._flat_params, self._last_finite)
        done = self.epoch * self.batches_per_epoch + self._batch_in_epoch
        self._diverged = (
            f"Training diverged at epoch {self.epoch + 1}, batch {self._batch_in_epoch + 1}: {reason}. "
            f"The weights from the last finite step are kept. Try a smaller learning rate "
            f"(this step used {self.base_learning_rate * self._schedule(done / self._total_batches):g})."
        )


def _flat_views_of(flat, arrays):
    """Views of the start of ``flat`` shaped like ``arrays``, one after the other (the layout of :func:`_flat_views`)."""
    views, offset = [], 0
    for a in arrays:
        views.append(flat[offset:offset + a.size].reshape(a.shape))
        offset += a.size
    return views


def _flat_views(arrays, dtype, copy=True):
    """(flat, views): one contiguous 1-D array and views of it shaped like ``arrays`` (values copied in
    when ``copy``)."""
    flat = np.empty(sum(a.size for a in arrays), dtype=dtype)
    views = _flat_views_of(flat, arrays)
    if copy:
        for view, a in zip(views, arrays):
            view[...] = a
    return flat, views


def _check_array(name, given, like):
    if not isinstance(given, np.ndarray) or given.shape != like.shape or given.dtype != like.dtype:
        raise ValueError(f"trainer state: {name} must be a {like.dtype} array of shape {like.shape} "
                         "(the network and dtype of this run)")
    if not np.isfinite(given).all():
        raise ValueError(f"trainer state: {name} holds NaN or infinite values")


def _copied(progress):
    """A copy of the validation scoring in progress ({"scored", "correct", "proba"}), its array copied too."""
    return {**progress, "proba": None if progress["proba"] is None else progress["proba"].copy()}


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"trainer state: {name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _check_order(order, n_samples):
    """An epoch's order must be a permutation of the samples (a bad one would index out of range or repeat)."""
    if (not isinstance(order, np.ndarray) or order.dtype.kind not in "iu" or order.shape != (n_samples,)
            or not np.array_equal(np.sort(order), np.arange(n_samples))):
        raise ValueError(f"trainer state: order must be a permutation of the {n_samples} training samples")
