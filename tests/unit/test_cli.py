"""The command line: in-process through ``cli.main(argv)`` and, natively, as a real ``python -m nn_impl`` process.

Small IDX folders written here stand in for MNIST where the data's content does not matter; the tests that
need real digits use the cached full MNIST (skipped when it is absent, unless NN_IMPL_REQUIRE_MNIST is set).
"""

import gzip
import io
import json
import os
import pathlib
import struct
import subprocess
import sys
import types
import zlib

import numpy as np
import pytest

import nn_impl
from _support import optional_module
from nn_impl import cli, data, reference
from nn_impl.preprocess import to_mnist

PACKAGE_ROOT = pathlib.Path(nn_impl.__file__).resolve().parent.parent


def encode_png(pixels):
    """A minimal 8-bit PNG writer (filter 0 on every row); test_images.py checks the decoder on every filter.

    pixels: uint8 (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA.
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape[:2]
    colour_type = {2: 0, 3: 2}[pixels.ndim] if pixels.ndim == 2 or pixels.shape[2] == 3 else 6

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    scanlines = b"".join(b"\x00" + row.tobytes() for row in pixels.reshape(height, -1))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(scanlines)) + chunk(b"IEND", b""))


def _write_idx(path, array):
    """The IDX format: 0, 0, type 0x08 (uint8), number of dimensions, sizes as big-endian uint32, then bytes."""
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def _idx_folder(folder, arrays):
    folder.mkdir(exist_ok=True)
    for key, stem in data.MNIST_IDX_FILES.items():
        _write_idx(folder / f"{stem}.gz", arrays[key])
    return folder


def _stripes(n, seed):
    """A toy 10-class problem on 28x28 images: class k lights row band k. Learnable in one epoch."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    for i, k in enumerate(y):
        x[i, 2 + 2 * k:4 + 2 * k, :] = 255
    return x, y


@pytest.fixture
def toy_data(tmp_path):
    x_train, y_train = _stripes(1500, 0)
    x_test, y_test = _stripes(100, 1)
    return _idx_folder(tmp_path / "idx", {"x_train": x_train, "y_train": y_train,
                                          "x_test": x_test, "y_test": y_test})


@pytest.fixture(scope="module")
def mnist():
    try:
        return data.load_mnist()
    except FileNotFoundError as exc:
        if os.environ.get("NN_IMPL_REQUIRE_MNIST"):
            raise
        pytest.skip(str(exc))


# ------------------------------------------------------------------------------------------ in-process


