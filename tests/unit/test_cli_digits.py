"""The command line with a learner's own digits: ``nn-impl train --extra-data`` and ``nn-impl finetune``."""

import re

import numpy as np
import pytest

from nn_impl import MLPClassifier, cli, digit_sets, finetune, params
from nn_impl.reproduce import reproduction
from test_cli import _stripes, toy_data  # noqa: F401  (toy_data: test_cli's fixture, an IDX folder of stripes)


def upright_stripes(n, seed):
    """The stripes task in another hand: class k lights column band k instead of row band k."""
    x, y = _stripes(n, seed)
    return np.ascontiguousarray(x.transpose(0, 2, 1)), y


def test_train_with_extra_data_adds_the_digits(toy_data, tmp_path, capsys):
    (tmp_path / "mine.npz").write_bytes(digit_sets.to_npz(*upright_stripes(40, 2)))
    code = cli.main(["train", "--data", str(toy_data), "--epochs", "1", "--random-state", "0",
                     "--extra-data", str(tmp_path / "mine.npz")])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "on 1540 images, testing on 100" in printed.out.splitlines()[0]


def test_extra_data_with_bad_rows_is_refused_naming_them(toy_data, tmp_path, capsys):
    (tmp_path / "mine.csv").write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n"
                                       + "11," + ",".join(["0"] * 784) + "\n")
    code = cli.main(["train", "--data", str(toy_data), "--extra-data", str(tmp_path / "mine.csv")])
    assert code == cli.EXIT_FAILURE
    assert "mine.csv: 1 of its digits cannot be used: row 2: label 11 is not a digit 0-9" in capsys.readouterr().err


def test_finetune_prints_before_and_after_and_saves_the_taught_model(toy_data, tmp_path, capsys):
    model = MLPClassifier(hidden_layer_sizes=(32,), epochs=3, input_scaling="unit", random_state=0)
    model.fit(*_stripes(1500, 0))
    model.save(tmp_path / "model.npz")
    (tmp_path / "mine.npz").write_bytes(digit_sets.to_npz(*upright_stripes(80, 3)))
    code = cli.main(["finetune", str(tmp_path / "model.npz"), str(tmp_path / "mine.npz"), "--data", str(toy_data),
                     "--teach-learning-rate", "0.003", "--out", str(tmp_path / "taught.npz")])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()
    defaults = {name: spec["default"] for name, spec in params.TEACHING_TABLE.items()}  # the page's
    held = len(finetune.split_held_out(upright_stripes(80, 3)[1])[1])
    assert re.match(rf"teaching .*model.npz {80 - held} of the 80 digits in .*mine.npz "
                    rf"\({held} held out to score them\); {defaults['teach_batches']} batches, "
                    rf"{100 * defaults['replay_share']:g} % MNIST replay, "
                    r"learning rate 0.003$", lines[0]), lines[0]
    before, after = (float(re.search(r"my digits ([\d.]+) %", line).group(1)) for line in lines[1:3])
    assert lines[1].startswith("before: my digits ") and lines[2].startswith("after:  my digits ")
    assert after > before + 30
    assert lines[3] == f"saved {tmp_path / 'taught.npz'}"
    taught = cli._load_model(tmp_path / "taught.npz")
    x_new, y_new = upright_stripes(100, 4)
    assert taught.score(x_new, y_new) > model.score(x_new, y_new) + 0.3


def test_finetune_flags_are_checked_by_the_table(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["finetune", "m.npz", "d.npz", "--replay-share", "2"])
    assert exit_info.value.code == cli.EXIT_USAGE
    assert "--replay-share: must be at most 0.95, got 2.0" in capsys.readouterr().err


def test_a_page_run_on_my_digits_is_written_out_with_extra_data():
    page_run = {"hidden_layer_sizes": [32, 24], "epochs": 10, "train_samples": 20000, "random_state": 1}
    shown = reproduction({**page_run, "training_data": "mnist+mine"}, n_available=20000)
    assert shown["command"].endswith(" --extra-data my-digits.npz")
    args = cli.build_parser().parse_args(shown["command"].split()[1:])
    assert args.extra_data == "my-digits.npz" and args.limit == 20000
    assert "Export my digits" in " ".join(shown["notes"])
    alone = reproduction({**page_run, "training_data": "mine"}, n_available=20000)
    assert "--extra-data" not in alone["command"] and "load_digits" in " ".join(alone["notes"])
