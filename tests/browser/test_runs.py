"""Runs compared honestly: every run kept with its settings, labelled by what differs, shown or hidden, on an
x axis of epochs or samples and a linear or log loss axis; the "Runs" table; runs kept across a reload."""

import re

import pytest
from playwright.sync_api import expect

from _page_helpers import button, chart_points, fill, open_page, percent, train_to_end, wait_state

pytestmark = pytest.mark.browser

SHORT = "#train_samples=1000&epochs=1"


def legend_items(page):
    return page.get_by_role("list", name="Runs in the charts").get_by_role("listitem")


def runs_rows(page):
    """The body rows of the "Runs" table (the first row holds the headings)."""
    return page.get_by_role("table", name="Runs").get_by_role("row").filter(has=page.get_by_role("rowheader"))


def test_three_runs_are_drawn_labelled_by_what_differs_and_can_be_hidden(page, site_url):
    # 5000 images: each run then has several slices' points (slices are bounded by time, ~40 ms), so the hover
    # below finds a point of every run before the end of the x axis, however fast the worker trains
    open_page(page, site_url, "#train_samples=5000&epochs=1")
    train_to_end(page)
    fill(page, "Learning rate", "0.01")
    train_to_end(page)
    fill(page, "Activation", "tanh")
    train_to_end(page)

    expect(legend_items(page)).to_have_count(3)
    texts = legend_items(page).all_inner_texts()
    assert texts[0].startswith("Run 1: activation relu → tanh, learning rate 0.003 → 0.01"), texts
    assert texts[1].startswith("Run 2: activation relu → tanh"), texts
    assert "learning rate" not in texts[1]
    assert texts[2].startswith("Run 3: this run"), texts
    assert chart_points(page)["runsShown"] == 3

    run_1 = page.get_by_role("list", name="Runs in the charts").get_by_role("checkbox", name=re.compile(r"^Run 1:"))
    run_1.uncheck()
    assert chart_points(page)["runsShown"] == 2
    run_1.check()
    assert chart_points(page)["runsShown"] == 3

    # x axis: epochs (1 epoch) or samples seen (5000 per epoch); loss axis: linear or log
    assert chart_points(page)["xAxis"] == "epochs" and chart_points(page)["xMax"] <= 1.5
    page.get_by_label("X axis").select_option(label="samples seen")
    points = chart_points(page)
    assert points["xAxis"] == "samples" and points["xMax"] >= 5000, points
    assert not points["logLoss"]
    page.get_by_label("Log scale for loss").check()
    assert chart_points(page)["logLoss"]

    # Hovering the loss chart shows each run's value at that x: its last point at or before it (before a run's
    # first point, "—"). Where a slice ends varies with the machine's speed, so a few places are tried.
    chart = page.get_by_label("Loss chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    valued = re.compile(r"loss \d\.\d+ \(smoothed \d\.\d+\) at [\d,]+ samples")
    for fraction in (0.95, 0.9, 0.85, 0.8, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.4)
        texts = legend_items(page).all_inner_texts()
        if all(valued.search(text) for text in texts):
            break
    assert all(valued.search(text) for text in texts), texts


def test_the_runs_table_sorts_deletes_and_trains_again(page, site_url):
    open_page(page, site_url, SHORT)
    train_to_end(page)
    fill(page, "Learning rate", "0.0001")  # learns much less in one epoch
    train_to_end(page)
    rows = runs_rows(page)
    expect(rows).to_have_count(2)
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("Run 2")  # newest first

    button(page, "Sort by best test accuracy").click()
    accuracies = [percent(rows.nth(i).get_by_role("cell").nth(1).inner_text()) for i in range(2)]
    assert accuracies[0] > accuracies[1], accuracies
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("Run 1")
    button(page, "Sort by best test accuracy").click()  # again: the other way round
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("Run 2")
    assert "learning rate 0.0001 → 0.003" not in rows.nth(0).inner_text()
    assert "Differs from this run: learning rate 0.003 → 0.0001" in rows.nth(1).inner_text()

    rows.filter(has_text="Run 1").get_by_role("button", name="Train again with these settings").click()
    wait_state(page, "ready", 120_000)
    assert page.get_by_label("Learning rate", exact=True).input_value() == "0.003"
    expect(rows).to_have_count(3)
    texts = legend_items(page).all_inner_texts()
    assert texts[0].startswith("Run 1: same settings"), texts
    assert texts[1].startswith("Run 2: learning rate 0.0001 → 0.003"), texts

    button(page, "Delete Run 2").click()
    expect(rows).to_have_count(2)
    expect(legend_items(page)).to_have_count(2)


def test_runs_survive_a_reload(page, site_url):
    open_page(page, site_url, SHORT)
    train_to_end(page)
    fill(page, "Batch size", "32")
    train_to_end(page)
    before = runs_rows(page).all_inner_texts()
    page.wait_for_timeout(300)  # the last save is one IndexedDB transaction
    page.reload()
    wait_state(page, "ready", 120_000)
    rows = runs_rows(page)
    expect(rows).to_have_count(2)
    after = rows.all_inner_texts()
    assert [re.sub(r"\s+", " ", t) for t in after] == [re.sub(r"\s+", " ", t) for t in before]
    texts = legend_items(page).all_inner_texts()
    assert texts[0].startswith("Run 1: batch size 64 → 32"), texts
    assert chart_points(page)["runsShown"] == 2
    # a new run after the reload continues the numbering
    train_to_end(page)
    expect(rows).to_have_count(3)
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("Run 3")


def test_refused_storage_is_said_and_the_runs_still_work(page, site_url):
    page.add_init_script("Object.defineProperty(window, 'indexedDB', { value: undefined })")
    open_page(page, site_url, SHORT)
    expect(page.get_by_role("group", name="Kept on this device")).to_contain_text(
        "This browser refused to store data for this page")
    train_to_end(page)
    expect(runs_rows(page)).to_have_count(1)
    expect(legend_items(page)).to_have_count(1)


def test_two_tabs_keep_each_others_runs(page, site_url):
    # Both tabs start from the same saved runs (none), so both number their run "Run 1"; each run is still
    # saved as an item of its own, and a reload shows both, renumbered so that the names differ.
    other = page.context.new_page()
    for tab in (page, other):
        open_page(tab, site_url, SHORT)
    fill(other, "Batch size", "32")
    for tab in (page, other):
        train_to_end(tab)
        expect(runs_rows(tab)).to_have_count(1)
    other.close()
    page.wait_for_timeout(300)  # the last save is one IndexedDB transaction
    page.reload()
    wait_state(page, "ready", 120_000)
    rows = runs_rows(page)
    expect(rows).to_have_count(2)
    names = sorted(rows.nth(i).get_by_role("rowheader").inner_text().split()[1] for i in range(2))
    assert names == ["1", "2"], names
    settings = " ".join(rows.all_inner_texts())
    assert "batch 32" in settings and "batch 64" in settings, settings
