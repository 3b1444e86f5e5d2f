"""Retake docs/screenshot.png (the real page after a training run, with a digit drawn on the pad) and
docs/screenshot-learn.png ("Learn how it works": the tutorial's cells run, one training step taken apart).

    python3 build.py build && .venv/bin/python docs/screenshot.py [--out docs/screenshot.png]

Drives the built site like a visitor (the Fast preset, Train, then a 3 drawn with the mouse) in headless
Chromium, and saves the page from its top down to the drawing and its prediction (settings, live charts, the
layers, the runs); then runs all the tutorial's cells, takes the step apart and walks to the first layer's
backward stage.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser"), str(ROOT / "py")]

from playwright.sync_api import sync_playwright  # noqa: E402

from _page_helpers import button, draw_and_wait, open_inspected, train_to_end  # noqa: E402
import _rendered_text  # noqa: E402
from buildtools.browser import add_chromium_option, launch_options, serve_in_background  # noqa: E402
from buildtools.common import DIST  # noqa: E402


def learn_screenshot(page, out):
    """The section "Learn how it works" after Run all cells, with the step view at the Jacobian of layer 1."""
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    button(page, "Run all cells").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of cell 8\"]').dataset.state === 'done'",
                           timeout=300_000)
    button(page, "Take the step apart").click()
    page.wait_for_function("window.nnImplTestHook.trainingStep() !== null", timeout=120_000)
    for _ in range(7):
        button(page, "Next stage").click()
    page.wait_for_selector("#step-formula .katex", timeout=30_000)
    page.mouse.move(5, 5)
    page.get_by_role("group", name="One training step, taken apart").screenshot(path=out)
    print(f"saved {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--learn-out", default=str(ROOT / "docs" / "screenshot-learn.png"))
    add_chromium_option(parser)
    args = parser.parse_args()
    server, url = serve_in_background(DIST, quiet=True)
    _rendered_text.install()
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(args.chromium))
        page = browser.new_page(viewport={"width": 1280, "height": 1900})
        open_inspected(page, url)
        button(page, "Fast").click()
        train_to_end(page, timeout_ms=300_000)
        digit = draw_and_wait(page, 3)
        page.mouse.move(5, 5)
        page.evaluate("window.scrollTo(0, 0)")
        # From the top of the page down to the drawing and its probabilities, all in the viewport: panels out of
        # view are not rendered (content-visibility), so a full-page capture would show them blank.
        predict = page.get_by_role("region", name="Draw and predict", exact=True).bounding_box()  # scrolled to 0
        page.set_viewport_size({"width": 1280, "height": round(predict["y"] + predict["height"]) + 16})
        page.wait_for_timeout(500)
        page.screenshot(path=args.out, full_page=False)
        page.set_viewport_size({"width": 1280, "height": 1900})
        accuracy = page.get_by_label("Test accuracy", exact=True).inner_text()
        print(f"saved {args.out}: test accuracy {accuracy}, drawn 3 read as {digit}")
        learn_screenshot(page, args.learn_out)
        browser.close()


if __name__ == "__main__":
    main()
