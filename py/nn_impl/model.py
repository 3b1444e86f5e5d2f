"""``MLPClassifier``: the fast engine. Vectorised mini-batches, row-major (batch × features), float32 by default.

The network is a list of dense layers. Layer ``i`` maps activations ``A[i]`` of shape (batch, n_i) to

    Z = A[i] @ W[i] + b[i]        W[i]: (n_i, n_{i+1}),  b[i]: (n_{i+1},)
    A[i+1] = f(Z)                  f: the hidden activation, or the loss's output non-linearity at the end

This is the tutorial's layer turned on its side: the tutorial keeps one sample as a column and ``W`` as
(n_out, n_in); here a batch is a stack of rows and ``W`` is (n_in, n_out), so a whole batch goes through each
layer in one matrix product. The backward pass lives in :mod:`nn_impl.trainer`.
"""

import sys

import numpy as np

from . import params as _params
from .activations import ACTIVATIONS
from .initializers import resolve as _resolve_init
from .losses import LOSSES

# Rows per chunk when predicting: bounds the temporaries to a few MB whatever the size of X.
_PREDICT_CHUNK = 8192

# NumPy inside Pyodide is built without BLAS. There, matmul of a float32 batch by a weight matrix falls back to
# a plain loop about twice as slow as einsum's sum-of-products loop (measured in Pyodide 0.27.7 / NumPy 2.0.2:
# 64×784 @ 784×32 takes 2.4 ms with matmul, 1.05 ms with einsum); with BLAS, matmul is ten times faster still.
_NO_BLAS = sys.platform == "emscripten"


def dense(A, W, out=None):
    """A @ W for a batch A of shape (batch, n_in) and weights W of shape (n_in, n_out), into ``out``."""
    if _NO_BLAS:
        return np.einsum("ij,jk->ik", A, W, out=out)
    return np.matmul(A, W, out=out)


