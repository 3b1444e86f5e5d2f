"""Absurd settings, files and click sequences: each gets a clear message, and the page keeps its previous model
(it still answers a drawing, and Export still saves it) and its state.

Bad model files are in test_model_io.py (one parametrised test); here: networks past the tab's limits, wide
networks the form allows, a double-click on Train, Export and Import clicked in quick succession, a corrupt image
after a good one, a blocked download while loading, a file given before the page has loaded, a long task
cancelled, and the site's icon."""

import re

import numpy as np
import pytest

from test_model_io import _cpython_model, export_from_page, import_into_page
from test_my_digits import CSV_HEADER, csv_row
from test_session_io import _weights_file
from _page_helpers import (
    button, clear, draw_and_wait, fill, model_answering, open_page, png_bytes, predicted_digit, prediction_counters,
    runs_completed, site_dataset, state, wait_state,
)

pytestmark = pytest.mark.browser


def answering_model(page, tmp_path):
    """(which model answers, its answer to a drawn 7, the bytes Export saves): what must survive bad input."""
    clear(page)
    digit = draw_and_wait(page, 7)
    clear(page)
    return model_answering(page), digit, export_from_page(page, tmp_path)[1]


def assert_previous_model_kept(page, tmp_path, before):
    """The model that answered before still answers (the same answer to the same drawing), and Export still
    saves exactly it."""
    assert answering_model(page, tmp_path) == before


# --------------------------------------------------------------------------------------------- limits


def test_a_network_past_the_tab_memory_is_refused_with_its_estimate(app, tmp_path):
    kept = answering_model(app, tmp_path)
    before = runs_completed(app)
    fill(app, "Hidden layers", "4096, 4096, 4096")  # each layer within the table's range, together too much
    button(app, "Train").click()
    app.wait_for_function(f"window.nnImplTestHook.runsCompleted() > {before}", timeout=20_000)
    field_message = app.locator("#hidden_layer_sizes-msg").inner_text()
    assert re.search(r"784-4096-4096-4096-10 network \(float32, batch \d+\) needs about \d+ MB, more than the "
                     r"\d+ MB this page allows itself", field_message), field_message
    assert "Check the settings" in app.locator("#run-message").inner_text()
    assert state(app) == "ready"
    assert_previous_model_kept(app, tmp_path, kept)


def test_a_link_past_the_tab_memory_falls_back_with_its_estimate(page, site_url):
    open_page(page, site_url, "?hidden_layer_sizes=4096,4096,4096&batch_size=64&epochs=3")
    notice = page.locator("#notice").inner_text()
    assert "hidden_layer_sizes=4096, 4096, 4096" in notice and re.search(r"needs about \d+ MB", notice), notice
    assert page.get_by_label("Hidden layers", exact=True).input_value().replace(" ", "") == "32,24"
    assert page.get_by_label("Epochs", exact=True).input_value() == "3"  # the valid ones are kept
    # the address bar holds the settings in use, in the hash: the refused ones from the query string are gone
    assert "?" not in page.url and "4096" not in page.url and "epochs=3" in page.url


def test_a_wide_network_the_form_allows_trains_and_answers(app):
    fill(app, "Hidden layers", "512")
    fill(app, "Training samples", "640")
    fill(app, "Epochs", "1")
    button(app, "Step").click()
    wait_state(app, "paused", 60_000)
    assert app.get_by_label("Training loss", exact=True).inner_text() != "–"
    assert re.fullmatch(r"[0-9]", draw_and_wait(app, 3))
    assert "784-512-10" in model_answering(app)


def test_a_wide_model_file_imports_and_answers(app, site_url, tmp_path):
    dataset = site_dataset(site_url)
    model = _cpython_model(dataset, hidden=(512,))
    path = tmp_path / "wide-512.npz"
    model.save(path)
    message, _ = import_into_page(app, path)
    assert message.startswith("Imported wide-512.npz: a 784-512-10 network"), message
    assert draw_and_wait(app, 0) in "0123456789"


# --------------------------------------------------------------------------------------------- clicks


def test_a_double_click_on_train_starts_one_run(app):
    fill(app, "Training samples", "2000")
    fill(app, "Epochs", "50")
    before = runs_completed(app)
    button(app, "Train").dblclick()
    app.wait_for_function("window.nnImplTestHook.chartPoints().loss >= 5", timeout=60_000)
    assert app.evaluate("window.nnImplTestHook.trainSlices().most") == 1
    button(app, "Stop").click()
    wait_state(app, "ready", 20_000)
    assert runs_completed(app) == before + 1
    assert "Stopped" in app.locator("#run-message").inner_text()


