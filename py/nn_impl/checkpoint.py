"""A run in progress written to one ``.npz`` file and continued later, bit for bit as if it had never stopped.

The page keeps its run this way across a reload (the worker's ``checkpoint`` and ``resume`` requests); on
CPython the same three functions work on files::

    checkpoint.save(trainer, "run.ckpt.npz")              # between two trainer.run(...) calls
    trainer = checkpoint.resume(checkpoint.read("run.ckpt.npz"), X, y, validation_data)

What is saved is :meth:`nn_impl.Trainer.state` (weights, optimiser state, random generator, the epoch's order
and position, learning rate, history...) and the model's settings; the training data is not: ``resume`` is
given the same data again (a checksum of the labels and their count are checked).

Format ``nn_impl.checkpoint`` version 1:

* ``checkpoint``: a 0-d unicode array holding JSON ``{"format", "format_version", "nn_impl_version",
  "params": get_params(), "layer_sizes", "trainer": the state with each array replaced by {"array": member},
  "extra": what the caller keeps beside it (the page: its own settings)}``;
* one member per array of the state, named by where it sits in it (``params``, ``optimizer.M.0``, ...).

It is read like a model file (:mod:`nn_impl.npzfile`: sizes capped, nothing unpickled), and every problem is a
``ValueError`` naming the file. Arrays are stored uncompressed: weights and moments barely compress, and the
page writes a checkpoint every few seconds.
"""

from __future__ import annotations

import json
import os
from typing import Any, BinaryIO

import numpy as np

from . import npzfile, params, persist
from .model import MLPClassifier
from .trainer import Trainer
from .version import __version__

FORMAT = "nn_impl.checkpoint"
FORMAT_VERSION = 1
#: weights, their last finite copy and two optimiser moments, in float64, plus the sample order and slack
MAX_FILE_BYTES = 4 * 8 * persist.MAX_PARAMETERS + 64 * 2**20
_ARRAY = "array"  # the key of a reference to a member in the JSON


def save(trainer: Trainer, file: str | os.PathLike[str] | BinaryIO, extra: dict[str, Any] | None = None) -> None:
    """Write the run of ``trainer`` to ``file`` (a path, replaced atomically, or a binary file object).

    Call it between two ``trainer.run`` calls. extra: a JSON-able dict kept beside the run (``read`` gives it back).
    """
    arrays: dict[str, np.ndarray] = {}
    model = trainer.model
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "nn_impl_version": __version__,
        "params": model.get_params(),
        "layer_sizes": model.layer_sizes_,
        "trainer": _arrays_out(trainer.state(), "", arrays),
        "extra": dict(extra or {}),
    }
    try:
        text = json.dumps(header)
    except TypeError as exc:
        raise ValueError(f"checkpoint: extra must hold only JSON values ({exc})") from None
    npzfile.write(file, {"checkpoint": np.array(text), **arrays}, compress=False)


def read(source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO) -> dict[str, Any]:
    """What a checkpoint written by :func:`save` holds: ``{"name", "params", "layer_sizes", "trainer", "extra"}``.

    source: a path, the file's bytes or a binary file object. ``trainer`` is the state for
    :meth:`Trainer.load_state` (checked there, against the trainer it is given to). Raises ``ValueError`` for
    anything that is not a readable checkpoint.
    """
    arrays, name = npzfile.read(source, "checkpoint", MAX_FILE_BYTES)
    text = arrays.pop("checkpoint", None)
    if text is None or text.dtype.kind != "U" or text.shape != ():
        raise ValueError(f"{name}: no 'checkpoint' member of JSON text; not an nn_impl checkpoint (a model file?)")
    try:
        header = json.loads(str(text[()]))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: 'checkpoint' is not valid JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{name}: not an nn_impl checkpoint (format {FORMAT!r} expected)")
    if header.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{name}: checkpoint format_version {header.get('format_version')!r}; this nn_impl reads "
                         f"version {FORMAT_VERSION}")
    settings, sizes, extra = header.get("params"), header.get("layer_sizes"), header.get("extra")
    if not isinstance(settings, dict) or not isinstance(extra, dict):
        raise ValueError(f"{name}: 'params' and 'extra' must be JSON objects")
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(type(n) is int and n >= 1 for n in sizes):
        raise ValueError(f"{name}: layer_sizes must be a list of at least two positive integers, got {sizes!r}")
    try:
        settings = {**settings, **params.validate(**settings)}  # hidden_layer_sizes back to a tuple
        state = _arrays_in(header.get("trainer"), arrays)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None
    return {"name": name, "params": settings, "layer_sizes": sizes, "trainer": state, "extra": extra}


def resume(saved: dict[str, Any], X: Any, y: Any, validation_data: tuple[Any, Any] | None = None) -> Trainer:
    """A new ``MLPClassifier`` and its trainer that continue the run ``saved`` (what :func:`read` returned).

    X (n_samples, n_features) or (n_samples, height, width), y (n_samples,) integer codes and validation_data:
    the data the run trained on, as given to ``model.trainer``. The model answers predictions at once
    (``trainer.model``). Raises ``ValueError`` (naming the file) when the run does not fit them.
    """
    name = saved["name"]
    try:
        model = MLPClassifier(**saved["params"])
    except TypeError as exc:  # an unknown parameter: a checkpoint of another version, or edited
        raise ValueError(f"{name}: its params do not fit this version of nn_impl ({exc})") from None
    try:
        trainer = model.trainer(X, y, validation_data)
        if model.layer_sizes_ != saved["layer_sizes"]:
            raise ValueError(f"the run's network is {saved['layer_sizes']} but this data makes {model.layer_sizes_}")
        trainer.load_state(saved["trainer"])
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return trainer


def _arrays_out(value, path, arrays):
    """``value`` with every ndarray moved into ``arrays`` under its path and replaced by a reference to it."""
    if isinstance(value, np.ndarray):
        arrays[path] = value
        return {_ARRAY: path}
    if isinstance(value, dict):
        return {key: _arrays_out(item, f"{path}.{key}" if path else key, arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_arrays_out(item, f"{path}.{i}", arrays) for i, item in enumerate(value)]
    return value


def _arrays_in(value, arrays):
    """The reverse of :func:`_arrays_out`: each reference replaced by its member (which must exist)."""
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            member = value[_ARRAY]
            if not isinstance(member, str) or member not in arrays:
                raise ValueError(f"the state refers to an array {member!r} the file does not hold")
            return arrays[member]
        return {key: _arrays_in(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_arrays_in(item, arrays) for item in value]
    return value
