"""A run of the page, written out for CPython: the ``nn-impl train`` command and the equivalent Python.

The page trains on the first ``train_samples`` images of the bundled subset, which are the first images of
MNIST's training set in order, and tests on all 10 000 test images; ``nn-impl train --limit N`` and
``mnist["x_train"][:N]`` take the same images on CPython. With the same settings and seed the runs follow the
same steps; the tab's NumPy has no BLAS, so its matrix products add in another order and the two runs agree
to rounding, not bit for bit (their test accuracies within about half a point).

Flag names come from :func:`nn_impl.params.cli_flag`, values are checked by :mod:`nn_impl.params`, so what is
shown always parses with the command line of the same version.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from . import params
from .cli import TRAIN_DEFAULTS

#: the CLI's flag for the page's training subset (the first N training images)
SUBSET_FLAG = "--limit"


def reproduction(config: dict[str, Any], n_available: int) -> dict[str, Any]:
    """``{"command": str, "python": str, "notes": [str]}`` for the page's ``config`` (form settings, with the
    page-only ``train_samples`` and ``stop_accuracy``) when the page holds ``n_available`` training images.

    Raises ``ValueError`` naming a bad setting, as ``Session.configure`` would.
    """
    config = dict(config)
    page = {name: config.pop(name) for name in params.PAGE_TABLE if name in config}
    if page.get("train_samples") is None:
        page["train_samples"] = n_available
    page = params.validate_page_settings(n_available, **page)
    settings = {**params.DEFAULTS, **params.validate(**config)}
    n_train, stop = page["train_samples"], page.get("stop_accuracy")
    notes = []
    if settings["random_state"] is None:
        notes.append("No seed is set, so every run starts from other random weights: set a seed to repeat a run.")
    if stop is not None:
        notes.append(f"The command line has no stop-at-accuracy: it trains all {settings['epochs']} epochs "
                     f"(the Python code stops at {100 * stop:g} % like the page).")
    training_data = page.get("training_data", "mnist")
    run = command(settings, n_train)
    if training_data == "mnist+mine":
        run += " --extra-data my-digits.npz"
        notes.append("The run also trains on My digits: save them with “Export my digits” as my-digits.npz.")
    elif training_data == "mine":
        notes.append("The run trains on My digits alone, which the command line does not do: export them and "
                     "fit on nn_impl.data.load_digits(\"my-digits.npz\") in Python.")
    return {"command": run, "python": python_code(settings, n_train, stop), "notes": notes}


def command(settings: dict[str, Any], n_train: int) -> str:
    """``nn-impl train --limit N --flag value ...``: the seed and every setting that differs from what the
    command line trains with by default (``nn_impl.cli.TRAIN_DEFAULTS``)."""
    words = ["nn-impl", "train", SUBSET_FLAG, str(n_train)]
    for name, spec in params.TABLE.items():
        value = settings[name]
        if name != "random_state" and _same(value, TRAIN_DEFAULTS[name]):
            continue
        if spec["type"] == "bool":
            words.append(params.cli_flag(name) if value else "--no-" + params.cli_flag(name)[2:])
        else:
            words += [params.cli_flag(name), _cli_value(spec, value)]
    return shlex.join(words)


def _cli_value(spec: dict[str, Any], value: Any) -> str:
    if value is None:
        return "none"
    if spec["type"] == "int_tuple":
        return ",".join(str(n) for n in value) if value else "none"
    return repr(value) if isinstance(value, float) else str(value)


def python_code(settings: dict[str, Any], n_train: int, stop_accuracy: float | None = None) -> str:
    """A script that trains the same model on the same images with ``MLPClassifier.fit`` and prints its test
    accuracy. Only the settings that differ from ``MLPClassifier``'s defaults are written out."""
    changed = {name: value for name, value in settings.items()
               if name == "random_state" or not _same(value, params.DEFAULTS[name])}
    arguments = ",\n    ".join(f"{name}={_python_value(value)}" for name, value in changed.items())
    lines = [
        "import nn_impl",
        "from nn_impl import data",
        "",
        "mnist = data.load_mnist()  # the full MNIST: run `python3 build.py data` once, or pass a folder of IDX files",
        f"x_train, y_train = mnist[\"x_train\"][:{n_train}], mnist[\"y_train\"][:{n_train}]  "
        f"# the page's first {n_train} training images",
        f"model = nn_impl.MLPClassifier(\n    {arguments},\n)" if changed else "model = nn_impl.MLPClassifier()",
    ]
    fit = "model.fit(x_train, y_train, validation_data=(mnist[\"x_test\"], mnist[\"y_test\"])"
    if stop_accuracy is not None:
        # fit stops when the callback returns False: after the first epoch at or above the page's threshold
        fit += f",\n          callback=lambda epoch: epoch[\"val_accuracy\"] < {stop_accuracy!r}"
    lines += [fit + ")", "print(f\"test accuracy {model.score(mnist['x_test'], mnist['y_test']):.4f}\")"]
    return "\n".join(lines) + "\n"


def _python_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return repr(tuple(value))
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _same(value: Any, default: Any) -> bool:
    """Equal as settings: a list of layer sizes equals the same tuple."""
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return tuple(value) == tuple(default)
    return bool(value == default) and type(value) is type(default) or (value is None and default is None)