def test_train_evaluate_on_an_idx_folder(toy_data, tmp_path, capsys):
    out = tmp_path / "model.npz"
    code = cli.main(["train", "--data", str(toy_data), "--epochs", "2", "--random-state", "0",
                     "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0].startswith("training MLPClassifier(")
    assert lines[1].startswith("epoch 1/2  loss ") and "test " in lines[1]
    assert lines[2].startswith("epoch 2/2  loss ")
    assert lines[-1] == f"saved {out}"
    assert printed.err == ""  # no progress bar: stderr is not a terminal here

    model = nn_impl.load(out)
    assert model.input_scaling == "unit" and model.epochs == 2 and model.random_state == 0
    test_line = [line for line in lines if line.startswith("test accuracy")][0]
    accuracy = float(test_line.split()[2])
    assert accuracy >= 0.9  # stripes are easy; a broken pipeline would be near 0.1

    assert cli.main(["evaluate", str(out), "--data", str(toy_data)]) == 0
    evaluated = capsys.readouterr().out.strip()
    assert evaluated.startswith(f"test accuracy {accuracy:.4f} (")
    assert evaluated.endswith("/100)")


def test_hyper_parameter_flags_reach_the_model(toy_data, tmp_path, capsys):
    out = tmp_path / "m.npz"
    code = cli.main(["train", "--data", str(toy_data), "--limit", "50", "--epochs", "1",
                     "--hidden-layer-sizes", "16,8,4", "--activation", "tanh", "--solver", "momentum",
                     "--learning-rate", "0.05", "--batch-size", "10", "--no-shuffle", "--dtype", "float64",
                     "--input-scaling", "tutorial", "--schedule", "constant", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "on 50 images" in printed.out
    params = nn_impl.load(out).get_params()
    assert tuple(params["hidden_layer_sizes"]) == (16, 8, 4)
    assert (params["activation"], params["solver"], params["batch_size"]) == ("tanh", "momentum", 10)
    assert params["learning_rate"] == 0.05 and params["shuffle"] is False
    assert (params["dtype"], params["input_scaling"]) == ("float64", "tutorial")


def test_every_table_parameter_has_a_flag_with_the_tables_choices():
    train = cli.build_parser()._subparsers._group_actions[0].choices["train"]
    flags = {a.dest: a for a in train._actions}
    for name, spec in nn_impl.params.TABLE.items():
        assert name in flags, name
        if "choices" in spec:
            expected = [c for c in spec["choices"] if c is not None] + (["none"] if spec.get("nullable") else [])
            assert list(flags[name].choices) == expected


@pytest.mark.parametrize("argv, message", [
    (["train", "--learning-rate", "-1"], "--learning-rate: must be greater than 0"),
    (["train", "--hidden-layer-sizes", "32,0"], "--hidden-layer-sizes (each layer): must be at least 1"),
    (["train", "--hidden-layer-sizes", "a,b"], "expected sizes like 32,24"),
    (["train", "--activation", "softplus"], "invalid choice: 'softplus'"),
    (["train", "--batch-size", "2.5"], "--batch-size: expected a whole number, got '2.5'"),
    (["train", "--learning-rate", "fast"], "--learning-rate: expected a number, got 'fast'"),
    (["train", "--random-state", "x"], "expected a whole number or 'none'"),
    (["train", "--limit", "0"], "must be at least 1"),
    (["train", "--preset", "tutorial", "--epochs", "3"], "takes no hyper-parameter flags (got --epochs)"),
    (["predict", "model.npz"], "the following arguments are required: IMAGE"),
    ([], "the following arguments are required"),
])
def test_bad_flags_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_data_and_model_files_exit_1(tmp_path, capsys):
    assert cli.main(["train", "--data", str(tmp_path / "nowhere")]) == 1
    assert "nowhere: not a folder" in capsys.readouterr().err
    assert cli.main(["evaluate", str(tmp_path / "missing.npz")]) == 1
    assert "missing.npz" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip file")
    assert cli.main(["predict", str(tmp_path / "junk.npz"), "x.png"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nn-impl: error: ") and "junk.npz" in err and "Traceback" not in err


def test_tutorial_preset_on_a_small_slice(toy_data, tmp_path, capsys):
    out = tmp_path / "t.npz"
    assert cli.main(["train", "--preset", "tutorial", "--data", str(toy_data), "--limit", "100",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "--limit 100 trains on a prefix of MNIST, so the numbers are not the tutorial's" in printed.err
    lines = printed.out.splitlines()
    assert lines[0].startswith("replaying the tutorial: seed 123")
    assert [line.split("  ")[0] for line in lines[1:11]] == [f"epoch {e}/10" for e in range(1, 11)]
    assert lines[11].startswith("test accuracy ") and lines[12] == f"saved {out}"
    model = nn_impl.load(out)
    assert (model.activation, model.loss, model.solver, model.input_scaling) == ("sigmoid", "mse", "sgd", "tutorial")
    assert cli.main(["evaluate", str(out), "--data", str(toy_data)]) == 0
    assert capsys.readouterr().out.startswith(lines[11] + " (")  # the saved model scores what the replay printed


def test_a_diverging_run_exits_1_and_saves_nothing(toy_data, tmp_path, capsys):
    out = tmp_path / "never.npz"
    code = cli.main(["train", "--data", str(toy_data), "--epochs", "1", "--solver", "sgd",
                     "--learning-rate", "1e6", "--random-state", "0", "--out", str(out)])
    assert code == 1
    assert "training diverged" in capsys.readouterr().err
    assert not out.exists()


def test_as_text_draws_the_input():
    digit = np.zeros((28, 28))
    digit[4:24, 13:15] = 255
    digit[4, 10:13] = 128
    lines = cli.as_text(digit).split("\n")
    assert len(lines) == 28
    assert lines[0] == "" and lines[10] == " " * 26 + "@@@@"
    assert lines[4] == " " * 20 + "++++++@@@@"  # 128 is level 5 of the 10


def test_predict_refuses_a_model_not_made_for_28x28_images(tmp_path, capsys):
    rng = np.random.default_rng(0)
    model = nn_impl.MLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    model.fit(rng.normal(size=(20, 5)), np.arange(20) % 2)
    model.save(tmp_path / "five.npz")
    image = tmp_path / "d.pgm"
    image.write_bytes(b"P5 3 3 255\n" + bytes([0, 0, 0, 0, 255, 0, 0, 0, 0]))
    assert cli.main(["predict", str(tmp_path / "five.npz"), str(image)]) == 1
    assert "takes 5 inputs, not 784" in capsys.readouterr().err


def test_tutorial_as_model_predicts_what_the_reference_predicts(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (300, 784), dtype=np.uint8)
    labels = rng.integers(0, 10, 300)
    np.random.seed(123)
    net = reference.AThreeLayerSimpleMLPC(784, 10)
    net.fit(reference.tutorial_normalize(pixels[:200]), labels[:200], epochs=1)
    model = cli.tutorial_as_model(net)
    expected = [net.predict(x) for x in reference.tutorial_normalize(pixels)]
    np.testing.assert_array_equal(model.predict(pixels), expected)
    sigmoid_outputs = np.hstack([net.forward(x) for x in reference.tutorial_normalize(pixels[:5])]).T
    proba = model.predict_proba(pixels[:5])
    np.testing.assert_allclose(proba, sigmoid_outputs / sigmoid_outputs.sum(axis=1, keepdims=True), rtol=1e-12)
    model.save(tmp_path / "t.npz")
    np.testing.assert_array_equal(nn_impl.load(tmp_path / "t.npz").predict(pixels), expected)


class _FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_train_draws_a_progress_bar_per_epoch_on_a_terminal(toy_data, capsys, monkeypatch):
    terminal = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    # 1500 images in batches of 4: 375 batches per epoch, reported every 50, so the bar moves within the epoch
    assert cli.main(["train", "--data", str(toy_data), "--epochs", "2", "--batch-size", "4",
                     "--random-state", "0"]) == 0
    drawn = terminal.getvalue()
    frames = [frame for frame in drawn.split("\r") if frame.startswith("epoch")]
    assert frames[0].startswith("epoch 1/2 [") and "] 50/375 batches  " in frames[0]
    assert " samples/s  ETA " in frames[0] and "  loss " in frames[0] and frames[0].endswith("\x1b[K")
    assert any(frame.startswith("epoch 2/2 [") and "] 350/375 batches" in frame for frame in frames)
    assert drawn.endswith("\r\x1b[K")  # wiped before each epoch's line and at the end
    lines = capsys.readouterr().out.splitlines()  # stdout holds only plain lines
    assert [line.split("  ")[0] for line in lines[1:3]] == ["epoch 1/2", "epoch 2/2"]
    assert lines[-1].startswith("test accuracy ") and "\r" not in "".join(lines)


def test_train_json_prints_one_object_per_epoch_and_a_last_one(toy_data, tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert cli.main(["train", "--data", str(toy_data), "--epochs", "3", "--random-state", "0", "--json",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr()
    events = [json.loads(line) for line in printed.out.splitlines()]  # nothing but JSON on stdout
    assert [e["event"] for e in events] == ["epoch", "epoch", "epoch", "done"]
    assert [e["epoch"] for e in events[:3]] == [1, 2, 3] and all(e["epochs"] == 3 for e in events[:3])
    assert {"loss", "train_accuracy", "val_accuracy", "samples_per_s", "seconds", "learning_rate"} <= set(events[0])
    assert events[-1]["saved"] == str(out) and events[-1]["test_accuracy"] == events[2]["val_accuracy"]
    assert printed.err == ""


def test_train_quiet_prints_only_the_result(toy_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stderr", _FakeTerminal())  # even on a terminal: no bar
    out = tmp_path / "m.npz"
    assert cli.main(["train", "--data", str(toy_data), "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("test accuracy ") and lines[1] == f"saved {out}"
    assert sys.stderr.getvalue() == ""
    with pytest.raises(SystemExit):
        cli.main(["train", "--quiet", "--json"])
    assert "not allowed with argument" in sys.stderr.getvalue()


# ------------------------------------------------------------------------------------- with real digits


@pytest.fixture(scope="module")
def digit_model(mnist, tmp_path_factory):
    """A fast-preset model trained in-process on 10000 MNIST digits for 2 epochs (about 95 % accurate)."""
    path = tmp_path_factory.mktemp("model") / "digits.npz"
    assert cli.main(["train", "--limit", "10000", "--epochs", "2", "--random-state", "1",
                     "--out", str(path)]) == 0
    return path


def _write_digit_files(folder, mnist, count):
    """MNIST test digits as files a person might have: 3x larger, black ink on white paper, PNG and PGM."""
    paths = []
    for i in range(count):
        paper = 255 - np.kron(mnist["x_test"][i], np.ones((3, 3), dtype=np.uint8))
        if i % 3 == 0:
            path = folder / f"digit{i}.pgm"
            path.write_bytes(b"P5 84 84 255\n" + paper.tobytes())
        else:
            rgb = np.repeat(paper[:, :, None], 3, axis=2) if i % 3 == 1 else paper
            path = folder / f"digit{i}.png"
            path.write_bytes(encode_png(rgb))
        paths.append(path)
    return paths


def test_predict_reads_digits_from_png_and_pgm(digit_model, mnist, tmp_path, capsys):
    paths = _write_digit_files(tmp_path, mnist, 30)
    assert cli.main(["predict", str(digit_model), *map(str, paths), "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert cli.main(["predict", str(digit_model), str(paths[0]), "--show"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == lines[0].split("  ")[0] and len(shown) == 29 and "@@" in "".join(shown[1:])
    assert len(lines) == 30
    predicted = []
    for path, line in zip(paths, lines):
        name, rest = line.split(": ", 1)
        assert name == str(path)
        digit, probability = rest.split()[:2]
        assert probability.startswith("(") and 0 < float(probability[1:]) <= 100
        assert rest.count("%") == 3  # the best digit and two runners-up
        predicted.append(int(digit))
    # The same digits, untouched, through the model: the files must not cost more than a couple of answers.
    model = nn_impl.load(digit_model)
    direct = model.predict(mnist["x_test"][:30])
    assert np.mean(np.array(predicted) == mnist["y_test"][:30]) >= 0.85
    assert np.sum(np.array(predicted) != direct) <= 3
    # and the file path gives exactly what to_mnist + predict give in Python
    assert predicted[0] == int(model.predict(to_mnist(255 - np.kron(mnist["x_test"][0], np.ones((3, 3))))[None])[0])


def test_predict_keeps_going_past_bad_files(digit_model, mnist, tmp_path, capsys):
    good = _write_digit_files(tmp_path, mnist, 2)[1]
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(good.read_bytes()[:60])
    blank = tmp_path / "blank.png"
    blank.write_bytes(encode_png(np.full((40, 40), 255, dtype=np.uint8)))
    code = cli.main(["predict", str(digit_model), str(corrupt), str(tmp_path / "none.png"), str(blank), str(good)])
    printed = capsys.readouterr()
    assert code == 1
    assert printed.out.startswith(f"{good}: ")
    assert "corrupt.png: corrupt PNG" in printed.err
    assert "none.png: no such file" in printed.err
    assert "blank.png: no digit found" in printed.err


def test_predict_reads_jpeg_and_gif_through_pillow(digit_model, mnist, tmp_path, capsys):
    pillow = optional_module("PIL.Image", "JPEG and other formats are read through Pillow")
    paths = []
    for i in range(20):
        paper = 255 - np.kron(mnist["x_test"][i], np.ones((3, 3), dtype=np.uint8))  # a photo-like scan
        path = tmp_path / (f"digit{i}.jpg" if i % 2 else f"digit{i}.gif")
        pillow.fromarray(paper).convert("RGB" if i % 2 else "L").save(path, quality=90)
        paths.append(path)
    assert cli.main(["predict", str(digit_model), *map(str, paths)]) == 0
    predicted = [int(line.split(": ")[1].split()[0]) for line in capsys.readouterr().out.splitlines()]
    assert len(predicted) == 20 and np.mean(np.array(predicted) == mnist["y_test"][:20]) >= 0.85


def test_predict_without_pillow_says_how_to_get_it(digit_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # as on an install without Pillow: `import PIL` fails
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert cli.main(["predict", str(digit_model), str(photo)]) == 1
    assert "photo.jpg: .jpg images are read through Pillow, which is not installed: `pip install pillow`" \
        in capsys.readouterr().err


# --------------------------------------------------------------------------------- as a real process


def _run(*args, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "nn_impl", *args], capture_output=True, text=True, env=env,
                          timeout=300, **kwargs)


@pytest.mark.native_only
def test_python_m_nn_impl_train_evaluate_predict(mnist, tmp_path):
    model = tmp_path / "m.npz"
    trained = _run("train", "--limit", "3000", "--epochs", "1", "--random-state", "0", "--out", str(model))
    assert trained.returncode == 0, trained.stderr
    assert "epoch 1/1  loss" in trained.stdout and "\r" not in trained.stderr
    evaluated = _run("evaluate", str(model))
    assert evaluated.returncode == 0, evaluated.stderr
    accuracy = float(evaluated.stdout.split()[2])
    assert 0.7 <= accuracy < 1.0  # 1 epoch on 3000 digits: ~78 %; a broken pipeline gives ~10 %
    assert f"test accuracy {accuracy:.4f}" in trained.stdout  # the train run reported the same model

    digit = _write_digit_files(tmp_path, mnist, 2)[1]
    predicted = _run("predict", str(model), str(digit))
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.startswith(f"{digit}: ")


@pytest.mark.native_only
def test_python_m_nn_impl_error_exit_codes(tmp_path):
    usage = _run("train", "--solver", "lbfgs")
    assert usage.returncode == 2 and "invalid choice: 'lbfgs'" in usage.stderr
    missing = _run("evaluate", str(tmp_path / "missing.npz"))
    assert missing.returncode == 1 and missing.stderr.startswith("nn-impl: error:")
    assert "Traceback" not in missing.stderr
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"nn_impl {nn_impl.__version__}"


def test_predict_refuses_a_huge_png_from_its_header_and_names_the_file(digit_model, tmp_path, capsys, monkeypatch):
    side = 7000  # 49 M pixels: 2.3 GB as the preprocessing's floats, a few kilobytes as a PNG of white
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compressobj(9)
    scanlines = rows.compress((b"\x00" + b"\xff" * side) * side) + rows.flush()

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    huge = tmp_path / "photo-7000.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", scanlines) + chunk(b"IEND", b""))
    assert huge.stat().st_size < 200_000

    def never(*args, **kwargs):
        raise AssertionError("the PNG was decompressed")

    from nn_impl import images

    monkeypatch.setattr(images, "zlib", types.SimpleNamespace(crc32=zlib.crc32, decompress=never, decompressobj=never))
    code = cli.main(["predict", str(digit_model), str(huge)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{huge}: the image is 7000x7000 = 49,000,000 pixels, more than the 16,777,216" in err


def test_predict_names_the_file_when_the_preprocessing_refuses_it(digit_model, tmp_path, capsys):
    path = tmp_path / "nan.npy"
    np.save(path, np.full((2, 2), 300.0))
    assert cli.main(["predict", str(digit_model), str(path)]) == 1
    assert f"{path}: image values must lie in [0, 255]" in capsys.readouterr().err
