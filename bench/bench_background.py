"""Training rate in a tab treated as hidden against a visible one, in headless Chromium, side by side.

    python3 bench/bench_background.py [--dist dist] [--seconds 8]

Headless Chromium keeps every page visible (neither another tab in front nor a minimised window makes
``document.visibilityState`` "hidden"), so the hidden tab is emulated by what Chrome does to one: an init script
makes every ``setTimeout``/``setInterval`` wait at least 1 s (Chrome's throttling of hidden tabs' timers) and
never runs ``requestAnimationFrame`` callbacks (hidden tabs paint no frames), and reports the page as hidden.
Both pages train the Fast preset (the SIMD kernel in use) for the same wall-clock window; the rate is read from the
page's own Epoch read-out (epochs × training images ÷ seconds). Prints one Markdown row.
"""

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]
import _rendered_text  # noqa: E402
from buildtools.browser import FAST_KERNEL_IN_USE, launch_options, page_bench_parser, serve_in_background  # noqa: E402

HIDDEN_TAB = """
(() => {
  const setTimeoutReal = window.setTimeout.bind(window), setIntervalReal = window.setInterval.bind(window);
  window.setTimeout = (f, ms, ...a) => setTimeoutReal(f, Math.max(1000, ms || 0), ...a);
  window.setInterval = (f, ms, ...a) => setIntervalReal(f, Math.max(1000, ms || 0), ...a);
  window.requestAnimationFrame = () => 0;
  Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  Object.defineProperty(document, "hidden", { get: () => true });
})();
"""


def epochs_done(page):
    match = re.match(r"\s*(\d+(?:\.\d+)?)", page.get_by_label("Epoch", exact=True).inner_text())
    return float(match.group(1)) if match else 0.0


def start_training(browser, url, hidden):
    context = browser.new_context()
    if hidden:
        context.add_init_script(HIDDEN_TAB)
    page = context.new_page()
    page.goto(url)
    # polled by interval: Playwright's default polls on animation frames, which the hidden page never gets
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=240_000, polling=250)
    page.wait_for_function(FAST_KERNEL_IN_USE,
                           timeout=120_000, polling=250)
    page.get_by_role("button", name="Fast", exact=True).click()
    page.get_by_label("Epochs", exact=True).fill("200")  # longer than the window
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("document.body.dataset.state === 'training'", timeout=30_000, polling=250)
    return context, page


def main(argv=None):
    parser = page_bench_parser(__doc__, ROOT / "dist")
    parser.add_argument("--seconds", type=float, default=8.0, help="the timed window of each page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server, url = serve_in_background(args.dist.resolve(), quiet=True)
    rates = {}
    _rendered_text.install()
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(args.chromium))
        for hidden in (False, True, False, True):  # alternated, so a change of load hits both alike
            context, page = start_training(browser, url, hidden)
            n_train = int(page.get_by_label("Training samples", exact=True).input_value())
            time.sleep(1.0)  # past the first slices
            e0, t0 = epochs_done(page), time.perf_counter()
            time.sleep(args.seconds)
            e1, t1 = epochs_done(page), time.perf_counter()
            rates.setdefault(hidden, []).append((e1 - e0) * n_train / (t1 - t0))
            context.close()
        browser.close()
    server.shutdown()
    visible, hidden = sum(rates[False]) / 2, sum(rates[True]) / 2
    print("\n| measurement | visible | hidden (emulated) | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| training samples/s, Fast preset, {args.seconds:.0f} s windows, two of each alternated | "
          f"{visible:,.0f} | {hidden:,.0f} | {hidden / visible:.2f} | ≥ 0.8 |")
    print(f"\nsingle windows: visible {[round(r) for r in rates[False]]}, hidden {[round(r) for r in rates[True]]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
