"""Helpers shared by the part-2 browser tests (draw, inspect, model file): read the page like a person does,
by accessible names, and wait on the counters part2.js exposes as ``window.nnImpl.part2``."""

import io
import struct
import urllib.request
import zlib

import numpy as np

from _page_helpers import button, open_page
from _strokes import draw_digit

from nn_impl import data


def open_part2(page, site_url, fragment=""):
    """Open the site and wait until it is ready and the first inspection (images + pre-trained model) is shown."""
    open_page(page, site_url, fragment)
    page.wait_for_function("window.nnImpl.part2 && window.nnImpl.part2.inspection.count >= 1", timeout=60_000)


def predicted_digit(page):
    return page.get_by_label("Predicted digit", exact=True).inner_text().strip()


def model_answering(page):
    return page.get_by_label("Model answering", exact=True).inner_text()


def stroke_ends_answered(page):
    return page.evaluate("window.nnImpl.part2.predict.timings.length")


def draw_and_wait(page, digit, **where):
    """Draw ``digit`` with the mouse and wait until the prediction for the finished drawing is shown."""
    before = stroke_ends_answered(page)
    draw_digit(page, page.get_by_label("Draw a digit", exact=True), digit, **where)
    # answered: the last stroke's end has its timing, nothing is in flight or waiting, the shown reply is current
    page.wait_for_function(
        "([before]) => { const p = window.nnImpl.part2.predict;"
        " return p.timings.length > before && p.strokeEnd === null && !p.inFlight && !p.wanted"
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


def wait_inspections(page, more_than):
    page.wait_for_function(f"window.nnImpl.part2.inspection.count > {more_than}", timeout=60_000)


def inspections(page):
    return page.evaluate("window.nnImpl.part2.inspection.count")


def page_predictions(page):
    """The explorer's predictions in the page: (pred (n,) int, proba (n, 10) float32)."""
    pred, proba = page.evaluate(
        "() => { const p = window.nnImpl.part2.explorer.predictions;"
        " return [Array.from(p.pred), Array.from(p.proba)]; }"
    )
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
