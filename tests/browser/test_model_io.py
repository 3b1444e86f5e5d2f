"""Carry the model: the page's export loads on CPython with the same predictions, a model saved on
CPython imports into the page with the same predictions, and every kind of bad file is refused with its own
message while the current model keeps answering."""

import re

import numpy as np
import pytest

import nn_impl
from nn_impl import persist
from test_session_io import (  # the same surgery on model files as the unit tests
    _many_members, _members, _rewritten, _weights_file, _zip_bomb,
)
from _page_helpers import (
    button, draw_and_wait, inspections, model_answering, page_predictions, site_dataset,
    train_to_end, wait_inspected, wait_inspections,
)

pytestmark = pytest.mark.browser


def export_from_page(page, tmp_path):
    """Click "Export model" and return (file name, bytes) of the download."""
    with page.expect_download() as info:
        button(page, "Export model").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def assert_same_predictions(page_pred, page_proba, cpython_model, x_test):
    """The page (float32 in wasm) and CPython agree: probabilities to float32 rounding, labels exactly (a label
    may differ only where the two best classes are tied to that rounding)."""
    proba = cpython_model.predict_proba(x_test)
    np.testing.assert_allclose(page_proba, proba, atol=2e-5)
    top2 = np.sort(proba, axis=1)[:, -2:]
    differ = page_pred != proba.argmax(axis=1)
    assert np.all(top2[differ, 1] - top2[differ, 0] < 1e-4), f"{differ.sum()} labels differ"


def import_into_page(page, path_or_file):
    before = inspections(page)
    page.evaluate("document.getElementById('model-io-message').textContent = ''")
    page.get_by_label("Import model", exact=True).set_input_files(path_or_file)
    message = page.locator("#model-io-message")
    # the page says "Importing <name>…" first, then how it went
    message.filter(has_text=re.compile(r"^(Imported|Could not import) ")).wait_for(timeout=30_000)
    return message.inner_text(), before


def test_the_pretrained_model_exported_from_the_page_loads_on_cpython(app, site_url, tmp_path):
    name, raw = export_from_page(app, tmp_path)
    assert name.startswith("nn_impl-pre-trained-784-") and name.endswith("-10.npz")
    model = nn_impl.load(raw)
    x_test = site_dataset(site_url)["x_test"]
    pred, proba = page_predictions(app)
    assert_same_predictions(pred, proba, model, x_test)
    assert "Exported" in app.locator("#model-io-message").inner_text()


def test_a_model_trained_in_the_page_exports_to_cpython_with_the_same_predictions(app, site_url, tmp_path):
    app.get_by_label("Hidden layers", exact=True).fill("24, 12")
    app.get_by_label("Training samples", exact=True).fill("3000")
    app.get_by_label("Epochs", exact=True).fill("2")
    train_to_end(app)
    app.wait_for_function("!window.nnImplTestHook.inspections().running && window.nnImplTestHook.explorerPredictions()")
    assert "being trained (784-24-12-10)" in model_answering(app)
    name, raw = export_from_page(app, tmp_path)
    assert name == "nn_impl-training-784-24-12-10.npz"
    model = nn_impl.load(raw)
    assert model.hidden_layer_sizes == (24, 12) and len(model.history_) == 2
    dataset = site_dataset(site_url)
    pred, proba = page_predictions(app)
    assert_same_predictions(pred, proba, model, dataset["x_test"])
    # the page's reported test accuracy is what CPython measures with the exported file, up to the images whose
    # two best classes are tied to float32 rounding (assert_same_predictions: only those may be read otherwise)
    y_test = dataset["y_test"]
    shown = app.get_by_label("Test accuracy", exact=True).inner_text()
    assert f"{np.mean(pred == y_test) * 100:.2f} %" == shown
    tied = np.sum(pred != model.predict(dataset["x_test"]))
    assert abs(np.sum(pred == y_test) - np.sum(model.predict(dataset["x_test"]) == y_test)) <= tied


def _cpython_model(dataset, hidden=(20,), seed=0):
    model = nn_impl.MLPClassifier(hidden_layer_sizes=hidden, epochs=2, input_scaling="unit", random_state=seed)
    return model.fit(dataset["x_train"][:3000], dataset["y_train"][:3000])


