"""Looking inside a trained model: the confusion matrix, first-layer weights as images, per-image predictions.

These feed the page's inspection panel (and are handy in a notebook). They only read the model.
"""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts of (true class, predicted class): int64 of shape (n_classes, n_classes), rows are the true class.

    ``y_true``, ``y_pred``: integer labels of shape (n,) in ``0 .. n_classes-1``. The diagonal holds the correct
    predictions; ``matrix[3, 5]`` is how many 3s were taken for 5s.
    """
    if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    y_true = _labels(y_true, "y_true", n_classes)
    y_pred = _labels(y_pred, "y_pred", n_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    # one bincount over the flattened (true, pred) pairs instead of a Python loop over samples
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)  # int64 everywhere, also on 32-bit wasm


def _labels(y, name, n_classes):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got {y.shape}")
    if y.size and y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or not np.all(y == np.rint(y)):
            raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    # intp: bincount indexes with the platform's pointer-sized int (int32 in Pyodide's wasm32, int64 here)
    y = y.astype(np.intp)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{name} holds labels outside 0..{n_classes - 1} (min {y.min()}, max {y.max()})")
    return y


def first_layer_images(model, side=28):
    """The first layer's incoming weights as images: float32 of shape (n_units, side, side) in [-1, 1].

    Unit j's image is column j of ``coefs_[0]`` (shape (side*side, n_units)) reshaped to side × side, which
    shows the pattern of input pixels that excites it. Each image is scaled **on its own and symmetrically**:
    divided by its largest absolute weight, so 0 stays 0 (a diverging colour map shows sign), +1 or -1 is that
    unit's strongest weight, and images are not comparable in absolute size with one another.
    """
    coefs = getattr(model, "coefs_", None)
    if not coefs:
        raise ValueError("model is not fitted yet: there are no weights to show")
    weights = np.asarray(coefs[0], dtype=np.float64)  # (n_in, n_units)
    if weights.shape[0] != side * side:
        raise ValueError(
            f"the first layer has {weights.shape[0]} inputs, not side*side = {side * side}; pass the right side"
        )
    images = weights.T.reshape(-1, side, side)
    largest = np.abs(images).max(axis=(1, 2), keepdims=True)
    largest[largest == 0] = 1  # an all-zero unit stays all zero rather than dividing by zero
    return (images / largest).astype(np.float32)


def predictions(model, X):
    """What ``model`` says about each image in ``X`` (shape (n, n_features) or (n, 28, 28), as the model takes).

    Returns dict(pred: int64 (n,) the predicted class, confidence: float (n,) its probability,
    proba: float (n, n_classes) every class's probability).
    """
    proba = np.asarray(model.predict_proba(X))
    return predictions_from_proba(proba, getattr(model, "classes_", None))


def predictions_from_proba(proba, classes=None):
    """:func:`predictions`' dict from class probabilities ``proba`` (n, n_classes) already computed (e.g. by the
    trainer's scoring at the end of an epoch); ``classes``: the label of each column (default 0, 1, ...)."""
    if proba.ndim != 2:
        raise ValueError(f"predict_proba returned shape {proba.shape}; expected (n, n_classes)")
    best = np.argmax(proba, axis=1)
    classes = np.asarray(np.arange(proba.shape[1]) if classes is None else classes)
    return {
        "pred": classes[best].astype(np.int64),
        "confidence": proba[np.arange(len(proba)), best],
        "proba": proba,
    }
