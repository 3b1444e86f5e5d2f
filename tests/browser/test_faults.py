"""Faults: a diverging run is caught; a dead worker is restarted; a failed load can be retried."""

import time

import pytest
from playwright.sync_api import expect

from _page_helpers import READY_TIMEOUT_MS, button, fill, open_page, readout, state, train_to_end, wait_state

pytestmark = pytest.mark.browser


def test_a_diverging_learning_rate_is_caught(page, site_url):
    open_page(page, site_url)
    # Plain SGD at 1e6 on the 784-32-24-10 ReLU net: the first steps make the weights astronomically large, the
    # logits overflow float32 and the loss turns NaN/inf before the ReLUs can die. (Smaller rates such as 10
    # or 100 usually just kill every ReLU and leave a finite loss: not what this test is about.)
    fill(page, "Hidden layers", "32, 24")
    fill(page, "Activation", "relu")
    fill(page, "Loss", "cross_entropy")
    fill(page, "Optimizer", "sgd")
    fill(page, "Learning rate", "1e6")
    assert page.get_by_label("Learning rate", exact=True).get_attribute("aria-invalid") == "false"
    fill(page, "Training samples", 2000)
    fill(page, "Epochs", 5)
    train_to_end(page)
    message = page.locator("#run-message").inner_text()
    assert "diverged" in message.lower(), message
    assert "last good weights are kept" in message
    # The page is still usable: a sane run trains afterwards.
    fill(page, "Learning rate", "0.001")
    fill(page, "Optimizer", "adam")
    fill(page, "Loss", "cross_entropy")
    fill(page, "Epochs", 1)
    train_to_end(page)
    assert "%" in readout(page, "Test accuracy")


def test_a_dead_worker_is_restarted_and_one_that_dies_again_soon_is_left_for_a_person_to_restart(page, site_url):
    open_page(page, site_url, "?test-hooks")  # lets the worker accept debug_crash
    fill(page, "Training samples", 2000)
    fill(page, "Epochs", 100)
    button(page, "Train").click()
    page.wait_for_function("window.nnImplTestHook.chartPoints().loss >= 2", timeout=60_000)
    deliver_in_worker(page, "debug_crash")
    # restarted on its own (test_saved_state.py: with the network that answered), and said
    message = page.locator("#run-message")
    expect(message).to_contain_text("The Python worker stopped", timeout=20_000)
    expect(message).to_contain_text("was restarted", timeout=READY_TIMEOUT_MS)
    wait_state(page, "ready", 120_000)
    assert page.locator("#fault").is_hidden()
    # dead again at once: not restarted in a loop; the person is told and restarts it
    deliver_in_worker(page, "debug_crash")
    wait_state(page, "error", 20_000)
    alert = page.locator("#fault")
    expect(alert).to_be_visible()
    assert "worker stopped" in alert.inner_text()
    button(page, "Restart worker").click()
    wait_state(page, "ready", 120_000)
    assert "NumPy" in page.get_by_label("Runtime versions").inner_text()
    assert page.get_by_label("Training samples", exact=True).input_value() == "2000"  # settings kept
    button(page, "Step").click()
    wait_state(page, "paused", 30_000)
    assert readout(page, "Training loss") != "–"


def test_a_failed_load_says_what_failed_and_retry_works(page, site_url):
    page.route("**/data/mnist-subset.npz", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(site_url.rstrip("/") + "/")
    wait_state(page, "error", 120_000)
    error = page.get_by_role("alert").filter(has_text="Loading failed")
    assert "data" in error.inner_text() and "404" in error.inner_text()
    page.unroute("**/data/mnist-subset.npz")
    button(page, "Retry").click()
    wait_state(page, "ready", 120_000)
    assert state(page) == "ready"
    assert page.locator("#fault").is_hidden() and page.locator("#load-error").is_hidden()


def test_a_worker_that_cannot_be_fetched_says_so_and_retry_works(page, site_url):
    # The worker is started before the page's modules have loaded (python_worker.js): its error may come before
    # anyone listens, and must still reach the page. main.js is held back a second here to make sure it does.
    def main_js_late(route):
        time.sleep(1)
        route.continue_()

    page.route("**/main.js", main_js_late)
    page.route("**/worker.js", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(site_url.rstrip("/") + "/")
    wait_state(page, "error", 120_000)
    expect(page.get_by_role("alert").filter(has_text="Loading failed")).to_contain_text("the worker died")
    page.unroute("**/worker.js")
    button(page, "Retry").click()
    wait_state(page, "ready", 120_000)
    assert page.locator("#fault").is_hidden() and page.locator("#load-error").is_hidden()


def deliver_in_worker(page, request_type):
    """Hand the page's worker a request as if the page had sent it; its reply (if any) does not reach the page.

    The page itself has no way to send debug_crash: the tests reach into the worker through Playwright."""
    (worker,) = page.workers
    worker.evaluate("""([type]) => {
        const send = self.postMessage;
        self.lastTestReply = null;
        self.postMessage = (message, transfer) => {
          if (message && message.id === -1) {
            self.postMessage = send;
            self.lastTestReply = message;
          } else send.call(self, message, transfer);
        };
        self.dispatchEvent(new MessageEvent("message", { data: { id: -1, type, payload: {} } }));
    }""", [request_type])
    return worker


def test_without_the_test_flag_the_worker_refuses_debug_crash(page, site_url):
    open_page(page, site_url)
    worker = deliver_in_worker(page, "debug_crash")
    reply = None
    for _ in range(100):  # the worker answers after the requests queued before it
        page.wait_for_timeout(100)
        reply = worker.evaluate("self.lastTestReply")
        if reply:
            break
    assert "unknown request type 'debug_crash'" in reply["error"]["message"]
    button(page, "Step").click()  # the worker is alive and answers
    wait_state(page, "paused", 30_000)
    assert readout(page, "Training loss") != "–"
