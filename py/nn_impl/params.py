"""The one table of settings: name, default, type, allowed values, a line of help and the page's label of each.

Three consumers read it, so they can never disagree:

* :class:`nn_impl.MLPClassifier` validates its arguments with :func:`validate` when it is built;
* the CLI builds its ``--flags`` (choices, types, help) from :data:`TABLE`;
* the page builds its form fields, inline validation and URL state from :func:`as_json`, and its worker's
  :class:`nn_impl.session.Session` validates what the page sends with :func:`validate` and
  :func:`validate_page_settings`.

:data:`TABLE` holds the model's hyper-parameters; :data:`PAGE_TABLE` the settings only the page's runs have (how
many bundled images to train on, an accuracy at which to stop, which data to train on); :data:`TEACHING_TABLE`
those of teaching the network the learner's own digits (:mod:`nn_impl.finetune`). ``"live": True`` marks the
settings that may change while a run goes on (the page keeps their fields enabled and sends ``set_<name>``).

Choices come from the registries themselves (``ACTIVATIONS``, ``LOSSES``, ...), so adding an optimiser to
``optimizers.py`` adds it to the CLI and to the page too.
"""

import json
import math
from typing import Any

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES

# Generous but finite limits: they catch typos (a batch of 10**9, a layer of 10**7 units) without forbidding
# experiments. A learning rate of 1e6 stays allowed on purpose: the page demonstrates divergence with it.
MAX_UNITS = 4096
MIN_LAYERS = 0  # no hidden layer: a softmax (or sigmoid) regression on the pixels
MAX_LAYERS = 16

# The defaults were measured, not guessed: with (32, 24) hidden units, 10 epochs and inputs in [0, 1], Adam at
# 2e-3 on batches of 32 with a cosine decay reaches 97.1-97.3 % on the MNIST test set over seeds 0-3. The
# more common 1e-3 on batches of 64 stops at 96.4-96.7 % in 10 epochs, constant or cosine (tests/unit/test_accuracy.py).
TABLE: dict[str, dict[str, Any]] = {
    "hidden_layer_sizes": {
        "label": "Hidden layers", "type": "int_tuple", "default": (32, 24), "min": 1, "max": MAX_UNITS,
        "min_length": MIN_LAYERS, "max_length": MAX_LAYERS,
        "help": f"units in each hidden layer, input side first (0 to {MAX_LAYERS} layers)",
    },
    "activation": {
        "label": "Activation", "type": "str", "default": "relu", "choices": sorted(ACTIVATIONS),
        "help": "non-linearity of the hidden layers",
    },
    "loss": {
        "label": "Loss", "type": "str", "default": "cross_entropy", "choices": sorted(LOSSES),
        "help": "cross_entropy: softmax outputs; mse: the tutorial's sigmoid outputs with squared error",
    },
    "solver": {
        "label": "Optimizer", "type": "str", "default": "adam", "choices": list(OPTIMIZERS),
        "help": "optimiser: sgd (the tutorial's), momentum, nesterov or adam",
    },
    "learning_rate": {
        "label": "Learning rate", "type": "float", "default": 2e-3, "min": 0.0, "min_exclusive": True, "max": 1e7,
        "live": True,  # the trainer takes a new one at the next batch
        "help": "step size (its starting value when a schedule decays it)",
    },
    "batch_size": {
        "label": "Batch size", "type": "int", "default": 32, "min": 1, "max": 65536,
        "help": "samples per gradient step (1 = the tutorial's sample-by-sample SGD)",
    },
    "epochs": {
        "label": "Epochs", "type": "int", "default": 10, "min": 1, "max": 10000,
        "help": "passes over the training set",
    },
    "init": {
        "label": "Weight init", "type": "str", "default": "auto", "choices": ["auto"] + sorted(INITIALIZERS),
        "help": "initial weights: tutorial U(-0.1, 0.1), glorot, he; auto = he for relu, glorot otherwise",
    },
    "weight_decay": {
        "label": "Weight decay", "type": "float", "default": 0.0, "min": 0.0, "max": 10.0,
        "help": "L2 penalty on the weights (not the biases)",
    },
    "momentum": {
        "label": "Momentum", "type": "float", "default": 0.9, "min": 0.0, "max": 1.0, "max_exclusive": True,
        "help": "velocity kept between steps by the momentum and nesterov solvers",
    },
    "schedule": {
        "label": "Schedule", "type": "str", "default": "cosine", "choices": list(SCHEDULES),
        "help": "how the learning rate changes over the epochs of a fit",
    },
    "shift": {
        "label": "Shift (pixels)", "type": "int", "default": 0, "min": 0, "max": 8,
        "help": "augmentation: shift each training image by up to this many pixels (square images only)",
    },
    "input_scaling": {
        "label": "Input scaling", "type": "str", "default": None, "choices": ["unit", "tutorial"], "nullable": True,
        "help": "none: pixels used as given; unit: x/255; tutorial: x/128 - 0.5",
    },
    "shuffle": {
        "label": "Shuffle", "type": "bool", "default": True,
        "help": "visit the training samples in a new random order each epoch",
    },
    "random_state": {
        "label": "Seed", "type": "int", "default": None, "min": 0, "max": 2**32 - 1, "nullable": True,
        "help": "seed for the initial weights, the sample order and the shifts (none: a fresh seed)",
    },
    "dtype": {
        "label": "Precision", "type": "str", "default": "float32", "choices": ["float32", "float64"],
        "help": "floating-point precision of weights and arithmetic",
    },
}

