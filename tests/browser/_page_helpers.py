"""Helpers shared by the browser tests: drive the page like a person, by accessible names, and wait on the
counters of its one read-only test hook, ``window.nnImplTestHook`` (web/main.js)."""

import io
import re
import struct
import urllib.request
import zlib

import numpy as np

from _strokes import draw_digit

from nn_impl import data

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
    """{loss, epochs}: points drawn for the current run; previousLoss: the previous run's loss points."""
    return page.evaluate("window.nnImplTestHook.chartPoints()")


def train_to_end(page, timeout_ms=120_000):
    """Press Train and wait until that run has ended (finished, diverged, stopped or refused)."""
    before = runs_completed(page)
    button(page, "Train").click()
    page.wait_for_function(f"window.nnImplTestHook.runsCompleted() > {before}", timeout=timeout_ms)
    wait_state(page, "ready", 10_000)


def runs_completed(page):
    return page.evaluate("window.nnImplTestHook.runsCompleted()")


def prediction_counters(page):
    """{count, version, shown, inFlight, wanted, strokePending, timings, padEmpty} of the draw-and-predict view."""
    return page.evaluate("window.nnImplTestHook.predictions()")


def open_inspected(page, site_url, fragment=""):
    """Open the site and wait until it is ready and the first inspection (images + pre-trained model) is shown."""
    open_page(page, site_url, fragment)
    page.wait_for_function("window.nnImplTestHook.inspections().count >= 1", timeout=60_000)


def predicted_digit(page):
    return page.get_by_label("Predicted digit", exact=True).inner_text().strip()


def model_answering(page):
    return page.get_by_label("Model answering", exact=True).inner_text()


def stroke_ends_answered(page):
    return len(prediction_counters(page)["timings"])


def draw_and_wait(page, digit, **where):
    """Draw ``digit`` with the mouse and wait until the prediction for the finished drawing is shown."""
    before = stroke_ends_answered(page)
    draw_digit(page, page.get_by_label("Draw a digit", exact=True), digit, **where)
    return wait_answered(page, before)


def wait_answered(page, before):
    """Wait until the drawing finished after ``before`` stroke ends were answered is predicted; the digit shown."""
    # answered: the last stroke's end has its timing, nothing is in flight or waiting, the shown reply is current
    page.wait_for_function(
        "([before]) => { const p = window.nnImplTestHook.predictions();"
        " return p.timings.length > before && !p.strokePending && !p.inFlight && !p.wanted"
        " && p.shown === p.version; }",
        arg=[before],
        timeout=15_000,
    )
    return predicted_digit(page)


def clear(page):
    button(page, "Clear").click()


def probabilities(page):
    """The bar chart's ten values (None for a class showing no prediction)."""
    rows = page.locator("#proba-bars .prob-row")
    values = [rows.nth(k).get_attribute("data-p") for k in range(rows.count())]
    return [float(v) if v else None for v in values]


def wait_inspected(page):
    """Wait until no inspection is on its way (the views show the latest reply)."""
    page.wait_for_function("!window.nnImplTestHook.inspections().running", timeout=60_000)


def wait_inspections(page, more_than):
    page.wait_for_function(f"window.nnImplTestHook.inspections().count > {more_than}", timeout=60_000)


def inspections(page):
    return page.evaluate("window.nnImplTestHook.inspections().count")


def page_predictions(page):
    """The explorer's predictions in the page: (pred (n,) int, proba (n, 10) float32)."""
    answers = page.evaluate("window.nnImplTestHook.explorerPredictions()")
    pred, proba = answers["pred"], answers["proba"]
    return np.array(pred), np.array(proba, dtype=np.float32).reshape(len(pred), -1)


def site_dataset(site_url):
    """The bundled data exactly as the page loads it (dict of uint8 arrays)."""
    with urllib.request.urlopen(site_url.rstrip("/") + "/data/mnist-subset.npz") as response:
        return data.load_npz_dataset(response.read())


def png_bytes(image):
    """A PNG file of ``image``: uint8 (H, W) grey or (H, W, 3) RGB (no imaging library needed)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape[:2]
    colour_type = 0 if image.ndim == 2 else 2
    rows = image.reshape(height, -1)
    raw = b"".join(b"\x00" + rows[r].tobytes() for r in range(height))  # filter type 0 on every row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return out.getvalue()
