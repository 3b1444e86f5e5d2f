"""The model file format: a trained model's config and weights as one ``.npz`` file, written and read back.

The same file moves between CPython and the browser (the page's "export" and "import" buttons), so reading
trusts nothing in it: :mod:`nn_impl.npzfile` opens it safely, and every check below fails with a ``ValueError``
that says what is wrong and what to do. :func:`nn_impl.load` builds the ``MLPClassifier`` from what
:func:`read_model` returns; this module knows the format, not the model class.

Format ``nn_impl.mlp`` version 1 (docs/ARCHITECTURE.md):

* ``config``: a 0-d unicode array holding JSON: ``{"format": "nn_impl.mlp", "format_version": 1,
  "nn_impl_version": ..., "params": get_params(), "layer_sizes": [784, 32, 24, 10], "n_classes": 10,
  "history": [...]}``
* ``coef_0 .. coef_{L-1}`` of shape (n_in, n_out) and ``intercept_0 .. intercept_{L-1}`` of shape (n_out,),
  float32 or float64.

Version 2 adds ``"classes"`` to the config: the labels behind the output units (strings, numbers) of a model
fitted on labels other than 0, 1, ..., k-1. Only such a model is written as version 2, so every file of a
model with plain 0..k-1 labels (all the page's) stays version 1, and an older nn_impl refuses a file whose
labels it could not give back instead of answering with the wrong ones.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, BinaryIO

import numpy as np

from . import network, npzfile
from .version import __version__
from .params import validate

FORMAT = "nn_impl.mlp"
FORMAT_VERSION = 1
#: the version of files that name their classes (see above); this nn_impl reads both
FORMAT_VERSION_WITH_CLASSES = 2
#: caps that keep a hostile or mistaken file from exhausting memory (the browser tab has little of it):
#: the pre-trained model is ~27k parameters; a 784-1024-1024-10 net, already large for this page, is ~1.9M
MAX_FILE_BYTES = 64 * 2**20
MAX_PARAMETERS = 10_000_000


def save_model(model: Any, file: str | os.PathLike[str] | BinaryIO) -> None:
    """Write a fitted ``model`` (an ``MLPClassifier``) to ``file`` (a path, or a binary file object such as
    ``io.BytesIO``).

    A path gets exactly that name (NumPy would append ``.npz``; we do not), and is replaced atomically: a
    failure half-way leaves any previous file intact. The same model always gives the same bytes.
    """
    coefs, intercepts = _fitted_weights(model)
    classes = _named_classes(model, int(coefs[-1].shape[1]))
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION if classes is None else FORMAT_VERSION_WITH_CLASSES,
        "nn_impl_version": __version__,
        "params": _jsonable(model.get_params()),
        "layer_sizes": network.layer_sizes(coefs),
        "n_classes": int(coefs[-1].shape[1]),
        "history": _jsonable(list(getattr(model, "history_", None) or [])),
    }
    if classes is not None:
        config["classes"] = classes
    arrays = {"config": np.array(json.dumps(config, allow_nan=False))}
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        arrays[f"coef_{i}"] = np.ascontiguousarray(coef)
        arrays[f"intercept_{i}"] = np.ascontiguousarray(intercept)
    npzfile.write(file, arrays)  # reproducible bytes; a path is replaced atomically


def _fitted_weights(model):
    coefs = getattr(model, "coefs_", None)
    intercepts = getattr(model, "intercepts_", None)
    if not coefs or not intercepts:
        raise ValueError("model is not fitted yet: call fit (or train it) before saving it")
    return [np.asarray(c) for c in coefs], [np.asarray(b) for b in intercepts]


def _named_classes(model, n_classes):
    """The model's ``classes_`` as a JSON list when they are not 0, 1, ..., n_classes-1, else None."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return None
    classes = np.asarray(classes)
    if classes.dtype.kind in "iu" and np.array_equal(classes, np.arange(n_classes)):
        return None
    if classes.dtype.kind not in "iufbUO":
        raise ValueError(f"cannot store classes of dtype {classes.dtype} in a model file")
    listed = _jsonable(classes.tolist())
    if not all(isinstance(c, (str, int, float)) for c in listed):
        raise ValueError("cannot store these classes in a model file: only strings and numbers can be saved")
    return listed


def _jsonable(value):
    """Plain JSON types: tuples -> lists, NumPy scalars -> Python numbers, non-finite floats -> None.

    JSON has no NaN or Infinity, and the browser's ``JSON.parse`` rejects Python's non-standard ``NaN``.
    """
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot store {value!r} ({type(value).__name__}) in the model file's JSON config")


# ---------------------------------------------------------------------------------------------- loading