DEFAULTS = {name: spec["default"] for name, spec in TABLE.items()}

# --- what fits in a browser tab -------------------------------------------------------------------------------
# The page's worker holds one network with its training state in a wasm32 heap, next to the bundled data. The
# ranges above let a person type a network that would not fit (16 layers of 4096 units: 240 M parameters), so
# the page also refuses, before building anything, a network whose estimated memory passes TAB_MEMORY_BYTES.
# Measured in this project's Chromium 156 (headless, the shared 2-core machine), Pyodide 0.27.7, with
# `.venv/bin/python bench/bench_limits.py` (each network in a fresh page: one training step, the 10 000 test
# images scored, the first layer drawn; "heap" is the wasm heap after, Pyodide and the data included, ~75 MB):
#   ceiling:  NumPy holds 4032 MB of arrays before MemoryError (wasm32's 4 GB heap);
#   widest:   784-4096-10 (estimate 241 MB): heap 304 MB; a training step 1.7 s, scoring the test images 70 s;
#   deepest:  784 + 16 hidden layers of 1024 (estimate 865 MB): heap 1060 MB, scoring 278 s;
#   largest:  784-4096-4096-10 (20 M parameters, estimate 793 MB): heap 963 MB, a step 13 s, scoring 349 s;
#             784-4096-4096-4096-10 (estimate 1242 MB) is refused: it ran (heap 1601 MB, scoring 431 s);
#   batch:    65 536 (the table's maximum) trains a 784-32-24-10 step in 33 s (heap 618 MB, with the images
#             tiled to 65 536); the page's own batches never exceed its 20 000 training images;
#   longest:  10 000 epochs are allowed; a run's memory does not grow with its length except for the charts'
#             points (one per slice, ~8 a second: ~0.5 MB an hour).
# The estimate undercounts the heap by up to ~30 % (transient copies); 1 GiB of estimate is about 1.4 GB of
# heap, a third of the ceiling: room for the page's own memory and for a classroom laptop. Past the widest
# network, time is the limit rather than memory: a long task shows "Python is busy" with Cancel.
TAB_MEMORY_BYTES = 2**30
#: rows scored at once when predicting or evaluating (bounds the temporaries whatever the number of images)
PREDICT_ROWS = 8192
#: the page recognises digits: a model it answers with has exactly these ten classes
PAGE_CLASSES = 10
_ITEM_BYTES = {"float32": 4, "float64": 8}


def estimated_memory(layer_sizes, batch_size=None, dtype="float32"):
    """Bytes (an int) that a network of ``layer_sizes`` ``[n_in, *hidden, n_out]`` in ``dtype`` takes to score
    :data:`PREDICT_ROWS` images at a time and, given ``batch_size``, to train on batches of that size.

    Counted: the parameters (five times to train: weights, gradients, the last finite copy kept against
    divergence and Adam's two moments, the most any solver keeps; plus the largest weight matrix drawn in
    float64 before it is cast), the scoring chunk's input and every layer's output (the forward pass keeps them
    all), and the batch's input and two arrays per layer (activations and their gradients).
    """
    item = _ITEM_BYTES[dtype]
    sizes = [int(n) for n in layer_sizes]
    n_parameters = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    scoring = PREDICT_ROWS * sum(sizes) * item
    if batch_size is None:
        return n_parameters * item + scoring
    batch = int(batch_size) * (sizes[0] + 2 * sum(sizes[1:])) * item
    drawn = 8 * max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 5 * n_parameters * item + drawn + batch + scoring


