"""Helpers shared by the part-1 browser tests: drive the page like a person, by accessible names."""

import re

READY_TIMEOUT_MS = 120_000


def open_page(page, site_url, fragment=""):
    """Open the site (optionally with a settings fragment such as "#epochs=1") and wait until it is ready."""
    # via about:blank: going to the same page with another #fragment would not reload it
    page.goto("about:blank")
    page.goto(site_url.rstrip("/") + "/" + fragment)
    wait_state(page, "ready", READY_TIMEOUT_MS)


def wait_state(page, state, timeout_ms=60_000):
    page.wait_for_function(f"document.body.dataset.state === {state!r}", timeout=timeout_ms)


def state(page):
    return page.evaluate("document.body.dataset.state")


def fill(page, label, value):
    """Type into a labelled input, or choose in a labelled select."""
    field = page.get_by_label(label, exact=True)
    if field.evaluate("el => el.tagName") == "SELECT":
        field.select_option(str(value))
    else:
        field.fill(str(value))


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def readout(page, label):
    return page.get_by_label(label, exact=True).inner_text()


def percent(text):
    """'95.10 %' -> 95.1; None when the read-out shows no number yet."""
    match = re.search(r"(\d+(?:\.\d+)?)\s*%", text)
    return float(match.group(1)) if match else None


def epoch_value(page):
    """The Epoch read-out '1.25 of 6' -> 1.25 (0.0 before anything ran)."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)", readout(page, "Epoch"))
    return float(match.group(1)) if match else 0.0


def chart_points(page):
    return page.evaluate("window.nnImpl.charts.points")


def train_to_end(page, timeout_ms=120_000):
    """Press Train and wait until that run has ended (finished, diverged, stopped or refused)."""
    before = page.evaluate("window.nnImpl.run.completed")
    button(page, "Train").click()
    page.wait_for_function(f"window.nnImpl.run.completed > {before}", timeout=timeout_ms)
    wait_state(page, "ready", 10_000)
