"""Nothing lost on reload or crash: the network that answers, the runs and the drawing are kept in this browser
(IndexedDB) and come back on a reload with a line saying so; Forget deletes them; storage refused or full is
said and the page keeps working; two tabs leave one complete network; a worker killed on purpose comes back
with the network that answered; leaving during a run asks first."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

import nn_impl
from _page_helpers import (
    READY_TIMEOUT_MS, button, draw_and_wait, fill, model_answering, open_page, prediction_counters,
    predicted_digit, probabilities, site_dataset, train_to_end, wait_state,
)
from test_faults import deliver_in_worker
from test_model_io import export_from_page
from test_runs import runs_rows

pytestmark = pytest.mark.browser


def kept_line(page):
    """The line that says what this browser keeps of the visitor's work (and its Forget button)."""
    return page.get_by_role("group", name="Kept on this device")


def train_network(page, hidden, samples=2000):
    """Train a network of these hidden layers for one epoch on the first `samples` training images."""
    fill(page, "Hidden layers", hidden)
    fill(page, "Training samples", samples)
    fill(page, "Epochs", 1)
    train_to_end(page)


def wait_kept(page, layers, drawing=False):
    """Wait until the line says this network (and the drawing) is stored: the saves have completed."""
    line = kept_line(page)
    expect(line).to_contain_text(f"your network ({layers}, saved", timeout=30_000)
    if drawing:
        expect(line).to_contain_text("your drawing", timeout=30_000)


def reload_ready(page):
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)


def accuracy_in(text):
    """'... 95.2 % on the test set' -> 95.2"""
    match = re.search(r"(\d+(?:\.\d+)?) % on the test set", text)
    assert match, text
    return float(match.group(1))


def assert_same_weights(raw_a, raw_b):
    a, b = nn_impl.load(raw_a), nn_impl.load(raw_b)
    assert a.layer_sizes_ == b.layer_sizes_
    for x, y in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, y)


def wait_answering(page, text):
    expect(page.get_by_label("Model answering", exact=True)).to_contain_text(text, timeout=30_000)


def test_a_reload_restores_the_trained_network_the_runs_and_the_drawing(page, site_url, tmp_path):
    open_page(page, site_url)
    train_network(page, "20")
    digit = draw_and_wait(page, 3)
    proba = probabilities(page)
    wait_kept(page, "784-20-10", drawing=True)
    _, before = export_from_page(page, tmp_path)
    dataset = site_dataset(site_url)
    accuracy = nn_impl.load(before).score(dataset["x_test"], dataset["y_test"]) * 100

    reload_ready(page)
    line = kept_line(page)
    expect(line).to_contain_text("Restored your network (784-20-10) from ", timeout=30_000)
    expect(line).to_contain_text("your drawing and 1 run.")
    assert abs(accuracy_in(line.inner_text()) - accuracy) <= 0.051  # the line rounds to one decimal
    expect(line.get_by_role("button", name="Forget them")).to_be_enabled()
    expect(runs_rows(page)).to_have_count(1)
    # the drawing is back on the pad and predicted again, by the restored network
    wait_answering(page, "the network being trained (784-20-10)")
    page.wait_for_function("() => { const p = window.nnImplTestHook.predictions();"
                           " return !p.padEmpty && p.count >= 1 && !p.inFlight && !p.wanted; }", timeout=30_000)
    assert predicted_digit(page) == digit
    np.testing.assert_allclose(probabilities(page), proba, atol=1e-4)  # einsum or OpenBLAS: rounding only
    _, after = export_from_page(page, tmp_path)
    assert_same_weights(after, before)


def test_forget_deletes_what_was_kept_and_the_pretrained_model_answers(page, site_url):
    open_page(page, site_url)
    train_network(page, "16", samples=1000)
    draw_and_wait(page, 7)
    wait_kept(page, "784-16-10", drawing=True)
    reload_ready(page)
    line = kept_line(page)
    expect(line).to_contain_text("Restored your network (784-16-10)", timeout=30_000)
    wait_answering(page, "784-16-10")

    line.get_by_role("button", name="Forget them").click()
    expect(line).to_contain_text("Forgot your network (784-16-10, saved ")
    expect(line).to_contain_text("your drawing and 1 run: this device keeps none of them now, and the "
                                 "pre-trained model answers.")
    expect(line.get_by_role("button", name="Forget them")).to_be_hidden()
    expect(runs_rows(page)).to_have_count(0)
    assert prediction_counters(page)["padEmpty"]
    wait_answering(page, "the pre-trained model")
    expect(line).to_contain_text("Forgot your network")  # the pad's clearing did not wipe what was said
    draw_and_wait(page, 7)
    assert model_answering(page).startswith("the pre-trained model")
    expect(line).to_contain_text("Kept on this device: your drawing.")

    # nothing comes back on the next visit (the new drawing is kept: it was made after Forget)
    button(page, "Clear").click()
    expect(line).to_be_hidden()
    reload_ready(page)
    page.wait_for_timeout(500)  # the restore reads IndexedDB after "ready"
    expect(kept_line(page)).to_be_hidden()
    expect(runs_rows(page)).to_have_count(0)
    draw_and_wait(page, 7)
    assert model_answering(page).startswith("the pre-trained model")


