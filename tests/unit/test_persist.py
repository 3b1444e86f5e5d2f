"""nn_impl.persist: the model file round-trips exactly, and every kind of bad file is refused with a clear error."""

import io
import json

import numpy as np
import pytest

import nn_impl
from nn_impl import persist

from _support import npz_members, rewritten_npz


def _fitted(dtype="float32", hidden=(6, 5), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (60, 16)).astype(np.uint8)
    y = np.arange(60) % 4
    model = nn_impl.MLPClassifier(
        hidden_layer_sizes=hidden, epochs=2, batch_size=16, random_state=seed, dtype=dtype, input_scaling="unit"
    )
    model.fit(X, y)
    return model, X


@pytest.fixture(scope="module")
def fitted():
    return _fitted()


def _saved_bytes(model):
    buffer = io.BytesIO()
    persist.save_model(model, buffer)
    return buffer.getvalue()


def _with_config(raw, **config_changes):
    config = json.loads(str(npz_members(raw)["config"][()]))
    config.update(config_changes)
    return rewritten_npz(raw, config=np.array(json.dumps(config)))


# ---------------------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_through_a_path_keeps_everything(tmp_path, dtype):
    model, X = _fitted(dtype=dtype)
    path = tmp_path / "model.npz"
    persist.save_model(model, path)
    loaded = nn_impl.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.history_ == json.loads(json.dumps(model.history_))
    assert loaded.loss_curve_ == pytest.approx(model.loss_curve_)


def test_config_is_plain_json_with_the_documented_fields(fitted):
    model, _ = fitted
    config = json.loads(str(npz_members(_saved_bytes(model))["config"][()]))
    assert config["format"] == "nn_impl.mlp" and config["format_version"] == 1
    assert config["nn_impl_version"] == nn_impl.__version__
    assert config["layer_sizes"] == [16, 6, 5, 4] and config["n_classes"] == 4
    assert config["params"]["hidden_layer_sizes"] == [6, 5]
    assert len(config["history"]) == 2


@pytest.mark.parametrize("form", ["bytes", "bytearray", "memoryview", "file", "str"])
def test_load_accepts_bytes_files_and_strings(tmp_path, fitted, form):
    model, X = fitted
    raw = _saved_bytes(model)
    (tmp_path / "m.npz").write_bytes(raw)
    source = {
        "bytes": raw,
        "bytearray": bytearray(raw),
        "memoryview": memoryview(raw),
        "file": io.BytesIO(raw),
        "str": str(tmp_path / "m.npz"),
    }[form]
    np.testing.assert_array_equal(nn_impl.load(source).predict(X), model.predict(X))


def test_save_uses_the_exact_path_and_replaces_an_old_file(tmp_path, fitted):
    model, X = fitted
    path = tmp_path / "digits.model"  # NumPy's savez would have written digits.model.npz
    path.write_bytes(b"old")
    persist.save_model(model, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits.model"]
    np.testing.assert_array_equal(nn_impl.load(path).predict(X), model.predict(X))


def test_the_same_model_always_gives_the_same_bytes(fitted):
    assert _saved_bytes(fitted[0]) == _saved_bytes(fitted[0])


def test_model_save_delegates_to_persist(tmp_path, fitted):
    model, X = fitted
    model.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(nn_impl.load(tmp_path / "m.npz").predict(X), model.predict(X))


def test_saving_an_unfitted_model_fails_and_leaves_the_old_file(tmp_path):
    path = tmp_path / "keep.npz"
    path.write_bytes(b"precious")
    with pytest.raises(ValueError, match="not fitted"):
        persist.save_model(nn_impl.MLPClassifier(), path)
    assert path.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.npz"]


def test_non_finite_history_becomes_json_null(fitted):
    model, _ = _fitted(seed=1)
    model.history_[0]["val_accuracy"] = float("nan")
    config_text = str(npz_members(_saved_bytes(model))["config"][()])
    assert "NaN" not in config_text  # JSON.parse in the browser rejects it
    assert json.loads(config_text)["history"][0]["val_accuracy"] is None


# ---------------------------------------------------------------------------------------------- bad files


def test_not_a_zip(tmp_path):
    (tmp_path / "x.npz").write_text("<!doctype html>404")
    with pytest.raises(ValueError, match="not a zip archive"):
        nn_impl.load(tmp_path / "x.npz")


def test_missing_file_and_bad_source(tmp_path):
    with pytest.raises(ValueError, match="no such model file"):
        nn_impl.load(tmp_path / "absent.npz")
    with pytest.raises(ValueError, match="expected a path, bytes or a binary file"):
        nn_impl.load(3.5)


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9, 0.99])
def test_truncated(fitted, keep):
    raw = _saved_bytes(fitted[0])
    with pytest.raises(ValueError, match="truncated|corrupt|not a readable"):
        nn_impl.load(raw[: int(len(raw) * keep)])


