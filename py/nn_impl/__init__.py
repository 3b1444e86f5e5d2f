"""nn_impl: a multilayer perceptron written from scratch in pure NumPy.

Two engines live here:

* :mod:`nn_impl.reference` keeps the tutorial's algorithm exactly (sample-by-sample SGD, explicit Jacobians);
  it is the oracle the fast engine is tested against.
* :class:`nn_impl.MLPClassifier` is the fast, vectorised engine (mini-batches, float32, Adam, ...).

The public names are imported lazily so that ``import nn_impl`` stays cheap (it matters inside Pyodide,
where every imported module costs start-up time in the browser tab).
"""

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "MLPClassifier": "model",
    "Trainer": "trainer",
    "TrainingDiverged": "trainer",
    "load": "model",
    "save_model": "persist",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'nn_impl' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value  # cache: the next access skips __getattr__
    return value


def __dir__():
    return __all__