def test_export_and_import_clicked_in_quick_succession_are_all_done_in_order(app, site_url, tmp_path):
    dataset = site_dataset(site_url)
    files = [tmp_path / "model-1024.npz"]
    files[0].write_bytes(_weights_file([784, 1024, 10]))  # scored on the test images for seconds: the others wait
    for k, hidden in enumerate([(12,), (13,)]):
        path = tmp_path / f"model-{hidden[0]}.npz"
        _cpython_model(dataset, hidden=hidden, seed=k).save(path)
        files.append(path)
    # two exports at once: two downloads, none lost
    with app.expect_download() as first, app.expect_download() as second:
        app.evaluate("() => { const b = document.getElementById('btn-export'); b.click(); b.click(); }")
    assert first.value.suggested_filename.startswith("nn_impl-pre-trained-784-")
    assert second.value.suggested_filename == first.value.suggested_filename
    # three files chosen one after another: the first imports, the second (still waiting) is dropped for the third
    app.locator("#model-io-message").evaluate("el => el.textContent = ''")
    chooser = app.get_by_label("Import model", exact=True)
    for path in files:
        chooser.set_input_files(path)
    message = app.locator("#model-io-message")
    message.filter(has_text=re.compile(r"^Imported model-13\.npz")).wait_for(timeout=60_000)
    text = message.inner_text()
    assert "dropped model-12.npz: chosen before model-13.npz and not yet started" in text, text
    assert model_answering(app) == "the imported model (784-13-10)"
    assert draw_and_wait(app, 5) in "0123456789"


# --------------------------------------------------------------------------------------------- images


def test_a_corrupt_image_after_a_good_one_clears_the_old_picture_and_answer(app, site_url, tmp_path):
    dataset = site_dataset(site_url)
    good = png_bytes(255 - np.kron(dataset["x_test"][0], np.ones((4, 4), np.uint8)))
    before = prediction_counters(app)["count"]
    opener = app.get_by_label("Open an image", exact=True)
    opener.set_input_files(files=[{"name": "good.png", "mimeType": "image/png", "buffer": good}])
    app.wait_for_function(f"window.nnImplTestHook.predictions().count > {before}")
    assert predicted_digit(app) != ""
    opener.set_input_files(files=[{"name": "broken.png", "mimeType": "image/png", "buffer": good[:40]}])
    app.locator("#draw-message").filter(has_text="Could not open broken.png").wait_for(timeout=10_000)
    assert predicted_digit(app) == ""  # the old answer is gone with the old picture
    assert prediction_counters(app)["padEmpty"]
    assert "PNG, JPEG, GIF, WebP or BMP" in app.locator("#draw-message").inner_text()
    assert draw_and_wait(app, 1) == "1"


def test_the_image_picker_offers_only_what_the_page_can_read(app):
    accept = app.get_by_label("Open an image", exact=True).get_attribute("accept")
    assert "svg" not in accept and "image/*" not in accept
    assert {"image/png", "image/jpeg", "image/webp"} <= set(accept.split(","))


# --------------------------------------------------------------------------------------------- loading, icon


def test_a_blocked_numpy_download_is_blamed_on_numpy(page, site_url):
    page.route("**/pyodide/numpy-*.whl", lambda route: route.abort("blockedbyclient"))
    page.goto(site_url)
    wait_state(page, "error", 120_000)
    error = page.locator("#load-error-text").inner_text()
    assert error.startswith('Loading failed at "numpy": NumPy could not be loaded'), error
    assert page.locator('[data-stage="numpy"]').get_attribute("data-status") == "failed"


