"""Any device: a finger draws on a phone-sized touch screen without scrolling the page, and the layout fits from a
360 px phone to a 1920 px projector (no sideways scroll, no control or output on top of another)."""

import math
import re

import pytest
from playwright.sync_api import expect

from _accessibility import assert_layout_fits
from _page_helpers import button, open_inspected, stroke_ends_answered, wait_answered
from _strokes import DIGITS
from test_offline import wait_saved

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
PYTHON_START_MS = 120_000


@pytest.fixture
def device_page(browser, site_url):
    """open(device) -> a page of a fresh context with that device's viewport (and touch), opened and inspected."""
    contexts = []

    def open_on(device):
        context = browser.new_context(**device)
        contexts.append(context)
        page = context.new_page()
        open_inspected(page, site_url)
        return page

    yield open_on
    for context in contexts:
        context.close()


def swipe(cdp, points, step_px=4.0):
    """One finger put down at points[0], moved along the points every ``step_px`` CSS pixels, and lifted."""
    def touch(kind, x, y):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y, "id": 1}]})

    touch("touchStart", *points[0])
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        n = max(1, int(math.hypot(xb - xa, yb - ya) / step_px))
        for i in range(1, n + 1):
            touch("touchMove", xa + (xb - xa) * i / n, ya + (yb - ya) * i / n)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def touch_digit(page, digit, left=0.15, top=0.15, size=0.7):
    """Draw ``digit``'s strokes (_strokes.DIGITS) on the pad with a finger (CDP touch events, in the viewport)."""
    box = page.get_by_label("Draw a digit", exact=True).bounding_box()
    cdp = page.context.new_cdp_session(page)
    for stroke in DIGITS[digit]:
        swipe(cdp, [(box["x"] + (left + x * size) * box["width"], box["y"] + (top + y * size) * box["height"])
                    for x, y in stroke])
    cdp.detach()


def test_a_finger_draws_on_a_phone_without_scrolling_and_the_layout_fits(device_page):
    page = device_page(PHONE)
    assert page.evaluate("window.innerWidth") == 360
    assert_layout_fits(page, "360×740, ready")

    # the offline copy's status line above appears while it saves: wait for it, so that nothing above the pad
    # changes height (the browser's scroll anchoring would move scrollY) while the finger draws
    wait_saved(page)
    pad = page.get_by_label("Draw a digit", exact=True)
    pad.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -40)")  # the pad below the top: a scroll up or down would both show
    scroll_before = page.evaluate("window.scrollY")
    pad_top = pad.bounding_box()["y"]
    before = stroke_ends_answered(page)
    touch_digit(page, 3)
    assert wait_answered(page, before) == "3"
    # The pad is where the finger left it: the finger did not scroll the page. (scrollY itself may move: the line
    # above that says what this device keeps grows when the drawing is kept, and the browser's scroll anchoring
    # moves scrollY by as much to keep the pad in place.)
    assert abs(pad.bounding_box()["y"] - pad_top) < 1  # (anchoring keeps it to a fraction of a pixel)
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^Predicted digit 3, \d+\.\d % sure$"))
    assert_layout_fits(page, "360×740, a prediction shown")

    # the same swipe on the text beside the pad scrolls the page: the finger events above were real touches
    hint = page.get_by_text("Draw one digit anywhere on the pad").bounding_box()
    cdp = page.context.new_cdp_session(page)
    x = hint["x"] + hint["width"] / 2
    swipe(cdp, [(x, hint["y"] + hint["height"]), (x, hint["y"] - 150)], step_px=10)
    cdp.detach()
    page.wait_for_function(f"window.scrollY !== {scroll_before}", timeout=5_000)

    # the learning section's step view, the widest thing on the page, on the phone
    button(page, "Take the step apart").click()
    page.wait_for_function("window.nnImplTestHook.trainingStep() !== null", timeout=PYTHON_START_MS)
    button(page, "Next stage").click()
    assert_layout_fits(page, "360×740, step view shown")


def test_the_layout_fits_a_projector(device_page):
    page = device_page(PROJECTOR)
    assert_layout_fits(page, "1920×1080, ready")
    button(page, "Take the step apart").click()
    page.wait_for_function("window.nnImplTestHook.trainingStep() !== null", timeout=PYTHON_START_MS)
    assert_layout_fits(page, "1920×1080, step view shown")
