"""``MLPClassifier``: the fast engine. Vectorised mini-batches, row-major (batch × features), float32 by default.

The layers and their forward pass are in :mod:`nn_impl.network`, training in :mod:`nn_impl.trainer`, the model
file in :mod:`nn_impl.persist`; this module holds the estimator that ties them together, and :func:`load`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import inputs, labels, network, persist
from . import params as _params
from .initializers import resolve as _resolve_init
from .sklearn_protocol import check_feature_names, classifier_tags, feature_names, not_fitted_error
from .trainer import Trainer, TrainingDiverged

if TYPE_CHECKING:
    import os

    from numpy.typing import ArrayLike, NDArray

# Rows per chunk when predicting: bounds the temporaries whatever the size of X (the tab's memory estimate counts it).
_PREDICT_CHUNK = _params.PREDICT_ROWS


class MLPClassifier:
    """A multilayer perceptron classifier trained with mini-batch gradient descent.

    Every argument is a hyper-parameter from the table in :mod:`nn_impl.params` (see its help lines, or
    ``python -m nn_impl train --help``); they are stored as given and checked by ``fit`` (scikit-learn's
    convention, so that ``clone``, ``GridSearchCV`` and ``set_params`` work). Learned state ends with an
    underscore: ``coefs_`` (list of arrays of shape (n_in, n_out)), ``intercepts_`` (list of (n_out,)),
    ``n_features_in_``, ``feature_names_in_`` (when fitted on a DataFrame with string column names),
    ``classes_`` (the sorted labels, any type), ``n_classes_``, ``layer_sizes_``, ``loss_curve_`` (mean
    training loss per epoch), ``history_`` (one dict per epoch) and ``rng_`` (the seeded generator that draws
    the weights, the sample order and the shifts).

    It follows scikit-learn's estimator contract without importing scikit-learn (``clone``, ``Pipeline``,
    ``GridSearchCV``, ``cross_val_score`` and ``check_estimator`` accept it). Sample weights are not
    supported: ``fit`` has no ``sample_weight`` argument, so scikit-learn's tools never pass one. There is no
    ``decision_function``: the network's outputs are probabilities already (``predict_proba``), as with
    scikit-learn's own ``MLPClassifier``.
    """

    # Learned state, set by fit, partial_fit, initialize, set_weights or load (never by __init__).
    coefs_: list[np.ndarray] | None
    intercepts_: list[np.ndarray]
    n_features_in_: int
    n_classes_: int
    classes_: np.ndarray
    feature_names_in_: np.ndarray
    loss_curve_: list[float]
    history_: list[dict[str, Any]]
    rng_: np.random.Generator

    def __init__(self, hidden_layer_sizes: int | Sequence[int] = (32, 24), activation: str = "relu",
                 loss: str = "cross_entropy", solver: str = "adam", learning_rate: float = 2e-3,
                 batch_size: int = 32, epochs: int = 10, init: str = "auto", weight_decay: float = 0.0,
                 momentum: float = 0.9, schedule: str = "cosine", shift: int = 0, input_scaling: str | None = None,
                 shuffle: bool = True, random_state: int | None = None, dtype: str = "float32") -> None:
        # Stored unchanged and checked by fit (params.validate): scikit-learn's contract for clone and set_params.
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.init = init
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.schedule = schedule
        self.shift = shift
        self.input_scaling = input_scaling
        self.shuffle = shuffle
        self.random_state = random_state
        self.dtype = dtype

    # --- hyper-parameters -------------------------------------------------------------------------------

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters as a dict (the names of :data:`nn_impl.params.TABLE`).

        ``deep`` is scikit-learn's argument for estimators that hold other estimators; this one holds none.
        """
        return {name: getattr(self, name) for name in _params.TABLE}

    def set_params(self, **params: Any) -> MLPClassifier:
        """Change hyper-parameters (stored as given, checked by the next ``fit``); returns ``self``.

        An unknown name raises ``ValueError`` at once. Weights already learned are kept; a new
        ``hidden_layer_sizes`` takes effect at the next ``fit``.
        """
        for name, value in params.items():
            if name not in _params.TABLE:
                raise ValueError(f"unknown hyper-parameter {name!r}; valid names: {', '.join(_params.TABLE)}")
            setattr(self, name, value)
        return self

    def _checked_params(self) -> dict[str, Any]:
        """The hyper-parameters validated and normalised by :func:`nn_impl.params.validate` (a new dict).

        Raises ``ValueError`` naming the first bad one; ``fit``, ``partial_fit`` and ``trainer`` call it first.
        """
        return _params.validate(**self.get_params())

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if not _same(v, _params.DEFAULTS[k])}
        return f"MLPClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # --- scikit-learn's protocol -----------------------------------------------------------------------

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's estimator tags (called by scikit-learn only; see :mod:`nn_impl.sklearn_protocol`)."""
        return classifier_tags(self)

    def __sklearn_is_fitted__(self) -> bool:
        """Whether the model has weights (scikit-learn's ``check_is_fitted`` asks this)."""
        return getattr(self, "coefs_", None) is not None

    # --- training ---------------------------------------------------------------------------------------

    def fit(self, X: ArrayLike, y: ArrayLike, validation_data: tuple[ArrayLike, ArrayLike] | None = None,
            callback: Callable[[dict[str, Any]], bool | None] | None = None) -> MLPClassifier:
        """Train from freshly initialised weights for ``epochs`` epochs; returns ``self``.

        X: (n_samples, n_features) or (n_samples, height, width), or a DataFrame; y: (n_samples,) class labels
        of any type (ints, strings, ...): ``classes_`` becomes their sorted distinct values, together with
        the validation labels'. validation_data: optional ``(X_val, y_val)`` scored after every epoch
        (``history_[i]["val_accuracy"]``). callback: optional ``callback(epoch_dict)`` called after every
        epoch; returning ``False`` stops early. Raises ``ValueError`` for a bad hyper-parameter or bad data
        (before anything changes) and :class:`nn_impl.TrainingDiverged` (after restoring the last finite
        weights) if the loss becomes NaN or infinite.
        """
        self._checked_params()
        names = feature_names(X)
        features = inputs.as_2d(X)  # the trainer checks the values (one pass over X, not two)
        targets = labels.check_targets(y, len(features))
        val = None
        if validation_data is not None:
            val_features = inputs.as_2d(validation_data[0])
            val = (val_features, labels.check_targets(validation_data[1], len(val_features)))
        classes = labels.classes_of(targets) if val is None else labels.classes_of(targets, val[1])
        codes = labels.encode(targets, classes)
        val_codes = None if val is None else (val[0], labels.encode(val[1], classes))
        self.coefs_ = None  # fit always starts again, like scikit-learn's (use partial_fit to continue)
        # Train and validation codes together reach len(classes) - 1: the trainer sizes the output layer by them.
        trainer = Trainer(self, features, codes, val_codes)
        self._set_classes(classes, names)
        while True:
            result = trainer.run(trainer.batches_per_epoch)
            if result["status"] == "diverged":
                raise TrainingDiverged(result["message"])
            if result["history"] is not None and callback is not None and callback(result["history"]) is False:
                break
            if result["status"] == "done":
                break
        return self

    def partial_fit(self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None) -> MLPClassifier:
        """One more epoch over (X, y) at the constant base ``learning_rate``; initialises if not fitted.

        classes: every label the model will ever see, as scikit-learn defines it: needed on the first call
        when ``y`` does not hold them all (if absent then, the labels in this ``y`` become the classes); on
        later calls, if given, it must equal ``classes_``. As in scikit-learn, the schedule is not applied:
        there is no "end of training" to decay towards.
        """
        self._checked_params()
        fitted = self.__sklearn_is_fitted__()
        if fitted:
            check_feature_names(self, X)
        names = feature_names(X)
        # Once fitted, the trainer checks X's values; before, they are checked here, before the weights are drawn.
        features = inputs.as_2d(X, self.n_features_in_) if fitted else inputs.check_X(X)
        targets = labels.check_targets(y, len(features))
        wanted = None if classes is None else labels.classes_of(np.asarray(classes))
        if fitted and wanted is not None and not (
                len(wanted) == len(self.classes_) and np.array_equal(wanted, self.classes_)):
            raise ValueError(f"classes={wanted.tolist()!r} is not the same as on the first call to fit or "
                             f"partial_fit, which was {np.asarray(self.classes_).tolist()!r}")
        known = self.classes_ if fitted else wanted if wanted is not None else labels.classes_of(targets)
        codes = labels.encode(targets, known)
        if not fitted:
            self.initialize(features.shape[1], len(known))
            self._set_classes(known, names)
        trainer = Trainer(self, features, codes, epochs=1, schedule="constant")
        result = trainer.run(trainer.batches_per_epoch)
        if result["status"] == "diverged":
            raise TrainingDiverged(result["message"])
        return self

    def trainer(self, X: ArrayLike, y: ArrayLike, validation_data: tuple[ArrayLike, ArrayLike] | None = None
                ) -> Trainer:
        """A :class:`nn_impl.Trainer` that trains this model in slices of batches (``run(n_batches)``).

        ``y`` and the validation labels are the integer codes 0, 1, 2, ... here, not labels of any type: this
        is the engine's interface, which the page's worker drives. Initialises the weights first if the model
        is not fitted; otherwise training continues from them.
        """
        self._checked_params()
        return Trainer(self, X, y, validation_data)

    def _set_classes(self, classes: np.ndarray, names: np.ndarray | None) -> None:
        """Record the labels behind the codes and the DataFrame's column names (once the weights exist)."""
        self.classes_ = classes
        if names is not None:
            self.feature_names_in_ = names

    # --- prediction ----------------------------------------------------------------------------------------

    def predict_proba(self, X: ArrayLike) -> NDArray[np.floating[Any]]:
        """Class probabilities of shape (n_samples, n_classes), columns in ``classes_`` order; rows sum to 1.

        X: (n_samples, n_features) or (n_samples, height, width), raw as given to ``fit``. With the "mse"
        loss the outputs are independent sigmoids, so they are divided by their sum to read as probabilities.
        """
        self._require_fitted()
        check_feature_names(self, X)
        features = inputs.check_X(X, self.n_features_in_)
        out = np.empty((len(features), self.n_classes_), dtype=self.dtype)
        for start in range(0, len(features), _PREDICT_CHUNK):
            scaled = inputs.scale(features[start:start + _PREDICT_CHUNK], self.input_scaling, self.dtype)
            out[start:start + _PREDICT_CHUNK] = network.outputs(scaled, self.coefs_, self.intercepts_,
                                                                self.activation, self.loss)
        if self.loss == "mse":
            out /= np.maximum(out.sum(axis=1, keepdims=True), np.finfo(out.dtype).tiny)
        return out

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted labels of shape (n_samples,): values of ``classes_`` (the intp codes themselves when the
        classes are 0, 1, ..., k-1)."""
        return labels.decode(self.predict_proba(X).argmax(axis=1), self.classes_)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Mean accuracy (float in [0, 1]) on ``X`` (n_samples, ...) against labels ``y`` (n_samples,)."""
        predicted = self.predict(X)
        return float(np.mean(predicted == labels.check_targets(y, len(predicted))))

    def save(self, path: str | os.PathLike[str] | Any) -> None:
        """Write the model to one ``.npz`` file (see :func:`nn_impl.persist.save_model`)."""
        return persist.save_model(self, path)

    # --- weights ---------------------------------------------------------------------------------------------

    @property
    def layer_sizes_(self) -> list[int] | None:
        """[n_features, n_hidden_1, ..., n_classes] (list of ints) once fitted, else None."""
        coefs = getattr(self, "coefs_", None)
        return None if coefs is None else network.layer_sizes(coefs)

    def initialize(self, n_features: int, n_classes: int) -> MLPClassifier:
        """Draw fresh weights for layers ``[n_features, *hidden_layer_sizes, n_classes]``; forgets the history.

        ``rng_`` becomes a generator seeded with ``random_state``: it draws the weights here, then the trainer
        draws the sample order and the shifts from it, so one seed fixes the whole run.
        """
        settings = self._checked_params()
        self.rng_ = np.random.default_rng(settings["random_state"])
        init = _resolve_init(settings["init"], settings["activation"])
        sizes = [n_features, *settings["hidden_layer_sizes"], n_classes]
        self.coefs_, self.intercepts_ = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            W, b = init(self.rng_, n_in, n_out)
            self.coefs_.append(np.ascontiguousarray(W, dtype=self.dtype))
            self.intercepts_.append(np.ascontiguousarray(b, dtype=self.dtype))
        self._set_fitted_shapes(n_features, n_classes)
        self.loss_curve_, self.history_ = [], []
        return self

    def set_weights(self, coefs: Sequence[ArrayLike], intercepts: Sequence[ArrayLike]) -> MLPClassifier:
        """Install given weights (validated and copied, as the model's dtype); returns ``self``.

        coefs: list of (n_in, n_out) arrays chaining from n_features to n_classes, one per layer;
        intercepts: list of (n_out,) arrays. Their count must be ``len(hidden_layer_sizes) + 1``.
        ``rng_`` starts again from ``random_state``, as after :meth:`initialize`.
        """
        hidden = self._checked_params()["hidden_layer_sizes"]
        coefs, intercepts = list(coefs), list(intercepts)
        expected = len(hidden) + 1
        if len(coefs) != expected or len(intercepts) != expected:
            raise ValueError(
                f"weights: {len(coefs)} weight matrices and {len(intercepts)} bias vectors given, but "
                f"hidden_layer_sizes={hidden} needs {expected} of each"
            )
        new_coefs: list[np.ndarray] = []
        new_intercepts: list[np.ndarray] = []
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            W, b = np.asarray(W), np.asarray(b)
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"weights: layer {i} has W of shape {W.shape} and b of shape {b.shape}; "
                                 "expected (n_in, n_out) and (n_out,)")
            if i > 0 and W.shape[0] != new_coefs[-1].shape[1]:
                raise ValueError(f"weights: layer {i} takes {W.shape[0]} inputs but layer {i - 1} has "
                                 f"{new_coefs[-1].shape[1]} outputs")
            if i < len(hidden) and W.shape[1] != hidden[i]:
                raise ValueError(f"weights: hidden layer {i} has {W.shape[1]} units, hidden_layer_sizes "
                                 f"says {hidden[i]}")
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
        if not hasattr(self, "history_"):
            self.loss_curve_, self.history_ = [], []
        return self

    def _set_fitted_shapes(self, n_features: int, n_classes: int) -> None:
        self.n_features_in_ = int(n_features)
        self.n_classes_ = int(n_classes)
        self.classes_ = np.arange(n_classes)  # codes are labels until fit or a model file says otherwise
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def _require_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise not_fitted_error("this MLPClassifier is not fitted yet: call fit(X, y) or load a model first")


def _same(a: Any, b: Any) -> bool:
    """Whether a parameter equals its default (for the repr); False for values that do not compare simply."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def load(source: str | os.PathLike[str] | bytes | bytearray | memoryview | Any) -> MLPClassifier:
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
    if saved["classes"] is not None:
        classes = np.array(saved["classes"])
        if not np.array_equal(np.unique(classes), classes):
            raise ValueError(f"{name}: 'classes' must be sorted, as fit leaves them")
        model.classes_ = classes
    model.history_ = saved["history"]
    model.loss_curve_ = [entry["loss"] for entry in saved["history"]]
    return model