class MLPClassifier:
    """A multilayer perceptron classifier trained with mini-batch gradient descent.

    Every argument is a hyper-parameter from the table in :mod:`nn_impl.params` (see its help lines, or
    ``python -m nn_impl train --help``). Learned state ends with an underscore: ``coefs_`` (list of arrays
    of shape (n_in, n_out)), ``intercepts_`` (list of (n_out,)), ``n_features_in_``, ``n_classes_``,
    ``classes_``, ``loss_curve_`` (mean training loss per epoch) and ``history_`` (one dict per epoch).
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
        from .trainer import Trainer, TrainingDiverged

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
        from .trainer import Trainer, TrainingDiverged

        trainer = Trainer(self, X, y, epochs=1, schedule="constant")
        result = trainer.run(trainer.batches_per_epoch)
        if result["status"] == "diverged":
            raise TrainingDiverged(result["message"])
        return self

    def trainer(self, X, y, validation_data=None):
        """A :class:`nn_impl.Trainer` that trains this model in slices of batches (``run(n_batches)``).

        Initialises the weights first if the model is not fitted; otherwise training continues from them.
        """
        from .trainer import Trainer

        return Trainer(self, X, y, validation_data)

    # --- prediction ----------------------------------------------------------------------------------------

    def predict_proba(self, X):
        """Class probabilities of shape (n_samples, n_classes); each row sums to 1.

        X: (n_samples, n_features) or (n_samples, height, width), raw as given to ``fit``. With the "mse"
        loss the outputs are independent sigmoids, so they are divided by their sum to read as probabilities.
        """
        self._require_fitted()
        X = self._check_X(X)
        out = np.empty((len(X), self.n_classes_), dtype=self.dtype)
        for start in range(0, len(X), _PREDICT_CHUNK):
            out[start:start + _PREDICT_CHUNK] = self._forward(self._scale(X[start:start + _PREDICT_CHUNK]))
        if self.loss == "mse":
            out /= np.maximum(out.sum(axis=1, keepdims=True), np.finfo(out.dtype).tiny)
        return out

    def predict(self, X):
        """Predicted labels of shape (n_samples,), integers in ``classes_``."""
        return self.predict_proba(X).argmax(axis=1)

    def score(self, X, y):
        """Mean accuracy (float in [0, 1]) on ``X`` (n_samples, ...) against labels ``y`` (n_samples,)."""
        y = self._check_y(y, len(self._check_X(X)))
        return float(np.mean(self.predict(X) == y))

    def save(self, path):
        """Write the model to one ``.npz`` file (see :func:`nn_impl.persist.save_model`)."""
        from .persist import save_model

        return save_model(self, path)

    # --- internals shared with the trainer ------------------------------------------------------------------

    def _forward(self, A):
        """Outputs (batch, n_classes) for scaled inputs ``A`` (batch, n_features); allocates what it needs."""
        hidden, _ = ACTIVATIONS[self.activation]
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            Z = dense(A, W)
            Z += b
            A = LOSSES[self.loss].output(Z) if i == len(self.coefs_) - 1 else hidden(Z)
        return A

    def _scale(self, X, out=None):
        """``X`` scaled as ``input_scaling`` says, as the model's float dtype, into ``out`` (or a new array)."""
        if out is None:
            out = np.empty(X.shape, dtype=self.dtype)
        if self.input_scaling == "unit":
            np.divide(X, 255.0, out=out, dtype=self.dtype)  # converts to the dtype first, then divides
        elif self.input_scaling == "tutorial":
            np.divide(X, 128.0, out=out, dtype=self.dtype)  # the tutorial's x / 128 - 0.5, same order
            out -= 0.5
        else:
            out[...] = X
        return out

    def _background(self):
        """What a blank (0) pixel becomes after scaling: the fill value for shifted-in pixels."""
        return float(self._scale(np.zeros((1, 1)))[0, 0])

    def _initialize(self, n_features, n_classes):
        """Draw fresh weights for layers ``[n_features, *hidden_layer_sizes, n_classes]``.

        The same ``random_state`` always gives the same weights, and the generator it seeds then drives the
        sample order and the shifts: one seed fixes the whole run.
        """
        self._rng = np.random.default_rng(self.random_state)
        init = _resolve_init(self.init, self.activation)
        sizes = [n_features, *self.hidden_layer_sizes, n_classes]
        self.coefs_, self.intercepts_ = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            W, b = init(self._rng, n_in, n_out)
            self.coefs_.append(np.ascontiguousarray(W, dtype=self.dtype))
            self.intercepts_.append(np.ascontiguousarray(b, dtype=self.dtype))
        self._set_fitted_shapes(n_features, n_classes)
        self.loss_curve_, self.history_ = [], []

    def _set_weights(self, coefs, intercepts):
        """Install given weights (used by :func:`nn_impl.load` and by tests); validates and copies them.

        coefs: list of (n_in, n_out) arrays chaining from n_features to n_classes, one per layer;
        intercepts: list of (n_out,) arrays. Their count must be ``len(hidden_layer_sizes) + 1``.
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
        self._rng = np.random.default_rng(self.random_state)
        self._set_fitted_shapes(new_coefs[0].shape[0], new_coefs[-1].shape[1])

    def _set_fitted_shapes(self, n_features, n_classes):
        self.n_features_in_ = int(n_features)
        self.n_classes_ = int(n_classes)
        self.classes_ = np.arange(n_classes)

    def _require_fitted(self):
        if self.coefs_ is None:
            raise ValueError("this MLPClassifier is not fitted yet: call fit(X, y) or load a model first")

    def _check_X(self, X):
        """X as a 2-D array (n_samples, n_features): images are flattened; checks type, size, finiteness."""
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise ValueError(f"X: expected numbers, got an array of dtype {X.dtype}")
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X: expected shape (n_samples, n_features) or (n_samples, height, width) with "
                             f"at least one sample, got {X.shape}")
        if X.dtype.kind == "f" and not np.isfinite(X).all():
            raise ValueError("X: contains NaN or infinite values")
        n_features = getattr(self, "n_features_in_", None)
        if self.coefs_ is not None and X.shape[1] != n_features:
            raise ValueError(f"X: has {X.shape[1]} features per sample but the model was built for {n_features}")
        return X

    def _check_y(self, y, n_samples):
        """y as an intp array (n_samples,) of labels >= 0 (and < n_classes_ when the model is fitted)."""
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != n_samples:
            raise ValueError(f"y: expected shape ({n_samples},) to match X, got {y.shape}")
        if y.dtype.kind not in "iu":
            if y.dtype.kind != "f" or not np.isfinite(y).all() or not np.all(y == np.round(y)):
                raise ValueError(f"y: expected integer class labels, got {y.dtype} values")
        y = y.astype(np.intp)
        if len(y) and y.min() < 0:
            raise ValueError(f"y: class labels must be 0, 1, 2, ...; got {y.min()}")
        if self.coefs_ is not None and len(y) and y.max() >= self.n_classes_:
            raise ValueError(f"y: label {y.max()} is outside the model's {self.n_classes_} classes")
        return y
