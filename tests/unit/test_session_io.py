"""nn_impl.session.Session: predict a drawing, export/import the model, inspect it.

The worker calls these methods with what the page sends (canvas RGBA bytes as a memoryview, file bytes) and turns
every ndarray in the reply into a typed array, so the tests call them the same way.
"""

import io
import json
import zipfile

import numpy as np
import pytest

import nn_impl
from nn_impl import data, params, persist
from nn_impl.preprocess import to_mnist
from nn_impl.session import Session
from test_session import dataset_bytes  # the same small learnable dataset as the session tests

SIDE = 140  # a small canvas: the page's is 280×280, the preprocessing does not care


def _dataset_bytes(n_train=300, n_test=90, seed=0):
    """The session tests' small learnable dataset (a bright bar whose row band is the label), a bit larger."""
    return dataset_bytes(n_train, n_test, seed)


def _model_bytes(hidden=(12,), seed=1, n_features=784, epochs=3):
    """A fitted model's .npz bytes, trained on the same kind of data as the session's."""
    with np.load(io.BytesIO(_dataset_bytes(seed=seed))) as d:
        x, y = d["x_train"].reshape(-1, 784)[:, :n_features], d["y_train"]
    model = nn_impl.MLPClassifier(hidden_layer_sizes=hidden, epochs=epochs, batch_size=32, random_state=seed,
                                  input_scaling="unit", learning_rate=0.01)
    model.fit(x, y)
    buffer = io.BytesIO()
    persist.save_model(model, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pretrained_bytes():
    return _model_bytes()


@pytest.fixture
def session(pretrained_bytes):
    s = Session()
    info = s.load(dataset=memoryview(_dataset_bytes()), pretrained=memoryview(pretrained_bytes))
    assert info["model"] == "pre-trained"
    return s


def _canvas(draw):
    """RGBA bytes of a transparent SIDE×SIDE canvas on which ``draw(alpha)`` paints black ink (as the page does)."""
    alpha = np.zeros((SIDE, SIDE))
    draw(alpha)
    rgba = np.zeros((SIDE, SIDE, 4), np.uint8)
    rgba[..., 3] = np.clip(alpha * 255, 0, 255).astype(np.uint8)
    return memoryview(rgba.tobytes()), [SIDE, SIDE, 4]


def _seven(alpha):
    alpha[20:30, 30:110] = 1.0  # the top bar
    for row in range(30, 125):  # the diagonal down to the left
        col = int(110 - (row - 30) * 0.6)
        alpha[row, col - 5:col + 5] = 1.0


# ---------------------------------------------------------------------------------------------- predict


def test_predict_answers_with_the_current_model_on_the_preprocessed_drawing(session):
    image, shape = _canvas(_seven)
    result = session.predict(image=image, shape=shape)
    assert result["empty"] is False
    assert result["model"] == "pre-trained" and result["layer_sizes"] == [784, 12, 10]
    # the same pixels through the public pieces, independently of the session
    rgba = np.frombuffer(image, np.uint8).reshape(shape)
    expected_input = to_mnist(rgba)
    np.testing.assert_array_equal(result["input"], expected_input)
    assert result["input"].shape == (28, 28) and result["input"].dtype == np.float32
    expected = session.model.predict_proba(expected_input.reshape(1, 784))[0]
    np.testing.assert_allclose(result["proba"], expected, rtol=1e-6)
    assert result["proba"].dtype == np.float32 and result["proba"].shape == (10,)
    assert abs(float(result["proba"].sum()) - 1.0) < 1e-5
    assert result["digit"] == int(np.argmax(expected))


def test_a_blank_canvas_gives_no_prediction_not_a_guess(session):
    image, shape = _canvas(lambda alpha: None)
    result = session.predict(image=image, shape=shape)
    assert result["empty"] is True
    assert result["digit"] is None and result["proba"] is None and result["input"] is None


def test_predict_accepts_grey_and_rgb_photos_dark_on_light():
    s = Session()
    s.load(dataset=_dataset_bytes(), pretrained=_model_bytes())
    paper = np.full((90, 70), 230, np.uint8)
    paper[20:70, 30:40] = 25  # a dark "1" on light paper
    grey = s.predict(image=paper.ravel().tolist(), shape=[90, 70])
    rgb = s.predict(image=np.repeat(paper[..., None], 3, axis=2).tobytes(), shape=[90, 70, 3])
    assert grey["digit"] is not None and grey["digit"] == rgb["digit"]
    np.testing.assert_allclose(grey["input"], rgb["input"], atol=1e-3)
    # white ink on black: the bright stroke lands in the middle of the 28×28 field
    assert grey["input"][14, 14] > 200 and grey["input"][0].max() == 0


def test_predict_without_a_model_still_shows_the_input():
    s = Session()
    s.load(dataset=_dataset_bytes())
    image, shape = _canvas(_seven)
    result = s.predict(image=image, shape=shape)
    assert result["model"] is None and result["digit"] is None and result["proba"] is None
    assert result["input"].shape == (28, 28)


@pytest.mark.parametrize(
    "image, shape, message",
    [
        (b"\x00" * 12, [2, 2, 4], "16 values do not fill|12 values do not fill"),
        (b"\x00" * 16, "big", "shape: expected"),
        (None, [2, 2], "image: no pixels"),
        (b"\x00" * 10, [10], "image must have shape"),
    ],
    ids=["too-few-values", "bad-shape", "no-pixels", "one-dimensional"],
)
def test_predict_rejects_malformed_pixels_clearly(session, image, shape, message):
    with pytest.raises(ValueError, match=message):
        session.predict(image=image, shape=shape)


def test_the_model_being_trained_answers_once_training_starts(session):
    session.configure(dict(hidden_layer_sizes=[8], epochs=1, batch_size=30, input_scaling="unit", random_state=5,
                           train_samples=300))
    image, shape = _canvas(_seven)
    assert session.predict(image=image, shape=shape)["model"] == "pre-trained"
    session.train(n_batches=2)
    result = session.predict(image=image, shape=shape)
    assert result["model"] == "training" and result["layer_sizes"] == [784, 8, 10]


# ---------------------------------------------------------------------------------------------- export / import


def test_export_gives_the_file_cpython_loads_with_the_same_predictions(session):
    exported = session.export()
    assert exported["bytes"].dtype == np.uint8
    assert exported["filename"] == "nn_impl-pre-trained-784-12-10.npz"
    assert exported["model"] == "pre-trained"
    model = nn_impl.load(exported["bytes"].tobytes())
    x_test = session.dataset["x_test"]
    np.testing.assert_array_equal(model.predict_proba(x_test), session.model.predict_proba(x_test))


def test_import_makes_the_cpython_model_answer(session):
    raw = _model_bytes(hidden=(7, 5), seed=4)
    reply = session.import_model(data=memoryview(raw))
    assert reply["model"] == "imported" and reply["layer_sizes"] == [784, 7, 5, 10]
    cpython = nn_impl.load(raw)
    x_test = session.dataset["x_test"]
    assert reply["test_accuracy"] == pytest.approx(cpython.score(x_test, session.dataset["y_test"]))
    np.testing.assert_array_equal(session.model.predict(x_test), cpython.predict(x_test))
    image, shape = _canvas(_seven)
    assert session.predict(image=image, shape=shape)["model"] == "imported"
    assert session.export()["filename"] == "nn_impl-imported-784-7-5-10.npz"


def _members(raw):
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def _rewritten(raw, **changes):
    members = _members(raw)
    members.update(changes)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    return buffer.getvalue()


def _bad_files(good):
    members = _members(good)
    nan_coef = members["coef_0"].copy()
    nan_coef[3, 2] = np.nan
    return {
        "truncated": (good[: len(good) // 2], "truncated"),
        "not an npz": (b"%PDF-1.4 this is not a model", "not a zip archive"),
        "wrong shapes": (_rewritten(good, coef_1=np.zeros((5, 10), np.float32)), "do not chain"),
        "NaN weights": (_rewritten(good, coef_0=nan_coef), "NaN or infinite"),
        "pickled object": (_rewritten(good, intercept_0=np.array([{"x": 1}] * 12, dtype=object)), "pickled"),
        "too large": (b"PK" + bytes(persist.MAX_FILE_BYTES), "larger than"),
        "a dataset": (_dataset_bytes(n_train=10, n_test=10), "not an nn_impl model"),
        "wrong input size": (_model_bytes(n_features=100), "takes 100 inputs"),
        "many classes": (_weights_file([784, 8, 3000]), "answers 3000 classes, but this page recognises the 10"),
        "many members": (_many_members(100_000), "lists more than 65 535 members"),
        "zip bomb": (_zip_bomb(good), "would take more than 64 MiB"),
    }


def _weights_file(sizes):
    """A valid model file of any layer sizes, its weights small random numbers."""
    rng = np.random.default_rng(0)
    model = nn_impl.MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), input_scaling="unit")
    coefs = [rng.normal(0, 0.1, (a, b)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    model.set_weights(coefs, [np.zeros(b, np.float32) for b in sizes[1:]])
    buffer = io.BytesIO()
    persist.save_model(model, buffer)
    return buffer.getvalue()


def _zip_bomb(good):
    """The good file plus a compressed member of 128 MiB of zeros (a few hundred KiB on disk)."""
    members = _members(good)
    members["padding"] = np.zeros(2**27, np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **members)
    return buffer.getvalue()


def _many_members(n):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for i in range(n):
            archive.writestr(f"m{i}.npy", b"")
    return buffer.getvalue()


BAD_FILE_KINDS = ["truncated", "not an npz", "wrong shapes", "NaN weights", "pickled object", "too large",
                  "a dataset", "wrong input size", "many classes", "many members", "zip bomb"]


@pytest.fixture(scope="module")
def bad_files(pretrained_bytes):
    return _bad_files(pretrained_bytes)


@pytest.mark.parametrize("kind", BAD_FILE_KINDS)
def test_a_bad_file_is_refused_and_the_current_model_keeps_working(session, bad_files, kind):
    raw, message = bad_files[kind]
    before = session.model
    exported = session.export()["bytes"].tobytes()
    image, shape = _canvas(_seven)
    answer = session.predict(image=image, shape=shape)
    with pytest.raises(ValueError, match=message):
        session.import_model(data=memoryview(raw))
    assert session.model is before and session.model_name == "pre-trained"
    again = session.predict(image=image, shape=shape)
    np.testing.assert_array_equal(again["proba"], answer["proba"])
    assert session.export()["bytes"].tobytes() == exported


def test_a_model_that_fails_while_it_is_scored_replaces_nothing(session, monkeypatch):
    before, exported = session.model, session.export()["bytes"].tobytes()

    def fails(self, X, y):
        raise ValueError("iterator is too large")  # what wasm32 NumPy said of wide layers

    monkeypatch.setattr(nn_impl.MLPClassifier, "score", fails)
    with pytest.raises(ValueError, match="iterator is too large"):
        session.import_model(data=memoryview(_model_bytes(hidden=(9,), seed=2)))
    assert session.model is before and session.model_name == "pre-trained"
    assert session.export()["bytes"].tobytes() == exported


def test_export_without_a_model_says_what_to_do():
    s = Session()
    s.load(dataset=_dataset_bytes())
    with pytest.raises(ValueError, match="no model to export yet"):
        s.export()


# ---------------------------------------------------------------------------------------------- inspect


def test_inspect_confusion_explorer_and_weights_agree(session):
    result = session.inspect(parts=["confusion", "explorer", "weights"])
    y_test = session.dataset["y_test"]
    confusion, explorer = result["confusion"], result["explorer"]
    assert confusion.shape == (10, 10) and int(confusion.sum()) == len(y_test)
    # the diagonal is what the explorer marks as right, row sums are the true-class counts
    assert int(np.trace(confusion)) == int(np.sum(explorer["pred"] == y_test))
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(y_test, minlength=10))
    assert result["accuracy"] == pytest.approx(np.trace(confusion) / len(y_test))
    np.testing.assert_array_equal(explorer["pred"], session.model.predict(session.dataset["x_test"]))
    np.testing.assert_allclose(explorer["confidence"], explorer["proba"].max(axis=1))
    assert explorer["proba"].shape == (len(y_test), 10) and explorer["proba"].dtype == np.float32
    weights = result["weights"]
    assert weights.shape == (12, 28, 28) and weights.dtype == np.float32
    np.testing.assert_allclose(np.abs(weights).max(axis=(1, 2)), 1.0, rtol=1e-6)
    assert "images" not in result


def test_inspect_sends_the_test_images_only_when_asked(session):
    result = session.inspect(parts=["images"])
    assert set(result) == {"model", "layer_sizes", "accuracy", "scored_at_epoch", "images"}
    np.testing.assert_array_equal(result["images"]["x_test"], session.dataset["x_test"])
    np.testing.assert_array_equal(result["images"]["y_test"], session.dataset["y_test"])


def test_inspect_after_an_epoch_reuses_the_epochs_scoring_of_the_test_set(session, monkeypatch):
    """The page's inspection after an epoch takes the test set's probabilities from the epoch's own scoring
    (the model at the epoch's end) instead of scoring 10 000 images again in one request."""
    session.configure(config={"hidden_layer_sizes": [16], "batch_size": 30, "epochs": 3, "random_state": 0,
                              "input_scaling": "unit"})
    first = session.train(n_batches=1000)
    assert first["status"] == "epoch_end"
    fresh = session.inspect(parts=["explorer", "confusion"])  # scored now, by the model as it is: the epoch's end
    assert fresh["scored_at_epoch"] is None
    session.train(n_batches=3)  # the weights move on

    def no_second_scoring(*args, **kwargs):
        raise AssertionError("the test set was scored again")

    monkeypatch.setattr(session.model, "predict_proba", no_second_scoring)
    reused = session.inspect(parts=["explorer", "confusion"], at_epoch_end=True)
    assert reused["scored_at_epoch"] == 1
    np.testing.assert_array_equal(reused["explorer"]["pred"], fresh["explorer"]["pred"])
    np.testing.assert_allclose(reused["explorer"]["proba"], fresh["explorer"]["proba"], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(reused["confusion"], fresh["confusion"])
    assert reused["accuracy"] == pytest.approx(first["history"]["val_accuracy"])


def test_inspect_at_epoch_end_scores_when_no_epoch_has_ended(session):
    session.configure(config={"hidden_layer_sizes": [16], "batch_size": 30, "epochs": 3, "random_state": 0,
                              "input_scaling": "unit"})
    session.train(n_batches=2)
    result = session.inspect(parts=["explorer"], at_epoch_end=True)
    assert result["scored_at_epoch"] is None
    np.testing.assert_array_equal(result["explorer"]["pred"], session.model.predict(session.dataset["x_test"]))


def test_inspect_without_a_model_gives_the_images_only():
    s = Session()
    s.load(dataset=_dataset_bytes())
    result = s.inspect(parts=["images", "confusion", "weights"])
    assert result["model"] is None and result["accuracy"] is None
    assert "confusion" not in result and "weights" not in result and "images" in result


def test_inspect_refuses_unknown_parts(session):
    with pytest.raises(ValueError, match="parts: unknown \\['colours'\\]"):
        session.inspect(parts=["confusion", "colours"])


def test_inspect_before_load_says_so():
    with pytest.raises(ValueError, match="no data loaded"):
        Session().inspect()


def test_exported_config_is_json_the_page_can_read(session):
    config = json.loads(str(_members(session.export()["bytes"].tobytes())["config"][()]))
    assert config["format"] == "nn_impl.mlp" and config["layer_sizes"] == [784, 12, 10]


def test_a_model_past_the_tab_memory_is_refused_with_its_estimate(session, monkeypatch):
    # The 64 MiB file cap keeps real files under the limit today; the check still guards a smaller limit.
    raw = _model_bytes(hidden=(40,), seed=3)
    need = params.estimated_memory([784, 40, 10])
    monkeypatch.setattr(params, "TAB_MEMORY_BYTES", need - 1)
    before = session.model
    with pytest.raises(ValueError, match=rf"a 784-40-10 network \(float32, to answer\) needs about "
                                         rf"{round(need / 2**20)} MB, more than the"):
        session.import_model(data=memoryview(raw))
    assert session.model is before


def test_a_restored_model_answers_under_its_old_name_with_the_same_answers(session):
    session.configure({"hidden_layer_sizes": [6], "random_state": 0, "epochs": 1, "input_scaling": "unit"})
    session.train(n_batches=5)
    kept = session.export()["bytes"].tobytes()
    image, shape = _canvas(_seven)
    answer = session.predict(image=image, shape=shape)
    fresh = Session()  # what a restarted worker holds: the data and the pre-trained model
    fresh.load(dataset=memoryview(_dataset_bytes()), pretrained=memoryview(_model_bytes()))
    assert fresh.restore_model(data=memoryview(kept), name="training") == {
        "model": "training", "layer_sizes": [784, 6, 10]}
    np.testing.assert_array_equal(fresh.predict(image=image, shape=shape)["proba"], answer["proba"])
    assert fresh.export()["bytes"].tobytes() == kept
    with pytest.raises(ValueError, match="name: 'mine' is not one of"):
        fresh.restore_model(data=memoryview(kept), name="mine")


def test_the_export_carries_the_answering_models_test_accuracy_and_a_restore_keeps_it(session):
    # imported: scored on the test images before it answers
    imported = session.import_model(data=memoryview(_model_bytes(hidden=(7,), seed=2)))
    assert session.export()["test_accuracy"] == imported["test_accuracy"] is not None
    # training: None before the first epoch ends, then the latest epoch's (the weights that answer now)
    session.configure({"hidden_layer_sizes": [6], "random_state": 0, "epochs": 2, "input_scaling": "unit"})
    session.train(n_batches=1)
    assert session.export()["test_accuracy"] is None
    while (result := session.train(n_batches=50))["status"] != "done":
        pass
    kept = session.export()
    assert kept["test_accuracy"] == result["test_accuracy"] is not None
    fresh = Session()
    fresh.load(dataset=memoryview(_dataset_bytes()), pretrained=memoryview(_model_bytes()))
    assert fresh.export()["test_accuracy"] is None  # the pre-trained model is not scored at load
    fresh.restore_model(data=memoryview(kept["bytes"].tobytes()), name="training",
                        test_accuracy=kept["test_accuracy"])
    assert fresh.export()["test_accuracy"] == kept["test_accuracy"]
    with pytest.raises(ValueError, match="test_accuracy: must be a fraction from 0 to 1"):
        fresh.restore_model(data=memoryview(kept["bytes"].tobytes()), name="training", test_accuracy=95.2)
    assert fresh.model_name == "training"  # a refused restore changes nothing


def test_use_pretrained_makes_the_pretrained_model_answer_again(session):
    image, shape = _canvas(_seven)
    pretrained = session.predict(image=image, shape=shape)
    session.import_model(data=memoryview(_model_bytes(hidden=(7,), seed=2)))
    assert session.use_pretrained() == {"model": "pre-trained", "layer_sizes": pretrained["layer_sizes"]}
    np.testing.assert_array_equal(session.predict(image=image, shape=shape)["proba"], pretrained["proba"])
    assert session.export()["test_accuracy"] is None
    without = Session()
    without.load(dataset=memoryview(_dataset_bytes()))
    assert without.use_pretrained() == {"model": None, "layer_sizes": None}
