"""Class labels of any type (ints, strings, ...) <-> the integer codes 0, 1, 2, ... the network is trained on.

The classifier encodes at its boundary (``fit``, ``partial_fit``, ``score``) and decodes in ``predict``; the
trainer, the losses and the page's worker only ever see codes. ``classes_`` is the sorted array of distinct
labels, and code ``k`` stands for ``classes_[k]``, so ``predict_proba``'s columns follow ``classes_``' order.
For the common case -- labels that already are 0, 1, ..., k-1 -- encoding hands the labels through unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .sklearn_protocol import data_conversion_warning


def check_targets(y: Any, n_samples: int, estimator_name: str = "MLPClassifier") -> np.ndarray:
    """``y`` as a 1-D array of shape (n_samples,) of class labels, with scikit-learn's messages for what is not.

    A column vector (n, 1) is raveled with a :class:`DataConversionWarning`; ``None``, NaN, infinity and
    non-integer numbers (a regression target) raise ``ValueError``. Labels keep their type.
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape of y "
                      "to (n_samples,), for example using ravel().", data_conversion_warning(), stacklevel=3)
        y = y.ravel()
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(f"y: expected shape ({n_samples},) to match X, got {y.shape}")
    if y.dtype.kind == "c":
        raise ValueError("y: complex labels are not supported")
    if y.dtype.kind == "f":
        if np.isnan(y).any():
            raise ValueError("Input y contains NaN.")
        if np.isinf(y).any():
            raise ValueError("Input y contains infinity or a value too large for dtype('float64').")
        if not np.all(y == np.round(y)):
            raise ValueError("Unknown label type: continuous values in y (a classifier needs class labels: "
                             "integers, strings, ...)")
    return y


def classes_of(*label_arrays: np.ndarray) -> np.ndarray:
    """The sorted distinct labels of all the given 1-D arrays together: ``classes_``, shape (n_classes,).

    At least two classes are needed (a classifier with one class has nothing to learn); labels that cannot be
    ordered together (strings mixed with numbers) raise ``ValueError``.
    """
    try:
        classes = np.unique(np.concatenate(label_arrays) if len(label_arrays) > 1 else label_arrays[0])
    except TypeError as exc:
        raise ValueError(f"y: labels of mixed types cannot be sorted into classes ({exc})") from None
    if len(classes) < 2:
        shown = f" ({_item(classes[0])!r})" if len(classes) else ""
        raise ValueError(f"y: {len(classes)} class{shown}; a classifier needs at least 2 classes")
    return classes


def is_range(classes: np.ndarray) -> bool:
    """Whether ``classes`` is 0, 1, ..., k-1 as integers: codes and labels are then the same numbers."""
    return (classes.dtype.kind in "iu" and classes[0] == 0 and classes[-1] == len(classes) - 1
            and bool(np.all(np.diff(classes) == 1)))


def encode(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The codes (intp array of y's shape) of labels ``y`` in ``classes`` (sorted, as :func:`classes_of` gives).

    Labels that are not in ``classes`` raise ``ValueError`` naming them.
    """
    if is_range(classes) and y.dtype.kind in "iuf":
        codes = y.astype(np.intp)  # already codes: one cast, no search (float labels are whole, checked above)
        outside = (codes < 0) | (codes >= len(classes))
    else:
        codes = np.searchsorted(classes, y)
        outside = codes >= len(classes)
        codes[outside] = 0
        outside |= classes[codes] != y
    if outside.any():
        unknown = np.unique(y[outside])
        raise ValueError(f"y: label {_item(unknown[0])!r} is not one of the model's {len(classes)} classes "
                         f"{_shown(classes)}" + (f" ({len(unknown)} unknown labels)" if len(unknown) > 1 else ""))
    return codes


def decode(codes: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Labels from codes: ``classes[codes]``, of ``classes``' dtype; codes unchanged when classes are 0..k-1."""
    return codes if is_range(classes) else classes[codes]


def _shown(classes: np.ndarray, most: int = 10) -> str:
    items = [repr(_item(c)) for c in classes[:most]]
    return "[" + ", ".join(items) + (", ...]" if len(classes) > most else "]")


def _item(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (so that messages show 7 and 'a', not np.int64(7))."""
    return value.item() if isinstance(value, np.generic) else value