def read_model(source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO) -> dict[str, Any]:
    """What a model file written by :func:`save_model` holds, checked: a dict with

    ``name`` (the file's name, for messages), ``params`` (dict of ``MLPClassifier`` arguments, hidden_layer_sizes
    a tuple), ``coefs`` (list of (n_in, n_out) float arrays), ``intercepts`` (list of (n_out,)), ``history``
    (list of per-epoch dicts). ``source``: a path, the file's bytes or a binary file object. Raises
    ``ValueError`` for anything that is not a valid, safe model file.
    """
    arrays, name = npzfile.read(source, "model file", MAX_FILE_BYTES)
    if "config" not in arrays:
        raise ValueError(f"{name}: no 'config' member; this .npz is not an nn_impl model (a dataset, perhaps?)")
    config = _read_config(arrays.pop("config"), name)
    coefs, intercepts = _check_weights(arrays, config["layer_sizes"], name)
    params = dict(config["params"])
    if "hidden_layer_sizes" in params:  # checked here: it must agree with the weights (and JSON has no tuples)
        try:
            params.update(validate(hidden_layer_sizes=params["hidden_layer_sizes"]))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    hidden = list(params.get("hidden_layer_sizes", config["layer_sizes"][1:-1]))
    if hidden != config["layer_sizes"][1:-1]:
        raise ValueError(
            f"{name}: params say hidden_layer_sizes={hidden} but the weights have hidden layers "
            f"{config['layer_sizes'][1:-1]}; the file is inconsistent"
        )
    return {"name": name, "params": params, "coefs": coefs, "intercepts": intercepts, "history": config["history"],
            "classes": config.get("classes")}


def _read_config(array, name):
    """The validated config dict from the 0-d unicode ``config`` array."""
    if array.dtype.kind != "U" or array.shape != ():
        raise ValueError(f"{name}: 'config' must be a 0-d unicode array of JSON, got {array.dtype} {array.shape}")
    try:
        config = json.loads(str(array[()]))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: 'config' is not valid JSON ({exc})") from exc
    if not isinstance(config, dict):
        raise ValueError(f"{name}: 'config' must be a JSON object")
    if config.get("format") != FORMAT:
        raise ValueError(f"{name}: format is {config.get('format')!r}, expected {FORMAT!r}; not an nn_impl model")
    version = config.get("format_version")
    known = (FORMAT_VERSION, FORMAT_VERSION_WITH_CLASSES)
    if version not in known or isinstance(version, bool):
        newer = isinstance(version, int) and version > FORMAT_VERSION_WITH_CLASSES
        hint = " (written by a newer nn_impl: upgrade to read it)" if newer else ""
        raise ValueError(
            f"{name}: unknown format_version {version!r}; this nn_impl reads versions "
            f"{FORMAT_VERSION} and {FORMAT_VERSION_WITH_CLASSES}{hint}"
        )
    sizes = config.get("layer_sizes")
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)
    ):
        raise ValueError(f"{name}: layer_sizes must be a list of at least two positive integers, got {sizes!r}")
    if config.get("n_classes") != sizes[-1]:
        raise ValueError(f"{name}: n_classes is {config.get('n_classes')!r} but the output layer has {sizes[-1]} units")
    if not isinstance(config.get("params"), dict):
        raise ValueError(f"{name}: 'params' must be a JSON object of MLPClassifier parameters")
    history = config.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) and "loss" in h for h in history):
        raise ValueError(f"{name}: 'history' must be a list of per-epoch objects, each with a 'loss'")
    config["history"] = history
    classes = config.get("classes")
    if version == FORMAT_VERSION_WITH_CLASSES or classes is not None:
        if (version != FORMAT_VERSION_WITH_CLASSES or not isinstance(classes, list)
                or len(classes) != sizes[-1] or len({json.dumps(c) for c in classes}) != len(classes)
                or not all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in classes)
                or len({type(c) is str for c in classes}) != 1):
            raise ValueError(f"{name}: 'classes' must be a list of {sizes[-1]} distinct strings or numbers "
                             f"(one per output unit) in a version {FORMAT_VERSION_WITH_CLASSES} file")
    return config


def _check_weights(arrays, sizes, name):
    """(coefs, intercepts) lists after checking names, shapes, dtypes, finiteness and the parameter cap."""
    n_layers = len(sizes) - 1
    expected = {f"coef_{i}" for i in range(n_layers)} | {f"intercept_{i}" for i in range(n_layers)}
    missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
    if missing or extra:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        details = "; ".join(problems)
        raise ValueError(f"{name}: layer_sizes {sizes} needs coef_0..coef_{n_layers - 1} and intercepts: {details}")
    n_parameters = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(n_layers))
    if n_parameters > MAX_PARAMETERS:
        raise ValueError(f"{name}: {n_parameters} parameters, more than the {MAX_PARAMETERS} this page handles")
    coefs, intercepts = [], []
    for i in range(n_layers):
        for key, shape, bucket in (
            (f"coef_{i}", (sizes[i], sizes[i + 1]), coefs),
            (f"intercept_{i}", (sizes[i + 1],), intercepts),
        ):
            array = arrays[key]
            if array.dtype not in (np.float32, np.float64):
                raise ValueError(f"{name}: {key} has dtype {array.dtype}; weights must be float32 or float64")
            if array.shape != shape:
                raise ValueError(
                    f"{name}: {key} has shape {array.shape}, but layer_sizes {sizes} needs {shape}; "
                    "the layers do not chain"
                )
            if not np.all(np.isfinite(array)):
                raise ValueError(
                    f"{name}: {key} contains NaN or infinite values; the model diverged before it was saved"
                )
            bucket.append(array)
    return coefs, intercepts
