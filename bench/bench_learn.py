"""Benchmark "Learn how it works" in headless Chromium, side by side in one run.

    python3 bench/bench_learn.py [--dist dist] [--repeats 3]

Measures, and prints as a Markdown table:
  1. cold load to "ready" of the page against the same page without the section's script (learn.js replaced
     by a stub in a copy of dist/), alternated, fresh browser contexts, medians;     target ratio ~1.0 (no slower)
  2. on a cached site (second visit in the same context): from the first press of "Run cell 1" to its output,
     pressed at once when the section comes into view (its Python starts then) and pressed once that Python is
     ready; the section's start-up; "Run all cells" to cell 2's forward output;          target <= 3 s
  3. stage changes of the step view: from the key press to the stage drawn (its render time, measured in the
     page) for every stage, over all nine stages;                                       target < 100 ms
Absolute times on a shared machine are noisy; nothing here is asserted.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from buildtools.browser import launch_options, serve_in_background  # noqa: E402

STUB = """// the page without "Learn how it works" (bench_learn.py only)
export function createLearn() { return { stepSnapshot: () => null, stepTimings: () => [] }; }
"""


def wait_ready(page, timeout_s=180):
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=timeout_s * 1000)


def cold_loads(browser, urls, repeats):
    """{name: median seconds to ready} for each URL, alternated, each in a fresh context (no HTTP cache)."""
    times = {name: [] for name in urls}
    for _ in range(repeats):
        for name, url in urls.items():
            context = browser.new_context()
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(url)
            wait_ready(page)
            times[name].append(time.perf_counter() - t0)
            context.close()
    return {name: statistics.median(v) for name, v in times.items()}


def wait_output(page, label, condition):
    page.wait_for_function(f"(o => o && ({condition}))(document.querySelector('[aria-label=\"{label}\"]'))",
                           timeout=180_000)


def cached_visit(browser, url):
    """A page on a cached site (the first visit fills the HTTP cache), ready, and its context."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    return context, page


def first_runs(browser, url):
    """On a cached site, seconds from the first "Run cell 1" to its output:
    (pressed as soon as the section is in view: its Python starts then, pressed once the section's Python is
    ready (the learner read the code first), and from the section coming into view to its Python being ready)."""
    context, page = cached_visit(browser, url)
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run cell 1", exact=True).click()
    wait_output(page, "Output of cell 1", "o.dataset.state === 'done'")
    at_once = time.perf_counter() - t0
    context.close()

    context, page = cached_visit(browser, url)
    t0 = time.perf_counter()
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    page.wait_for_function("document.getElementById('cells-status').textContent.includes('is ready')",
                           timeout=180_000)
    start_up = time.perf_counter() - t0
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run cell 1", exact=True).click()
    wait_output(page, "Output of cell 1", "o.dataset.state === 'done'")
    when_ready = time.perf_counter() - t0
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run all cells", exact=True).click()
    wait_output(page, "Output of cell 2", "o.textContent.includes('0.49915458')")
    run_all = time.perf_counter() - t0
    context.close()
    return at_once, start_up, when_ready, run_all


def stage_changes(browser, url):
    """Render times (ms) of the step view's stages as the arrow key walks them, and key press -> painted (ms)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    page.get_by_role("button", name="Take the step apart", exact=True).click()
    page.wait_for_function("window.nnImplTestHook.trainingStep() !== null", timeout=180_000)
    page.locator("#step-stage").focus()
    painted = []
    for _ in range(2):
        for key in ["ArrowRight"] * 8 + ["ArrowLeft"] * 8:
            # key press to the next frame after the stage was drawn, measured in the page
            painted.append(page.evaluate("""(key) => new Promise((resolve) => {
                const t0 = performance.now();
                document.getElementById('step-stage').dispatchEvent(
                    new KeyboardEvent('keydown', {key, bubbles: true}));
                requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
            })""", key))
    render = page.evaluate("window.nnImplTestHook.stepRenderTimes()")[1:]  # [0]: the first draw, not a change
    context.close()
    return render, painted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        without = Path(tmp) / "dist"
        shutil.copytree(args.dist, without)
        (without / "learn.js").write_text(STUB)
        server, url = serve_in_background(args.dist, quiet=True)
        server_without, url_without = serve_in_background(without, quiet=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options())
            loads = cold_loads(browser, {"page": url, "without": url_without}, args.repeats)
            at_once, start_up, when_ready, run_all = first_runs(browser, url)
            render, painted = stage_changes(browser, url)
            browser.close()
        for s in (server, server_without):
            s.shutdown()
            s.server_close()

    print("| measurement | value | target |")
    print("|---|---|---|")
    print(f"| cold load to ready, the page vs the page without the section's script | {loads['page']:.2f} s vs "
          f"{loads['without']:.2f} s = {loads['page'] / loads['without']:.2f}× | no slower (≈ 1.0×) |")
    print(f"| cached site: section in view → its Python ready | {start_up:.2f} s | |")
    print(f"| cached site: first \"Run cell 1\" → its output, pressed once that Python is ready | "
          f"{when_ready:.2f} s | ≤ 3 s |")
    print(f"| cached site: first \"Run cell 1\" → its output, pressed as the section comes into view | "
          f"{at_once:.2f} s | ≤ 3 s |")
    print(f"| then \"Run all cells\" → cell 2's forward output | {run_all:.2f} s | |")
    print(f"| stage change: render, median / max over {len(render)} | {statistics.median(render):.1f} ms / "
          f"{max(render):.1f} ms | < 100 ms |")
    print(f"| stage change: key press → next frame, median / max over {len(painted)} | "
          f"{statistics.median(painted):.1f} ms / {max(painted):.1f} ms | < 100 ms |")


if __name__ == "__main__":
    main()
