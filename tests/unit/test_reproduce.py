"""A page run written out for CPython (nn_impl.reproduce): the command parses with the CLI of the same version and
means the same settings, and the Python code trains exactly what the command trains."""

import io
import json
import os
import shlex
from contextlib import redirect_stdout

import numpy as np
import pytest

from nn_impl import cli, data, params
from nn_impl.reproduce import reproduction
from nn_impl.session import Session
from nn_impl.worker_requests import handle

# The page's form after the Fast preset (web/settings.js), and the tutorial's settings.
FAST = {"hidden_layer_sizes": [32, 24], "activation": "relu", "loss": "cross_entropy", "solver": "adam",
        "learning_rate": 0.003, "batch_size": 64, "epochs": 10, "train_samples": 20000, "init": "auto",
        "input_scaling": "unit", "schedule": "cosine", "random_state": 1, "stop_accuracy": None}
TUTORIAL = {**FAST, "activation": "sigmoid", "loss": "mse", "solver": "sgd", "learning_rate": 0.01, "batch_size": 1,
            "init": "tutorial", "input_scaling": "tutorial", "schedule": "constant"}


def parsed_settings(command):
    """What `nn-impl train` would train with, given the command's words: (settings, --limit)."""
    words = shlex.split(command)
    assert words[:2] == ["nn-impl", "train"]
    args = cli.build_parser().parse_args(words[1:])
    given = {name: None if getattr(args, name) == "none" else getattr(args, name)
             for name in params.TABLE if getattr(args, name) is not None}
    return params.validate(**{**cli.TRAIN_DEFAULTS, **given}), args.limit


@pytest.mark.parametrize("config", [
    FAST, TUTORIAL,
    {**FAST, "hidden_layer_sizes": [], "input_scaling": None, "random_state": None, "train_samples": 300},
    {**FAST, "hidden_layer_sizes": [128, 64, 10], "learning_rate": 1e-05, "epochs": 1, "train_samples": None},
], ids=["fast", "tutorial", "no-hidden-no-seed", "deep"])
def test_the_command_parses_to_the_same_settings(config):
    shown = reproduction(config, n_available=20000)
    settings, limit = parsed_settings(shown["command"])
    expected = params.validate(**{k: v for k, v in config.items() if k in params.TABLE})
    assert {k: settings[k] for k in expected} == expected
    assert {k: settings[k] for k in params.TABLE if k not in expected} == \
        {k: params.DEFAULTS[k] for k in params.TABLE if k not in expected}
    assert limit == (config["train_samples"] or 20000)
    compile(shown["python"], "reproduce.py", "exec")
    assert f'mnist["x_train"][:{limit}]' in shown["python"]
    assert ("No seed is set" in " ".join(shown["notes"])) == (config["random_state"] is None)


def test_only_the_settings_that_differ_are_spelled_out_besides_the_seed():
    shown = reproduction(FAST, n_available=20000)
    assert shown["command"] == "nn-impl train --limit 20000 --learning-rate 0.003 --batch-size 64 --random-state 1"
    assert "input_scaling=\"unit\"" in shown["python"] and "activation" not in shown["python"]


def test_a_stop_accuracy_becomes_a_callback_and_a_note():
    shown = reproduction({**FAST, "stop_accuracy": 0.95}, n_available=20000)
    assert 'callback=lambda epoch: epoch["val_accuracy"] < 0.95' in shown["python"]
    assert "no stop-at-accuracy" in shown["notes"][0]


@pytest.mark.parametrize("change, message", [
    ({"learning_rate": -1}, "learning_rate: must be greater than 0"),
    ({"train_samples": 20001}, "train_samples: must be at most 20000"),
    ({"activation": "softplus"}, "activation"),
])
def test_bad_settings_are_refused_by_name(change, message):
    with pytest.raises(ValueError, match=message):
        reproduction({**FAST, **change}, n_available=20000)


def test_the_worker_request(session_with_data):
    shown = handle(session_with_data, "reproduce", {"config": {**FAST, "train_samples": 40}})
    assert shown["command"].startswith("nn-impl train --limit 40 ")


@pytest.fixture
def session_with_data():
    from test_session import dataset_bytes  # tests/unit is on sys.path (tests/conftest.py)

    session = Session()
    session.load(dataset_bytes())
    return session


@pytest.mark.native_only
def test_the_python_code_trains_what_the_command_trains():
    try:
        data.load_mnist()
    except FileNotFoundError as exc:
        if os.environ.get("NN_IMPL_REQUIRE_MNIST"):
            raise
        pytest.skip(str(exc))
    shown = reproduction({**FAST, "train_samples": 600, "epochs": 2, "random_state": 4}, n_available=20000)
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert cli.main(shlex.split(shown["command"])[1:] + ["--json"]) == 0
    by_command = json.loads(printed.getvalue().splitlines()[-1])["test_accuracy"]
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(compile(shown["python"], "reproduce.py", "exec"), {})
    by_code = float(printed.getvalue().split()[-1])
    assert by_code == pytest.approx(round(by_command, 4), abs=1e-9)  # the same run on CPython: not just close
    assert by_code > 0.5 and not np.isnan(by_code)
