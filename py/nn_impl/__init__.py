"""nn_impl: a multilayer perceptron written from scratch in pure NumPy.

Two engines live here:

* :mod:`nn_impl.reference` keeps the tutorial's algorithm exactly (sample-by-sample SGD, explicit Jacobians);
  it is the oracle the fast engine is tested against.
* :class:`nn_impl.MLPClassifier` is the fast, vectorised engine (mini-batches, float32, Adam, ...).

The public names are imported lazily so that ``import nn_impl`` stays cheap (it matters inside Pyodide,
where every imported module costs start-up time in the browser tab).
"""

from typing import TYPE_CHECKING, Any

from .version import __version__

# public name -> module that defines it
_EXPORTS = {
    "MLPClassifier": "model",
    "NotFittedError": "sklearn_protocol",
    "Trainer": "trainer",
    "TrainingDiverged": "trainer",
    "load": "model",
    "save_model": "persist",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # what type checkers and editors see; at run time the names below are imported on first use
    from .model import MLPClassifier, load
    from .persist import save_model
    from .sklearn_protocol import NotFittedError
    from .trainer import Trainer, TrainingDiverged


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'nn_impl' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value  # cache: the next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return __all__
