"""What the model accepts as inputs and labels, and how raw inputs are scaled: written once for every caller.

:class:`nn_impl.MLPClassifier`, :class:`nn_impl.Trainer` and :func:`nn_impl.data.normalize` all go through
:func:`scale`, so a model scales its inputs the same way whether it trains, predicts or is fed by a script.
"""

import numpy as np

#: the named input scalings (``input_scaling=None`` uses the inputs as given)
SCALINGS = ("unit", "tutorial")


def check_X(X, n_features=None):
    """X as a 2-D array of shape (n_samples, n_features): :func:`as_2d` and no NaN or infinity. Raises
    ``ValueError`` (``TypeError`` for a sparse matrix or values that are not numbers)."""
    X = as_2d(X, n_features)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise ValueError("X: contains NaN or infinite values")
    return X


def as_2d(X, n_features=None):
    """X as a 2-D array of shape (n_samples, n_features), checked except for its values' finiteness (the one
    pass over every value, left to :func:`check_X` so that a caller handing X on to it pays for it once).

    Images (n_samples, height, width) are flattened; an object array of numbers becomes float64. Checks that X
    holds numbers, at least one sample and one feature, and (when ``n_features`` is given: the fitted
    model's) that many features per sample, with scikit-learn's wording where its checks look for it.
    """
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise TypeError("X: sparse matrices are not supported; pass a dense array (X.toarray())")
    X = np.asarray(X)
    if X.dtype.kind == "O":
        X = X.astype(np.float64)  # raises TypeError naming the value that is not a number
    if X.dtype.kind == "c":
        raise ValueError("X: Complex data not supported")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X: expected numbers, got an array of dtype {X.dtype}")
    if X.ndim == 3:
        X = X.reshape(len(X), -1)
    if X.ndim == 2 and X.shape[1] == 0:
        raise ValueError(f"X: 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    if X.ndim < 2:
        raise ValueError(f"X: expected a 2-D array (n_samples, n_features), got shape {X.shape}. Reshape your "
                         "data: X.reshape(-1, 1) for a single feature, X.reshape(1, -1) for a single sample.")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X: expected shape (n_samples, n_features) or (n_samples, height, width) with "
                         f"at least one sample, got {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features, but MLPClassifier is expecting {n_features} features "
                         "as input")
    return X


def check_y(y, n_samples, n_classes=None):
    """y as an intp array of shape (n_samples,) of labels 0, 1, 2, ... (below ``n_classes`` when it is given).

    Float labels are accepted when they are whole numbers. Raises ``ValueError``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(f"y: expected shape ({n_samples},) to match X, got {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or not np.isfinite(y).all() or not np.all(y == np.round(y)):
            raise ValueError(f"y: expected integer class labels, got {y.dtype} values")
    y = y.astype(np.intp)
    if len(y) and y.min() < 0:
        raise ValueError(f"y: class labels must be 0, 1, 2, ...; got {y.min()}")
    if n_classes is not None and len(y) and y.max() >= n_classes:
        raise ValueError(f"y: label {y.max()} is outside the model's {n_classes} classes")
    return y


def scale(X, scaling, dtype, out=None):
    """``X`` (any shape) scaled as ``scaling`` says, as float ``dtype``, into ``out`` (or a new array).

    ``"unit"``: x / 255, 0..255 pixels to [0, 1]; ``"tutorial"``: x / 128 - 0.5, the tutorial's;
    None: the values as given. ``X`` itself is never changed.
    """
    if scaling is not None and scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(map(repr, SCALINGS))} or None, got {scaling!r}")
    if out is None:
        out = np.empty(np.shape(X), dtype=dtype)
    if scaling == "unit":
        np.divide(X, 255.0, out=out, dtype=dtype)  # converts to the dtype first, then divides
    elif scaling == "tutorial":
        np.divide(X, 128.0, out=out, dtype=dtype)  # the tutorial's x / 128 - 0.5, same order
        out -= 0.5
    else:
        out[...] = X
    return out


def background(scaling, dtype):
    """What a blank (0) pixel becomes after :func:`scale`: the fill value for pixels shifted in (a float)."""
    return float(scale(np.zeros((1, 1)), scaling, dtype)[0, 0])
