"""What scikit-learn expects of an estimator, provided without importing scikit-learn.

scikit-learn is optional (Pyodide has none, and the package's only dependency is NumPy), so
:class:`nn_impl.MLPClassifier` follows scikit-learn's documented duck-typing protocol instead of inheriting from
``BaseEstimator``: ``get_params(deep=True)``, ``set_params``, ``__sklearn_tags__``, ``__sklearn_is_fitted__``
and the errors and warnings its tools recognise. This module holds the parts that concern scikit-learn's types:

* :func:`not_fitted_error` and :func:`data_conversion_warning`: the error for "predict before fit" and the
  warning for a column-vector ``y``, instances of scikit-learn's own classes too when the caller has already
  imported scikit-learn (its tools test for those classes), of :class:`NotFittedError` and
  :class:`DataConversionWarning` otherwise;
* :func:`classifier_tags`: scikit-learn's ``Tags`` for the classifier; only scikit-learn calls it, so the
  import inside it runs only where scikit-learn is installed;
* :func:`feature_names` and :func:`check_feature_names`: ``feature_names_in_`` for pandas DataFrames, with
  scikit-learn's messages (its checks match them word for word).

Nothing here imports scikit-learn or pandas at module level; ``sys.modules`` is only read.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np


#: The checks of ``sklearn.utils.estimator_checks.check_estimator`` that this estimator is expected to fail,
#: with the reason: pass it as ``check_estimator(MLPClassifier(), expected_failed_checks=EXPECTED_FAILED_CHECKS)``.
#: It applies to the default float32 precision only: ``MLPClassifier(dtype="float64")`` passes every check.
EXPECTED_FAILED_CHECKS = {
    "check_methods_sample_order_invariance": (
        "float32 by default: BLAS computes a row's matrix product with other instructions depending on where "
        "the row falls in the batch, so predict_proba of a reordered X differs in the last bit (one float32 "
        "step is 1.2e-7 relative; the check allows 1e-7). With dtype='float64' the check passes."
    ),
}


class NotFittedError(ValueError, AttributeError):
    """The model has no weights yet: call ``fit`` (or ``nn_impl.load`` a model file) first.

    Like scikit-learn's ``NotFittedError``, it is both a ``ValueError`` and an ``AttributeError``.
    """


class DataConversionWarning(UserWarning):
    """The input had to be converted (e.g. a column vector ``y`` of shape (n, 1) raveled to (n,)).

    Named like scikit-learn's warning for the same thing, whose checks recognise it by name.
    """


_combined_classes: dict[tuple[type, type], type] = {}


def _as_sklearn_too(ours: type, name: str) -> type:
    """``ours``, or, when the caller has imported scikit-learn, a subclass of both ``ours`` and scikit-learn's
    class of the same ``name`` (so ``except``, ``pytest.raises`` and warning filters on either one match)."""
    theirs = getattr(sys.modules.get("sklearn.exceptions"), name, None)
    if not isinstance(theirs, type):
        return ours
    if (ours, theirs) not in _combined_classes:
        _combined_classes[ours, theirs] = type(name, (ours, theirs), {"__module__": __name__})
    return _combined_classes[ours, theirs]


def not_fitted_error(message: str) -> NotFittedError:
    """A :class:`NotFittedError` carrying ``message``; also a scikit-learn ``NotFittedError`` when scikit-learn
    is already imported by the caller (``except sklearn.exceptions.NotFittedError`` catches it too)."""
    error: NotFittedError = _as_sklearn_too(NotFittedError, "NotFittedError")(message)
    return error


def data_conversion_warning() -> type[Warning]:
    """:class:`DataConversionWarning`, also scikit-learn's when the caller has imported scikit-learn."""
    return _as_sklearn_too(DataConversionWarning, "DataConversionWarning")


def classifier_tags(estimator: Any) -> Any:
    """scikit-learn's ``Tags`` for a classifier that takes 2-D float arrays and no sparse matrices.

    Called by scikit-learn only (``sklearn.utils.get_tags``, scikit-learn 1.6 or later), so scikit-learn is
    importable here.
    ``non_deterministic`` stays False: with ``random_state`` set, a fit is exactly reproducible.
    """
    from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

    return Tags(
        estimator_type="classifier",
        target_tags=TargetTags(required=True),
        classifier_tags=ClassifierTags(),
        input_tags=InputTags(two_d_array=True, sparse=False),
        requires_fit=True,
    )


def feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame-like ``X`` as an object array when they are all strings, else None.

    Mixed string and non-string names are refused (``TypeError``), as scikit-learn refuses them.
    """
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "__array__"):
        return None
    names = np.asarray(list(columns), dtype=object)
    are_strings = [isinstance(name, str) for name in names]
    if names.size == 0 or not any(are_strings):
        return None
    if not all(are_strings):
        raise TypeError("X: feature names are only supported when all of them are strings; got column names "
                        f"of types {sorted({type(name).__name__ for name in names})}")
    return names


def check_feature_names(estimator: Any, X: Any) -> None:
    """Compare ``X``'s column names with the ones seen by ``fit``; scikit-learn's warnings and messages.

    A DataFrame with other names, or the same names in another order, raises ``ValueError``; names on one side
    only give a ``UserWarning`` (the values are still used, by position).
    """
    seen = getattr(estimator, "feature_names_in_", None)
    given = feature_names(X)
    name = type(estimator).__name__
    if seen is None and given is None:
        return
    if seen is None:
        warnings.warn(f"X has feature names, but {name} was fitted without feature names", UserWarning,
                      stacklevel=3)
        return
    if given is None:
        warnings.warn(f"X does not have valid feature names, but {name} was fitted with feature names",
                      UserWarning, stacklevel=3)
        return
    if len(seen) == len(given) and np.array_equal(seen, given):
        return
    unexpected = sorted(set(given) - set(seen))
    missing = sorted(set(seen) - set(given))
    message = "The feature names should match those that were passed during fit.\n"
    if unexpected:
        message += "Feature names unseen at fit time:\n" + _listed(unexpected)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + _listed(missing)
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def _listed(names: list[str], most: int = 5) -> str:
    lines = [f"- {name}\n" for name in names[:most]]
    return "".join(lines) + ("- ...\n" if len(names) > most else "")