def check_fits_in_tab(layer_sizes, batch_size=None, dtype="float32"):
    """Refuse (``ValueError`` naming ``hidden_layer_sizes`` and the estimate) a network that would not fit in the
    tab (:data:`TAB_MEMORY_BYTES`) to train on batches of ``batch_size`` (None: only to answer); returns the
    estimate in bytes otherwise."""
    need = estimated_memory(layer_sizes, batch_size, dtype)
    if need > TAB_MEMORY_BYTES:
        network = "-".join(str(n) for n in layer_sizes)
        task = f"{dtype}, batch {batch_size}" if batch_size is not None else f"{dtype}, to answer"
        raise ValueError(
            f"hidden_layer_sizes: a {network} network ({task}) needs about {_megabytes(need)} MB, more than the "
            f"{_megabytes(TAB_MEMORY_BYTES)} MB this page allows itself; use fewer or smaller layers"
            + (", or a smaller batch" if batch_size is not None else "")
        )
    return need


def _megabytes(n_bytes):
    return round(n_bytes / 2**20)

#: the values of the page's ``training_data`` setting: what a run trains on
TRAINING_DATA = ("mnist", "mnist+mine", "mine")
#: "mine" trains on My digits alone, so every digit must be there at least this often (a network never
#: shown a 4 cannot answer 4; with fewer than five of each the accuracy it reaches says nothing)
MIN_DIGITS_PER_LABEL = 5

# Settings of the page's runs that are not hyper-parameters of the model. ``train_samples``' maximum and
# default are the number of bundled training images, known once the data are loaded (see page_table).
PAGE_TABLE = {
    "train_samples": {
        "label": "Training samples", "type": "int", "default": None, "min": 1, "max": None,
        "help": "how many of the bundled training images to train on (the first ones)",
    },
    "stop_accuracy": {
        "label": "Stop when accuracy reaches (%)", "type": "fraction", "default": None, "min": 0.0,
        "min_exclusive": True, "max": 1.0, "nullable": True,
        "help": "stop the run once the test accuracy reaches this (empty: never)",
    },
    "training_data": {
        "label": "Training data", "type": "str", "default": "mnist", "choices": list(TRAINING_DATA),
        "help": "mnist: the bundled MNIST images; mnist+mine: those and My digits; mine: My digits only",
    },
}

# "Teach the network my digits": fine-tuning the model that answers on the learner's digits mixed with MNIST
# training images (nn_impl.finetune). Exported with the page-only settings; Session.configure_teaching checks them.
# The defaults were measured with bench/bench_teach.py (the README quotes it): the pre-trained model taught 30
# mirrored, thick, slanted digits reads 41 % -> 62.5 % of new ones in that style, and its MNIST test accuracy goes
# 98.57 % -> 98.01 %; without replay it learns them a little better (69.5 %) and falls to 92.9 %. 150 batches of
# 32 are 4 800 images, a few seconds in the tab for the pre-trained 784-128-64-10 (~2 000 samples/s there).
TEACHING_TABLE = {
    "replay_share": {
        "label": "MNIST share while teaching (%)", "type": "fraction", "default": 0.9, "min": 0.0, "max": 0.95,
        "help": "the part of every teaching batch that is MNIST training images, so the network does not "
                "forget MNIST (0: My digits only, which shows catastrophic forgetting)",
    },
    "teach_batches": {
        "label": "Teaching length (batches)", "type": "int", "default": 150, "min": 1, "max": 1000,
        "help": "how many batches of 32 images teaching takes (a few seconds in the tab by default)",
    },
    "teach_learning_rate": {
        "label": "Teaching learning rate", "type": "float", "default": 5e-4, "min": 0.0, "min_exclusive": True,
        "max": 1.0, "help": "Adam's step size while teaching (smaller than training's: it only adjusts)",
    },
}

# The exported form of every entry: exactly these keys, always (the page reads this format and nothing else).
EXPORTED_KEYS = (
    "label", "type", "default", "help", "nullable", "live", "page_only", "choices",
    "min", "max", "min_exclusive", "max_exclusive", "min_length", "max_length",
)


def cli_flag(name):
    """The command line's flag for a setting of :data:`TABLE`: ``learning_rate`` -> ``--learning-rate``."""
    return "--" + name.replace("_", "-")


def page_table(n_train):
    """:data:`PAGE_TABLE` for a page whose bundled data hold ``n_train`` training images."""
    table = {name: dict(spec) for name, spec in PAGE_TABLE.items()}
    table["train_samples"].update(
        default=n_train, max=n_train, help=f"how many of the {n_train} bundled training images to train on",
    )
    return table


