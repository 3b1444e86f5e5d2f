"""Inside the network while it trains: the trainer's per-layer statistics, shown in the "Layer statistics"
table and chart, for every layer after an epoch; the Tutorial preset's first layer gets far smaller gradients
than its last one (vanishing gradients) where the Fast preset's do not."""

import re

import pytest
from playwright.sync_api import expect

from _page_helpers import button, fill, open_page, train_to_end

pytestmark = pytest.mark.browser


def layer_rows(page, caption):
    """{layer: [units, gradient norm, update ratio, inactive text]} of the "Layer statistics" table, once its
    caption says `caption` (the table is redrawn a few times a second, so it may lag the run by a moment)."""
    table = page.get_by_role("table", name="Layer statistics")
    expect(table.locator("caption")).to_have_text(caption)
    out = {}
    for row in table.get_by_role("row").filter(has=page.get_by_role("rowheader")).all():
        layer = row.get_by_role("rowheader").inner_text()
        out[layer] = row.get_by_role("cell").all_inner_texts()
    return out


def test_each_layer_shows_its_numbers_after_an_epoch(page, site_url):
    open_page(page, site_url, "#train_samples=2000&epochs=1")
    train_to_end(page)
    rows = layer_rows(page, "Run 1, after 1.00 epochs")
    assert list(rows) == ["1", "2", "3 (output)"], rows
    for layer, (units, gradient, update, inactive) in rows.items():
        assert float(gradient) > 0 and float(update) > 0, (layer, gradient, update)
        if layer.endswith("(output)"):
            assert inactive == "–"
        else:
            assert re.fullmatch(r"\d+\.\d % dead", inactive), inactive  # ReLU units: dead or not
    assert [r[0] for r in rows.values()] == ["32", "24", "10"]


def test_tutorial_preset_shows_vanishing_gradients_next_to_the_fast_preset(page, site_url):
    open_page(page, site_url)
    button(page, "Tutorial").click()
    fill(page, "Training samples", 300)
    fill(page, "Epochs", 1)
    train_to_end(page)
    tutorial = layer_rows(page, "Run 1, after 1.00 epochs")
    button(page, "Fast").click()
    fill(page, "Training samples", 2000)
    fill(page, "Epochs", 1)
    train_to_end(page)
    fast = layer_rows(page, "Run 2, after 1.00 epochs")
    ratio = {name: float(rows["1"][1]) / float(rows["3 (output)"][1]) for name, rows in
             (("tutorial", tutorial), ("fast", fast))}
    assert ratio["tutorial"] < 0.2 < ratio["fast"], ratio
    assert tutorial["1"][3].endswith("saturated")
    # the earlier run's numbers stay at hand
    page.get_by_label("Layer statistics of").select_option(label="Run 1")
    expect(page.get_by_role("table", name="Layer statistics").locator("caption")).to_contain_text("Run 1")


def test_nothing_is_measured_when_the_layers_are_not_watched(page, site_url):
    open_page(page, site_url, "#train_samples=1000&epochs=1")
    page.get_by_label("Watch the layers").uncheck()
    train_to_end(page)
    expect(page.get_by_role("table", name="Layer statistics").locator("caption")).to_have_text("Run 1, not measured yet")