def test_corrupted_byte_in_a_compressed_member(fitted):
    raw = bytearray(_saved_bytes(fitted[0]))
    middle = len(raw) // 3
    raw[middle : middle + 8] = bytes(8)
    with pytest.raises(ValueError):
        nn_impl.load(bytes(raw))


def test_object_arrays_are_never_unpickled(fitted):
    raw = rewritten_npz(_saved_bytes(fitted[0]), intercept_0=np.array([{"boom": 1}] * 6, dtype=object))
    with pytest.raises(ValueError, match="pickled Python objects"):
        nn_impl.load(raw)


def test_a_dataset_is_not_a_model():
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="no 'config' member"):
        nn_impl.load(buffer.getvalue())


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(coef_2=None), "missing coef_2"),
        (dict(intercept_0=None), "missing intercept_0"),
        (dict(coef_3=np.zeros((4, 4), np.float32)), "unexpected coef_3"),
        (dict(coef_1=np.zeros((6, 7), np.float32)), "coef_1 has shape \\(6, 7\\).*do not chain"),
        (dict(intercept_2=np.zeros((1, 4), np.float32)), "intercept_2 has shape"),
        (dict(coef_0=np.zeros((16, 6), np.int32)), "coef_0 has dtype int32"),
        (dict(intercept_1=np.zeros(5, np.float16)), "float16"),
    ],
    ids=["missing-coef", "missing-intercept", "extra", "chain", "intercept-shape", "int-dtype", "half"],
)
def test_weight_members_are_checked(fitted, changes, message):
    with pytest.raises(ValueError, match=message):
        nn_impl.load(rewritten_npz(_saved_bytes(fitted[0]), **changes))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights(fitted, bad):
    coef = fitted[0].coefs_[1].copy()
    coef[2, 3] = bad
    with pytest.raises(ValueError, match="coef_1 contains NaN or infinite"):
        nn_impl.load(rewritten_npz(_saved_bytes(fitted[0]), coef_1=coef))