def as_json(n_train=None):
    """The table as a JSON string ``{name: entry}``, every entry with exactly the keys of :data:`EXPORTED_KEYS`.

    ``type`` is one of ``int``, ``float``, ``fraction`` (a float the page shows as a percentage), ``str``,
    ``bool`` and ``int_tuple``; keys that do not apply are ``null`` (``false`` for the flags). Given ``n_train``,
    the page-only settings (:data:`PAGE_TABLE`, then :data:`TEACHING_TABLE`) follow the model's
    hyper-parameters, with ``"page_only": true``.
    """
    out = {}
    for name, spec in TABLE.items():
        out[name] = _exported(spec, page_only=False)
    if n_train is not None:
        for name, spec in {**page_table(n_train), **TEACHING_TABLE}.items():
            out[name] = _exported(spec, page_only=True)
    return json.dumps(out)


def _exported(spec, page_only):
    entry = {key: spec.get(key) for key in EXPORTED_KEYS}
    for flag in ("nullable", "live", "min_exclusive", "max_exclusive"):
        entry[flag] = bool(spec.get(flag, False))
    entry["page_only"] = page_only
    if isinstance(entry["default"], tuple):
        entry["default"] = list(entry["default"])
    return entry


def validate_page_settings(n_train, **kwargs):
    """Check the settings of :data:`PAGE_TABLE` (for a page holding ``n_train`` images) like :func:`validate`."""
    return _validate(page_table(n_train), kwargs)


def validate_teaching(**kwargs):
    """Check the settings of :data:`TEACHING_TABLE` like :func:`validate` does the rest."""
    return _validate(TEACHING_TABLE, kwargs)


def validate(**kwargs):
    """Check hyper-parameters against :data:`TABLE` and return them normalised (a new dict).

    Unknown names and bad values raise ``ValueError`` naming the parameter and what is allowed.
    Missing names are not filled in: pass the result of ``{**DEFAULTS, **kwargs}`` for a full set.
    """
    return _validate(TABLE, kwargs)


def _validate(table, values):
    out = {}
    for name, value in values.items():
        spec = table.get(name)
        if spec is None:
            raise ValueError(f"unknown hyper-parameter {name!r}; valid names: {', '.join(table)}")
        out[name] = _check(name, spec, value)
    return out


def _check(name, spec, value):
    if value is None:
        if spec.get("nullable"):
            return None
        raise ValueError(f"{name}: a value is required ({spec['help']})")
    kind = spec["type"]
    if "choices" in spec:
        if value not in spec["choices"]:
            raise ValueError(f"{name}: {value!r} is not one of {', '.join(map(str, spec['choices']))}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name}: must be True or False, got {value!r}")
        return value
    if kind == "int_tuple":
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            value = (value,)  # scikit-learn accepts a single int for one hidden layer
        sizes = tuple(_integer(f"{name} (each layer)", v) for v in value)
        if not spec["min_length"] <= len(sizes) <= spec["max_length"]:
            raise ValueError(
                f"{name}: {spec['min_length']} to {spec['max_length']} hidden layers, got {len(sizes)}")
        for v in sizes:
            _in_range(f"{name} (each layer)", spec, v)
        return sizes
    if kind == "int":
        value = _integer(name, value)
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValueError(f"{name}: must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{name}: must be a finite number, got {value}")
    _in_range(name, spec, value)
    return value


def _integer(name, value):
    """``value`` as an int; refuses 2.5, True and '3' (explicit types catch mistakes early)."""
    if isinstance(value, bool):
        raise ValueError(f"{name}: must be a whole number, got {value!r}")
    try:
        as_int = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name}: must be a whole number, got {value!r}") from None
    if isinstance(value, str) or as_int != value:
        raise ValueError(f"{name}: must be a whole number, got {value!r}")
    return as_int


def _in_range(name, spec, value):
    low, high = spec.get("min"), spec.get("max")
    if low is not None and (value <= low if spec.get("min_exclusive") else value < low):
        relation = "greater than" if spec.get("min_exclusive") else "at least"
        raise ValueError(f"{name}: must be {relation} {low}, got {value}")
    if high is not None and (value >= high if spec.get("max_exclusive") else value > high):
        relation = "less than" if spec.get("max_exclusive") else "at most"
        raise ValueError(f"{name}: must be {relation} {high}, got {value}")
