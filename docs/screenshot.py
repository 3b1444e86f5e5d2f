"""Retake docs/screenshot.png: the real page after a training run, with a digit drawn on the pad.

    python3 build.py build && .venv/bin/python docs/screenshot.py [--out docs/screenshot.png]

Drives the built site like a visitor (the Fast preset, Train, then a 3 drawn with the mouse) in headless
Chromium, and saves the top of the page (settings, live charts, the drawing and its prediction).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser"), str(ROOT / "py")]

from playwright.sync_api import sync_playwright  # noqa: E402

from _page_helpers import button, draw_and_wait, open_inspected, train_to_end  # noqa: E402
from buildtools.browser import add_chromium_option, launch_options, serve_in_background  # noqa: E402
from buildtools.common import DIST  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    add_chromium_option(parser)
    args = parser.parse_args()
    server, url = serve_in_background(DIST, quiet=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(args.chromium))
        page = browser.new_page(viewport={"width": 1280, "height": 1900})
        open_inspected(page, url)
        button(page, "Fast").click()
        train_to_end(page, timeout_ms=300_000)
        digit = draw_and_wait(page, 3)
        page.mouse.move(5, 5)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=args.out, full_page=False)
        accuracy = page.get_by_label("Test accuracy", exact=True).inner_text()
        print(f"saved {args.out}: test accuracy {accuracy}, drawn 3 read as {digit}")
        browser.close()


if __name__ == "__main__":
    main()