@pytest.mark.parametrize(
    "config, message",
    [
        (np.array("{not json"), "not valid JSON"),
        (np.array("[1, 2]"), "JSON object"),
        (np.array(["{}", "{}"]), "0-d unicode array"),
        (np.array(b'{"format": "nn_impl.mlp"}'), "0-d unicode array"),
    ],
    ids=["syntax", "list", "1-d", "bytes"],
)
def test_config_must_be_json_text(fitted, config, message):
    with pytest.raises(ValueError, match=message):
        nn_impl.load(rewritten_npz(_saved_bytes(fitted[0]), config=config))


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(format="keras"), "format is 'keras'"),
        (dict(format_version=3), "unknown format_version 3.*newer nn_impl"),
        (dict(format_version=2), "'classes' must be a list of 4 distinct"),
        (dict(classes=["a", "b", "c", "d"]), "'classes' must be a list of 4 distinct"),
        (dict(format_version=2, classes=["a", "b", "c"]), "'classes' must be a list of 4 distinct"),
        (dict(format_version=2, classes=["a", "b", "c", "c"]), "'classes' must be a list of 4 distinct"),
        (dict(format_version=2, classes=["a", 1, "c", "d"]), "'classes' must be a list of 4 distinct"),
        (dict(format_version=2, classes=["b", "a", "c", "d"]), "'classes' must be sorted"),
        (dict(format_version="1"), "unknown format_version '1'"),
        (dict(layer_sizes=[16]), "layer_sizes must be"),
        (dict(layer_sizes=[16, 0, 5, 4]), "layer_sizes must be"),
        (dict(layer_sizes=[16, 6, 5, 4.0]), "layer_sizes must be"),
        (dict(n_classes=10), "n_classes is 10 but the output layer has 4"),
        (dict(params=[1]), "'params' must be"),
        (dict(history={"loss": 1}), "'history' must be"),
        (dict(history=[{"epoch": 1}]), "'history' must be"),
        (dict(layer_sizes=[16, 6, 4]), "missing|unexpected"),
    ],
    ids=["format", "newer", "v2-without-classes", "v1-with-classes", "too-few-classes", "repeated-class",
         "mixed-classes", "unsorted-classes", "string-version", "short", "zero", "float", "n_classes", "params", "history", "no-loss",
         "sizes-vs-members"],
)
def test_config_contents_are_checked(fitted, changes, message):
    with pytest.raises(ValueError, match=message):
        nn_impl.load(_with_config(_saved_bytes(fitted[0]), **changes))


def test_params_from_elsewhere_are_refused_clearly(fitted):
    raw = _saved_bytes(fitted[0])
    params = fitted[0].get_params()
    with pytest.raises(ValueError, match="do not fit this version"):
        nn_impl.load(_with_config(raw, params={**params, "dropout": 0.5}))
    with pytest.raises(ValueError, match="hidden_layer_sizes=\\[6, 6\\].*hidden layers \\[6, 5\\]"):
        nn_impl.load(_with_config(raw, params={**params, "hidden_layer_sizes": [6, 6]}))


def test_invalid_param_values_surface_as_value_errors(fitted):
    raw = _saved_bytes(fitted[0])
    params = fitted[0].get_params()
    with pytest.raises(ValueError):
        nn_impl.load(_with_config(raw, params={**params, "dtype": "int8"}))


@pytest.mark.parametrize("hidden, message", [(None, "a value is required"), ({"a": 1}, "whole number"),
                                             (6, r"hidden layers \[6, 5\]")])
def test_hidden_layer_sizes_of_any_json_type_give_value_errors(fitted, hidden, message):
    raw = _saved_bytes(fitted[0])
    with pytest.raises(ValueError, match=message):
        nn_impl.load(_with_config(raw, params={**fitted[0].get_params(), "hidden_layer_sizes": hidden}))


def test_size_caps(monkeypatch, tmp_path, fitted):
    raw = _saved_bytes(fitted[0])
    monkeypatch.setattr(persist, "MAX_PARAMETERS", 100)
    with pytest.raises(ValueError, match="parameters, more than the 100"):
        nn_impl.load(raw)
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", len(raw) - 1)
    for source in (raw, io.BytesIO(raw)):
        with pytest.raises(ValueError, match="MiB a model file may have"):
            nn_impl.load(source)
    (tmp_path / "big.npz").write_bytes(raw)
    with pytest.raises(ValueError, match="MiB a model file may have"):
        nn_impl.load(tmp_path / "big.npz")


def test_a_zip_bomb_is_refused_before_inflating(monkeypatch, fitted):
    # 8 MiB of zeros compresses to a few KiB: the cap must apply to what the members would inflate to
    members = npz_members(_saved_bytes(fitted[0]))
    members["padding"] = np.zeros(2**20)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **members)
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", 2**22)
    assert len(buffer.getvalue()) < 2**22
    with pytest.raises(ValueError, match="would take more than 4 MiB"):
        nn_impl.load(buffer.getvalue())