def test_a_model_saved_on_cpython_imports_into_the_page_with_the_same_predictions(app, site_url, tmp_path):
    dataset = site_dataset(site_url)
    model = _cpython_model(dataset)
    path = tmp_path / "from-cpython.npz"
    model.save(path)
    message, before = import_into_page(app, path)
    assert message.startswith("Imported from-cpython.npz: a 784-20-10 network"), message
    accuracy = model.score(dataset["x_test"], dataset["y_test"])
    assert f"{accuracy * 100:.2f} % on the test images" in message
    assert model_answering(app) == "the imported model (784-20-10)"
    wait_inspections(app, before)
    wait_inspected(app)
    pred, proba = page_predictions(app)
    assert_same_predictions(pred, proba, model, dataset["x_test"])
    assert "imported" in app.locator("#confusion-caption").inner_text()
    # it draws too, and it goes back out unchanged
    assert draw_and_wait(app, 7) in "0123456789"
    name, raw = export_from_page(app, tmp_path)
    assert name == "nn_impl-imported-784-20-10.npz"
    back = nn_impl.load(raw)
    for a, b in zip(back.coefs_ + back.intercepts_, model.coefs_ + model.intercepts_):
        np.testing.assert_array_equal(a, b)


def _bad_file(kind, good, tmp_path):
    path = tmp_path / f"{kind.replace(' ', '-')}.npz"
    members = _members(good)
    if kind == "truncated":
        path.write_bytes(good[: len(good) * 2 // 3])
    elif kind == "not an npz":
        path.write_bytes(b"Hello, this is a text file that someone renamed to .npz\n" * 20)
    elif kind == "wrong shapes":
        path.write_bytes(_rewritten(good, coef_1=np.zeros((members["coef_1"].shape[0] + 3, members["coef_1"].shape[1]), np.float32)))
    elif kind == "NaN weights":
        coef = members["coef_0"].copy()
        coef[100, 0] = np.nan
        path.write_bytes(_rewritten(good, coef_0=coef))
    elif kind == "pickled object":
        path.write_bytes(_rewritten(good, intercept_0=np.array([{"run": "code"}] * members["intercept_0"].size, dtype=object)))
    elif kind == "too large":
        with open(path, "wb") as f:  # sparse: 1 MiB over Python's cap on paper, nothing on disk
            f.write(b"PK")
            f.truncate(persist.MAX_FILE_BYTES + 2**20)
    elif kind == "many classes":
        path.write_bytes(_weights_file([784, 8, 3000]))  # 113 KB; its confusion matrix would be 3000×3000
    elif kind == "many members":
        path.write_bytes(_many_members(100_000))  # listing them blocked the worker for minutes
    elif kind == "zip bomb":
        path.write_bytes(_zip_bomb(good))
    return path


MODEL_CAP_MIB = persist.MAX_FILE_BYTES // 2**20
BAD_FILES = {
    "truncated": "truncated",
    "not an npz": "not a zip archive",
    "wrong shapes": "do not chain",
    "NaN weights": "NaN or infinite",
    "pickled object": "pickled Python objects",
    # "it is": the page's own refusal, before reading (Python's message gives no size), with Python's cap in it
    "too large": f"it is {MODEL_CAP_MIB + 1}.0 MiB, larger than the {MODEL_CAP_MIB} MiB a model file may have",
    "many classes": "answers 3000 classes, but this page recognises the 10 digits",
    "many members": "lists more than 65 535 members",
    "zip bomb": "would take more than 64 MiB",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gives_its_message_and_the_current_model_keeps_working(app, site_url, tmp_path, kind):
    good = persist_bytes(site_url)
    path = _bad_file(kind, good, tmp_path)
    answering = model_answering(app)
    pred_before, _ = page_predictions(app)
    _, exported_before = export_from_page(app, tmp_path)
    message, _ = import_into_page(app, path)
    assert message.startswith(f"Could not import {path.name}:"), message
    assert BAD_FILES[kind] in message, message
    assert re.search(r"[.?] The current model keeps answering\.$", message), message
    assert "Error" not in message  # Python's exception class is not for visitors
    assert app.locator("#model-io-message").get_attribute("data-kind") == "error"
    # nothing changed: same model, same answers, drawing still works, and a good file still imports after
    assert model_answering(app) == answering
    assert draw_and_wait(app, 4) == "4"
    np.testing.assert_array_equal(page_predictions(app)[0], pred_before)
    assert export_from_page(app, tmp_path)[1] == exported_before  # Export still saves the previous model
    assert app.locator("#confusion tbody tr").count() == 10  # the views were never given the bad model
    good_path = tmp_path / "good.npz"
    good_path.write_bytes(good)
    message, _ = import_into_page(app, good_path)
    assert message.startswith("Imported good.npz"), message


def persist_bytes(site_url):
    """The bundled pre-trained model's file, as the site serves it."""
    import urllib.request

    with urllib.request.urlopen(site_url.rstrip("/") + "/data/pretrained.npz") as response:
        raw = response.read()
    nn_impl.load(raw)  # a good file to start from
    return raw