# Real refusals by the browser's own IndexedDB objects, as a private window, blocked site data or a full disk
# give them; the page's code is not touched.
REFUSALS = {
    "blocked": ("IDBFactory.prototype.open = function () {"
                " throw new DOMException('The user denied permission to access the database.', 'SecurityError'); }"),
    "full": ("IDBObjectStore.prototype.put = function () {"
             " throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }"),
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_storage_refused_or_full_is_said_in_one_place_and_the_page_keeps_working(page, site_url, refusal):
    page.add_init_script(REFUSALS[refusal])
    open_page(page, site_url)
    train_network(page, "12", samples=1000)
    digit = draw_and_wait(page, 1)
    assert digit in "0123456789"
    line = kept_line(page)
    expect(line).to_contain_text("Not kept on this device: ", timeout=30_000)
    expect(line).to_contain_text("your network")
    expect(line).to_contain_text("your drawing")
    expect(line).to_contain_text("the runs")
    expect(line).to_contain_text("This browser refused to store data for this page")
    expect(line).to_contain_text("what you do here is kept only until the tab is closed or reloaded")
    expect(line).not_to_contain_text("Kept on this device:")  # nothing is claimed kept
    expect(runs_rows(page)).to_have_count(1)  # the run is there, in this tab
    assert "784-12-10" in model_answering(page)
    # and a reload finds nothing, and works
    reload_ready(page)
    draw_and_wait(page, 1)
    assert model_answering(page).startswith("the pre-trained model")


def test_two_tabs_leave_one_complete_network_the_last_saved(page, site_url, tmp_path):
    first = page
    open_page(first, site_url)
    train_network(first, "20")
    wait_kept(first, "784-20-10")
    second = first.context.new_page()
    open_page(second, site_url)
    train_network(second, "12")
    wait_kept(second, "784-12-10")
    accuracy = second.get_by_label("Test accuracy", exact=True).inner_text()
    _, second_bytes = export_from_page(second, tmp_path)
    second.close()

    # the first tab, reloaded, gets the second tab's network, with its own accuracy and time: one item
    reload_ready(first)
    line = kept_line(first)
    expect(line).to_contain_text("Restored your network (784-12-10) from ", timeout=30_000)
    assert abs(accuracy_in(line.inner_text()) - float(accuracy.split()[0])) <= 0.051
    wait_answering(first, "784-12-10")
    _, restored = export_from_page(first, tmp_path)
    assert_same_weights(restored, second_bytes)


def test_a_killed_worker_comes_back_with_the_network_that_answered(page, site_url, tmp_path):
    open_page(page, site_url, "?test-hooks")
    train_network(page, "20")
    digit = draw_and_wait(page, 2)
    proba = probabilities(page)
    wait_kept(page, "784-20-10", drawing=True)
    _, before = export_from_page(page, tmp_path)

    deliver_in_worker(page, "debug_crash")
    message = page.locator("#run-message")
    expect(message).to_contain_text("The Python worker stopped", timeout=30_000)
    expect(message).to_contain_text("and was restarted: the network being trained answers again",
                                    timeout=READY_TIMEOUT_MS)
    wait_state(page, "ready", READY_TIMEOUT_MS)
    assert page.locator("#fault").is_hidden()
    wait_answering(page, "the network being trained (784-20-10)")
    page.wait_for_function("() => { const p = window.nnImplTestHook.predictions();"
                           " return p.count >= 2 && !p.inFlight && !p.wanted; }", timeout=30_000)
    assert predicted_digit(page) == digit
    np.testing.assert_allclose(probabilities(page), proba, atol=1e-4)
    _, after = export_from_page(page, tmp_path)
    assert_same_weights(after, before)


def test_leaving_during_a_run_asks_first_and_the_line_says_what_is_kept(page, site_url):
    open_page(page, site_url)
    fill(page, "Training samples", 2000)
    fill(page, "Epochs", 100)
    button(page, "Train").click()
    wait_state(page, "training")
    wait_kept(page, "784-32-24-10")  # kept while it trains
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(1000)
    assert asked == ["beforeunload"]
    assert not page.is_closed()
    button(page, "Stop").click()
    wait_state(page, "ready")
    # with no run going on, the page lets a person leave without asking
    page.close(run_before_unload=True)
    page.wait_for_event("close", timeout=10_000)
    assert asked == ["beforeunload"]
