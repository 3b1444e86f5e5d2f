"""``MLPClassifier``: the fast engine. Vectorised mini-batches, row-major (batch × features), float32 by default.

The layers and their forward pass are in :mod:`nn_impl.network`, training in :mod:`nn_impl.trainer`, the model
file in :mod:`nn_impl.persist`; this module holds the estimator that ties them together, and :func:`load`.
"""

import numpy as np

from . import inputs, network, persist
from . import params as _params
from .initializers import resolve as _resolve_init
from .trainer import Trainer, TrainingDiverged

# Rows per chunk when predicting: bounds the temporaries whatever the size of X (the tab's memory estimate counts it).
_PREDICT_CHUNK = _params.PREDICT_ROWS


class MLPClassifier:
    """A multilayer perceptron classifier trained with mini-batch gradient descent.

    Every argument is a hyper-parameter from the table in :mod:`nn_impl.params` (see its help lines, or
    ``python -m nn_impl train --help``). Learned state ends with an underscore: ``coefs_`` (list of arrays
    of shape (n_in, n_out)), ``intercepts_`` (list of (n_out,)), ``n_features_in_``, ``n_classes_``,
    ``classes_``, ``layer_sizes_``, ``loss_curve_`` (mean training loss per epoch), ``history_`` (one dict per
    epoch) and ``rng_`` (the seeded generator that draws the weights, the sample order and the shifts).
    """

    def __init__(self, hidden_layer_sizes=(32, 24), activation="relu", loss="cross_entropy", solver="adam",
                 learning_rate=2e-3, batch_size=32, epochs=10, init="auto", weight_decay=0.0, momentum=0.9,
                 schedule="cosine", shift=0, input_scaling=None, shuffle=True, random_state=None,
                 dtype="float32"):
        self.set_params(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, loss=loss, solver=solver,
            learning_rate=learning_rate, batch_size=batch_size, epochs=epochs, init=init,
            weight_decay=weight_decay, momentum=momentum, schedule=schedule, shift=shift,
            input_scaling=input_scaling, shuffle=shuffle, random_state=random_state, dtype=dtype,
        )
        self.coefs_ = None
        self.intercepts_ = None
        self.loss_curve_ = []
        self.history_ = []

    # --- hyper-parameters -------------------------------------------------------------------------------

    def get_params(self):
        """The hyper-parameters as a dict (the names of :data:`nn_impl.params.TABLE`)."""
        return {name: getattr(self, name) for name in _params.TABLE}

    def set_params(self, **kwargs):
        """Change hyper-parameters (validated against :mod:`nn_impl.params`); returns ``self``.

        Weights already learned are kept; a new ``hidden_layer_sizes`` takes effect at the next ``fit``.
        """
        for name, value in _params.validate(**kwargs).items():
            setattr(self, name, value)
        return self

    def __repr__(self):
        changed = {k: v for k, v in self.get_params().items() if v != _params.DEFAULTS[k]}
        return f"MLPClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # --- training ---------------------------------------------------------------------------------------

    def fit(self, X, y, validation_data=None, callback=None):
        """Train from freshly initialised weights for ``epochs`` epochs; returns ``self``.

        X: (n_samples, n_features) or (n_samples, height, width); y: (n_samples,) integer labels from 0.
        validation_data: optional ``(X_val, y_val)`` scored after every epoch (``history_[i]["val_accuracy"]``).
        callback: optional ``callback(epoch_dict)`` called after every epoch; returning ``False`` stops early.
        Raises :class:`nn_impl.TrainingDiverged` (after restoring the last finite weights) if the loss
        becomes NaN or infinite.
        """
        self.coefs_ = None  # fit always starts again, like scikit-learn's (use partial_fit to continue)
        trainer = Trainer(self, X, y, validation_data)
        while True:
            result = trainer.run(trainer.batches_per_epoch)
            if result["status"] == "diverged":
                raise TrainingDiverged(result["message"])
            if result["history"] is not None and callback is not None and callback(result["history"]) is False:
                break
            if result["status"] == "done":
                break
        return self

    def partial_fit(self, X, y):
        """One more epoch over (X, y) at the constant base ``learning_rate``; initialises if not fitted.

        As in scikit-learn, the schedule is not applied: there is no "end of training" to decay towards.
        """
        trainer = Trainer(self, X, y, epochs=1, schedule="constant")
        result = trainer.run(trainer.batches_per_epoch)
        if result["status"] == "diverged":
            raise TrainingDiverged(result["message"])
        return self

    def trainer(self, X, y, validation_data=None):
        """A :class:`nn_impl.Trainer` that trains this model in slices of batches (``run(n_batches)``).

        Initialises the weights first if the model is not fitted; otherwise training continues from them.
        """
        return Trainer(self, X, y, validation_data)

    # --- prediction ----------------------------------------------------------------------------------------

    def predict_proba(self, X):
        """Class probabilities of shape (n_samples, n_classes); each row sums to 1.

        X: (n_samples, n_features) or (n_samples, height, width), raw as given to ``fit``. With the "mse"
        loss the outputs are independent sigmoids, so they are divided by their sum to read as probabilities.
        """
        self._require_fitted()
        X = inputs.check_X(X, self.n_features_in_)
        out = np.empty((len(X), self.n_classes_), dtype=self.dtype)
        for start in range(0, len(X), _PREDICT_CHUNK):
            scaled = inputs.scale(X[start:start + _PREDICT_CHUNK], self.input_scaling, self.dtype)
            out[start:start + _PREDICT_CHUNK] = network.outputs(scaled, self.coefs_, self.intercepts_,
                                                                self.activation, self.loss)
        if self.loss == "mse":
            out /= np.maximum(out.sum(axis=1, keepdims=True), np.finfo(out.dtype).tiny)
        return out

    def predict(self, X):
        """Predicted labels of shape (n_samples,), integers in ``classes_``."""
        return self.predict_proba(X).argmax(axis=1)

    def score(self, X, y):
        """Mean accuracy (float in [0, 1]) on ``X`` (n_samples, ...) against labels ``y`` (n_samples,)."""
        self._require_fitted()
        y = inputs.check_y(y, len(inputs.check_X(X, self.n_features_in_)), self.n_classes_)
        return float(np.mean(self.predict(X) == y))

    def save(self, path):
        """Write the model to one ``.npz`` file (see :func:`nn_impl.persist.save_model`)."""
        return persist.save_model(self, path)

    # --- weights ---------------------------------------------------------------------------------------------

    @property
    def layer_sizes_(self):
        """[n_features, n_hidden_1, ..., n_classes] (list of ints) once fitted, else None."""
        return None if self.coefs_ is None else network.layer_sizes(self.coefs_)

    def initialize(self, n_features, n_classes):
        """Draw fresh weights for layers ``[n_features, *hidden_layer_sizes, n_classes]``; forgets the history.

        ``rng_`` becomes a generator seeded with ``random_state``: it draws the weights here, then the trainer
        draws the sample order and the shifts from it, so one seed fixes the whole run.
        """
        self.rng_ = np.random.default_rng(self.random_state)
        init = _resolve_init(self.init, self.activation)
        sizes = [n_features, *self.hidden_layer_sizes, n_classes]
        self.coefs_, self.intercepts_ = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            W, b = init(self.rng_, n_in, n_out)
            self.coefs_.append(np.ascontiguousarray(W, dtype=self.dtype))
            self.intercepts_.append(np.ascontiguousarray(b, dtype=self.dtype))
        self._set_fitted_shapes(n_features, n_classes)
        self.loss_curve_, self.history_ = [], []
        return self

    def set_weights(self, coefs, intercepts):
        """Install given weights (validated and copied, as the model's dtype); returns ``self``.

        coefs: list of (n_in, n_out) arrays chaining from n_features to n_classes, one per layer;
        intercepts: list of (n_out,) arrays. Their count must be ``len(hidden_layer_sizes) + 1``.
        ``rng_`` starts again from ``random_state``, as after :meth:`initialize`.
        """
        coefs, intercepts = list(coefs), list(intercepts)
        expected = len(self.hidden_layer_sizes) + 1
        if len(coefs) != expected or len(intercepts) != expected:
            raise ValueError(
                f"weights: {len(coefs)} weight matrices and {len(intercepts)} bias vectors given, but "
                f"hidden_layer_sizes={self.hidden_layer_sizes} needs {expected} of each"
            )
        new_coefs, new_intercepts = [], []
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            W, b = np.asarray(W), np.asarray(b)
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"weights: layer {i} has W of shape {W.shape} and b of shape {b.shape}; "
                                 "expected (n_in, n_out) and (n_out,)")
            if i > 0 and W.shape[0] != new_coefs[-1].shape[1]:
                raise ValueError(f"weights: layer {i} takes {W.shape[0]} inputs but layer {i - 1} has "
                                 f"{new_coefs[-1].shape[1]} outputs")
            if i < len(self.hidden_layer_sizes) and W.shape[1] != self.hidden_layer_sizes[i]:
                raise ValueError(f"weights: hidden layer {i} has {W.shape[1]} units, hidden_layer_sizes "
                                 f"says {self.hidden_layer_sizes[i]}")
            if not (W.dtype.kind in "fiu" and b.dtype.kind in "fiu"):
                raise ValueError(f"weights: layer {i} is not numeric ({W.dtype}, {b.dtype})")
            W, b = np.array(W, dtype=self.dtype), np.array(b, dtype=self.dtype)
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ValueError(f"weights: layer {i} holds NaN or infinite values")
            new_coefs.append(W)
            new_intercepts.append(b)
        if new_coefs[-1].shape[1] < 2:
            raise ValueError("weights: the output layer needs at least 2 classes")
        self.coefs_, self.intercepts_ = new_coefs, new_intercepts
        self.rng_ = np.random.default_rng(self.random_state)
        self._set_fitted_shapes(new_coefs[0].shape[0], new_coefs[-1].shape[1])
        return self

    def _set_fitted_shapes(self, n_features, n_classes):
        self.n_features_in_ = int(n_features)
        self.n_classes_ = int(n_classes)
        self.classes_ = np.arange(n_classes)

    def _require_fitted(self):
        if self.coefs_ is None:
            raise ValueError("this MLPClassifier is not fitted yet: call fit(X, y) or load a model first")


def load(source):
    """Read a model file written by :func:`nn_impl.save_model` and return a fitted ``MLPClassifier``.

    ``source``: a path (str or PathLike), the file's bytes (bytes, bytearray, memoryview: what the browser hands
    over), or a binary file object. Raises ``ValueError`` for anything that is not a valid, safe model file.
    """
    saved = persist.read_model(source)
    name = saved["name"]
    try:
        model = MLPClassifier(**saved["params"])
        model.set_weights(saved["coefs"], saved["intercepts"])
    except TypeError as exc:  # an unknown parameter name: a file from another version, or edited by hand
        raise ValueError(f"{name}: its params do not fit this version of nn_impl ({exc})") from exc
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    model.history_ = saved["history"]
    model.loss_curve_ = [entry["loss"] for entry in saved["history"]]
    return model
