"""Inspect the model: the test-set explorer and its misclassified filter, the confusion matrix, the
first layer's weights; all computed for the pre-trained model and refreshed after each epoch of training."""

import re

import numpy as np
import pytest

from _page_helpers import (
    button, inspections, page_predictions, predicted_digit, prediction_counters, site_dataset,
    train_to_end, wait_inspected, wait_inspections,
)

pytestmark = pytest.mark.browser


def confusion_counts(page):
    """The 10×10 counts as the table shows them (rows: true digit, columns: predicted)."""
    cells = page.get_by_label("Confusion matrix", exact=True).locator("tbody tr")
    rows = [cells.nth(r).locator("td").all_inner_texts() for r in range(cells.count())]
    return np.array([[int(v) for v in row] for row in rows])


def shown_cells(page):
    """(index, true label, predicted label) of every digit on the explorer's current page."""
    return page.evaluate("""() => [...document.querySelectorAll('#explorer-grid .digit-cell')].map(
        (b) => [Number(b.dataset.index), Number(b.dataset.true), b.dataset.pred === undefined ? null : Number(b.dataset.pred),
                b.classList.contains('wrong')])""")


def test_confusion_matrix_counts_add_up_to_the_test_images(app, site_url):
    dataset = site_dataset(site_url)
    counts = confusion_counts(app)
    assert counts.shape == (10, 10)
    assert counts.sum() == len(dataset["y_test"])
    # each row holds every test image of that digit
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(dataset["y_test"], minlength=10))
    # and agrees with the explorer, image by image
    pred, _ = page_predictions(app)
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (dataset["y_test"], pred), 1)
    np.testing.assert_array_equal(counts, expected)
    caption = app.locator("#confusion-caption").inner_text()
    assert "pre-trained" in caption and f"{np.trace(counts):,} of {counts.sum():,}" in caption
    # colour-scaled: the diagonal's most common cell is darker than an empty cell
    backgrounds = app.evaluate("""() => [...document.querySelectorAll('#confusion td')].map(
        (td) => getComputedStyle(td).backgroundColor)""")
    assert len(set(backgrounds)) > 5


def test_misclassified_only_shows_only_wrong_predictions(app):
    cells = shown_cells(app)
    assert len(cells) == 48 and all(pred is not None for _, _, pred, _ in cells)
    counts = confusion_counts(app)
    n_wrong = int(counts.sum() - np.trace(counts))
    assert n_wrong > 0
    status = app.locator("#explorer-status")
    assert f"{n_wrong:,} misclassified" in status.inner_text()
    app.get_by_label("Misclassified only", exact=True).check()
    seen = []
    while True:
        cells = shown_cells(app)
        assert cells and all(truth != pred and wrong for _, truth, pred, wrong in cells)
        seen += [index for index, _, _, _ in cells]
        if button(app, "Next page").is_disabled():
            break
        button(app, "Next page").click()
    assert len(seen) == len(set(seen)) == n_wrong  # every wrong one, once
    assert status.inner_text().startswith("Showing") and f"of {n_wrong:,} misclassified test images" in status.inner_text()
    app.get_by_label("Misclassified only", exact=True).uncheck()
    assert any(not wrong for _, _, _, wrong in shown_cells(app))


def test_clicking_a_digit_enlarges_it_and_loads_it_into_the_canvas(app):
    pred, proba = page_predictions(app)
    sure = int(np.flatnonzero(proba.max(axis=1) > 0.99)[0])
    assert sure < 48, "the first page holds a digit the model is sure about"
    app.locator(f'#explorer-grid .digit-cell[data-index="{sure}"]').click()
    detail = app.locator("#explorer-detail")
    assert detail.is_visible()
    assert f"the model says {pred[sure]}" in app.locator("#explorer-detail-text").inner_text()
    shown = [float(v) for v in app.locator("#explorer-detail-proba .prob-row").evaluate_all(
        "rows => rows.map((r) => r.dataset.p)")]
    np.testing.assert_allclose(shown, proba[sure], rtol=1e-6)
    before = prediction_counters(app)["count"]
    button(app, "Load into canvas").click()
    app.wait_for_function(f"window.nnImplTestHook.predictions().count > {before} && !window.nnImplTestHook.predictions().inFlight")
    # preprocessing an MNIST digit again gives (nearly) the same image, so the same answer
    assert predicted_digit(app) == str(pred[sure])


def weight_tiles(page):
    """The weights picture's tiles as the page shows them: (n_units, 28, 28, 3) RGB, read from its canvas."""
    sheet = page.get_by_role("img", name="First-layer weights", exact=False)
    found = sheet.evaluate("""(c) => ({w: c.width, h: c.height, units: Number(c.dataset.units),
        columns: Number(c.dataset.columns), rgba: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)})""")
    pixels = np.array(found["rgba"], np.uint8).reshape(found["h"], found["w"], 4)[..., :3]
    units, columns = found["units"], found["columns"]
    rows = -(-units // columns)
    assert (found["w"], found["h"]) == (columns * 29 - 1, rows * 29 - 1)  # 28-px tiles, 1-px gutters
    return np.stack([pixels[(j // columns) * 29:][:28, (j % columns) * 29:][:, :28] for j in range(units)])


def test_first_layer_weights_are_shown_as_28x28_images(app):
    match = re.search(r"(\d+) units in the first hidden layer", app.locator("#weights-caption").inner_text())
    tiles = weight_tiles(app)
    assert match and len(tiles) == min(int(match.group(1)), 256)
    # not blank: weights have both signs, so each unit's image holds reds and blues
    red = tiles[..., 0].astype(int) > tiles[..., 2].astype(int) + 30
    blue = tiles[..., 2].astype(int) > tiles[..., 0].astype(int) + 30
    assert red.any(axis=(1, 2)).all() and blue.any(axis=(1, 2)).all()
    # hovering a tile names its unit
    sheet = app.locator("#weights-sheet")
    box = sheet.bounding_box()
    columns = int(sheet.get_attribute("data-columns"))
    tile = box["width"] / columns
    sheet.hover(position={"x": tile * 1.5, "y": tile * 0.5})
    assert sheet.get_attribute("title") == "hidden unit 2"


def test_inspection_is_refreshed_after_each_epoch_of_training(app):
    before_weights = len(weight_tiles(app))
    app.get_by_label("Hidden layers", exact=True).fill("20")
    app.get_by_label("Training samples", exact=True).fill("3000")
    app.get_by_label("Epochs", exact=True).fill("3")
    epochs_before = len(app.evaluate("window.nnImplTestHook.epochsSeen()"))
    count = inspections(app)
    train_to_end(app)
    assert app.evaluate("window.nnImplTestHook.epochsSeen()")[epochs_before:] == [1, 2, 3]
    wait_inspections(app, count + 1)
    wait_inspected(app)
    # after the run: the matrix and the weights are the trained network's
    assert "being trained (784-20-10)" in app.locator("#confusion-caption").inner_text()
    assert len(weight_tiles(app)) == 20 != before_weights
    counts = confusion_counts(app)
    accuracy = float(re.search(r"([\d.]+) %", app.get_by_label("Test accuracy", exact=True).inner_text()).group(1))
    assert abs(100 * np.trace(counts) / counts.sum() - accuracy) < 0.01
    # each epoch asked for a refresh (coalesced when they come faster than the inspection)
    assert inspections(app) >= count + 2