def test_a_file_given_while_the_page_loads_is_refused_until_it_has_loaded(page, site_url, tmp_path):
    """The import inputs are disabled until the worker's load reply brings the caps on file sizes; a file given
    to one anyway is refused with a message saying so, and the same file given again once loaded is read."""
    held = []
    page.route("**/data/mnist-subset.npz", lambda route: held.append(route))  # the page stays loading
    page.goto(site_url)
    for _ in range(1200):  # until the worker has asked for the data (at most 2 minutes)
        if held:
            break
        page.wait_for_timeout(100)
    assert held and state(page) == "loading"  # and it stays loading until they come
    model_file = tmp_path / "notes.npz"
    model_file.write_bytes(b"Hello, this is a text file that someone renamed to .npz\n")
    digit_file = tmp_path / "one.csv"
    digit_file.write_text(CSV_HEADER + csv_row(5, pixel=200))
    import_model = page.get_by_label("Import model", exact=True)
    import_digits = page.get_by_label("Import digits")
    assert import_model.is_disabled() and import_digits.is_disabled()
    import_model.set_input_files(model_file)
    import_digits.set_input_files(digit_file)
    assert page.locator("#model-io-message").inner_text() == \
        "Could not import notes.npz yet: the page is still loading. Choose it again once it has loaded."
    assert page.locator("#digit-files-message").inner_text() == ("Could not import one.csv yet: the page is still "
                                                                 "loading. Choose it again once it has loaded. "
                                                                 "Nothing was added.")

    for route in held:
        route.continue_()
    page.unroute("**/data/mnist-subset.npz")
    wait_state(page, "ready", 120_000)
    import_model.set_input_files(model_file)
    page.locator("#model-io-message").filter(has_text="not a zip archive").wait_for(timeout=60_000)
    import_digits.set_input_files(digit_file)
    page.locator("#digit-files-message").filter(has_text="Added 1 digit from one.csv").wait_for(timeout=60_000)


def test_the_site_has_its_own_icon_and_no_request_fails(page, site_url):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    open_page(page, site_url)
    page.wait_for_timeout(500)  # the icon is requested after the page has loaded
    assert failed == []
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).ok


# --------------------------------------------------------------------------------------------- cancelling


def test_a_long_import_is_cancelled_and_the_previous_model_comes_back(app, site_url, tmp_path):
    dataset = site_dataset(site_url)
    small = tmp_path / "small.npz"
    _cpython_model(dataset, hidden=(20,)).save(small)
    import_into_page(app, small)
    kept = answering_model(app, tmp_path)
    assert kept[0] == "the imported model (784-20-10)"
    wide = tmp_path / "wide-4096.npz"
    wide.write_bytes(_weights_file([784, 4096, 10]))  # scoring it on the test images takes a minute in wasm
    app.get_by_label("Import model", exact=True).set_input_files(wide)
    busy = app.locator("#busy")
    busy.filter(has_text="Python is busy importing a model").wait_for(timeout=30_000)
    button(app, "Cancel").click()
    app.locator("#task-message").filter(has_text="Cancelled importing a model").wait_for(timeout=5_000)
    app.locator("#model-io-message").filter(has_text="Import of wide-4096.npz cancelled").wait_for(timeout=5_000)
    wait_state(app, "ready", 120_000)
    app.locator("#task-message").filter(has_text="the imported model answers again").wait_for(timeout=60_000)
    assert_previous_model_kept(app, tmp_path, kept)


def test_stop_cancels_a_slice_it_cannot_wait_for(app, tmp_path):
    kept = answering_model(app, tmp_path)
    # Slices are bounded by time, but never shorter than one batch: a batch of 4096 images through 4096 units
    # (about 80 GFLOP with its backward pass) takes many seconds in the tab, so Stop cannot wait for it.
    fill(app, "Hidden layers", "4096")
    fill(app, "Training samples", "4096")
    fill(app, "Batch size", "4096")
    fill(app, "Epochs", "5")
    button(app, "Train").click()
    app.locator("#busy").filter(has_text="Python is busy training").wait_for(timeout=60_000)
    button(app, "Stop").click()
    app.locator("#run-message").filter(has_text="Stopped by restarting Python").wait_for(timeout=120_000)
    wait_state(app, "ready", 10_000)
    assert_previous_model_kept(app, tmp_path, kept)


def test_html_in_a_file_name_is_shown_as_text(app):
    dialogs = []
    app.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    name = "<img src=x onerror=alert(1)>.npz"
    app.get_by_label("Import model", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": b"not a model"}])
    message = app.locator("#model-io-message")
    message.filter(has_text="Could not import").wait_for(timeout=10_000)
    assert message.inner_text().startswith(f"Could not import {name}: not an .npz file")
    app.get_by_label("Open an image", exact=True).set_input_files(
        files=[{"name": "<b>x</b>.png", "mimeType": "image/png", "buffer": b"nope"}])
    app.locator("#draw-message").filter(has_text="Could not open <b>x</b>.png").wait_for(timeout=10_000)
    assert app.locator("#model-io-message img, #draw-message b").count() == 0 and dialogs == []
