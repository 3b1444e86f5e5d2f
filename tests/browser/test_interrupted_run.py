"""A run interrupted by a reload: offered again on the next visit, continued from where it was kept (same run,
same optimiser state, the epoch counter going on) or discarded."""

import re

import pytest
from playwright.sync_api import expect

from _page_helpers import READY_TIMEOUT_MS, button, epoch_value, open_page, runs_completed, wait_state

pytestmark = pytest.mark.browser

EPOCHS = 6
# An epoch's end is kept at most once a second, so the run must last well beyond that on a quiet machine: there the
# 784-32-24-10 network's 6 epochs of 4000 images took 1.7 s, kept once, at epoch 5, too late to reload in time. This
# one took 5 s there, kept at three epochs' ends: still going when the page reloads, short enough on a busy machine.
PER_EPOCH = 8000
RUN = f"#hidden_layer_sizes=256,128&train_samples={PER_EPOCH}&epochs={EPOCHS}"
OFFER = re.compile(r"Your run was interrupted at epoch (\d+(?:\.\d)?) of 6 \((\d+\.\d) % on the test set\)")


def kept(page):
    """{saves, savedSamples, offered}: the interrupted run's checkpoints stored since the page opened."""
    return page.evaluate("window.nnImplTestHook.interruptedRun()")


def offer(page):
    return page.get_by_role("group", name="Interrupted run")


def train_and_reload_after_an_epoch(page, site_url):
    """Start a run, wait until it has been kept past its first epoch, reload. Returns the epochs it was kept at."""
    open_page(page, site_url, RUN)
    button(page, "Train").click()
    # past the first epoch: a checkpoint at its end may be taken while that epoch's test set is being scored
    page.wait_for_function(f"window.nnImplTestHook.interruptedRun().savedSamples > {PER_EPOCH}", timeout=300_000)
    assert page.evaluate("document.body.dataset.state") == "training", "the run ended before the page reloaded"
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)
    expect(offer(page)).to_be_visible(timeout=10_000)
    match = OFFER.search(offer(page).inner_text())
    assert match, offer(page).inner_text()
    return float(match.group(1))


def test_a_run_interrupted_by_a_reload_continues(page, site_url):
    at = train_and_reload_after_an_epoch(page, site_url)
    assert 1 <= at < EPOCHS
    # the form is the page's own after a reload; Continue puts back the run's settings
    page.get_by_label("Epochs", exact=True).fill("2")

    before = runs_completed(page)  # read before the run goes on: its few epochs may end within a second
    button(page, "Continue it").click()
    expect(offer(page)).to_be_hidden()
    wait_state(page, "training", 30_000)
    expect(page.get_by_label("Epochs", exact=True)).to_have_value(str(EPOCHS))
    # the epoch counter goes on from where the run was kept, not from 0
    expect(page.get_by_label("Epoch", exact=True)).not_to_have_text("–", timeout=30_000)  # a slice is shown
    assert epoch_value(page) >= at
    page.wait_for_function(f"window.nnImplTestHook.runsCompleted() > {before}", timeout=180_000)
    wait_state(page, "ready", 10_000)
    seen = page.evaluate("window.nnImplTestHook.epochsSeen()")
    assert seen[0] == int(at) + 1 and seen[-1] == EPOCHS, seen  # epochs after the kept one, up to the last
    assert page.get_by_label("Epoch", exact=True).inner_text().startswith(f"{EPOCHS}.00 of {EPOCHS}")
    # one run, its curves continued (not a second run beside it), and nothing left to continue
    expect(page.get_by_role("list", name="Runs in the charts").get_by_role("listitem")).to_have_count(1)
    assert page.evaluate("window.nnImplTestHook.chartPoints().epochs") == EPOCHS
    page.wait_for_function("!window.nnImplTestHook.interruptedRun().offered")
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # the offer appears within moments of "ready" when there is one
    expect(offer(page)).to_be_hidden()


def test_discard_removes_the_offer_for_good(page, site_url):
    train_and_reload_after_an_epoch(page, site_url)
    button(page, "Discard it").click()
    expect(offer(page)).to_be_hidden()
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    expect(offer(page)).to_be_hidden()
    assert not kept(page)["offered"]


def test_refused_storage_keeps_nothing_offers_nothing_and_the_run_goes_on(page, site_url):
    page.add_init_script("Object.defineProperty(window, 'indexedDB', { value: undefined })")
    open_page(page, site_url, "#train_samples=2000&epochs=3")
    button(page, "Train").click()
    page.wait_for_function("window.nnImplTestHook.runsCompleted() > 0", timeout=120_000)
    assert page.get_by_label("Epoch", exact=True).inner_text().startswith("3.00 of 3")
    assert kept(page)["saves"] == 0 and kept(page)["refused"]
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    expect(offer(page)).to_be_hidden()
