"""Benchmark "Teach the network my digits" in the page: its time with the defaults, and what it changes.

    python3 bench/bench_teach_page.py [--dist dist] [--repeats 3] [--per-label 4]

In headless Chromium, with the fast kernel loaded (the SIMD one): "My digits" are ``--per-label`` digits of each label taken from the
bundled MNIST test images and mirrored left to right (a style MNIST has not seen: a backwards 2, 3, 4, 7...),
imported through "Import digits" as an .npz. Then "Teach the network my digits" is pressed with the defaults
(and once more with no MNIST replayed), timed from the click until the page says "Taught", and the page's own
before/after table is read: accuracy on the held-out part of My digits and on the MNIST test set. "Undo
teaching" between repeats, so each starts from the pre-trained network. Prints Markdown rows. Times are
wall-clock on a shared machine: they are noisy.
"""

import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "py"), str(ROOT / "tests" / "browser")]
import _rendered_text  # noqa: E402
from buildtools.browser import FAST_KERNEL_IN_USE, launch_options, page_bench_parser, serve_in_background  # noqa: E402
from nn_impl import data  # noqa: E402


def mirrored_digits(site_url, per_label):
    """(x uint8 (10·per_label, 28, 28), y): the first bundled test images of each label, mirrored."""
    with urllib.request.urlopen(site_url + "data/mnist-subset.npz") as response:
        dataset = data.load_npz_dataset(response.read())
    chosen = np.concatenate([np.flatnonzero(dataset["y_test"] == label)[:per_label] for label in range(10)])
    return dataset["x_test"][chosen][:, :, ::-1], dataset["y_test"][chosen]


def row_values(page, name):
    """(before, after) in percent from the before/after table's row whose header starts with ``name``."""
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(f"^{re.escape(name)}")))
    cells = row.get_by_role("cell")
    return tuple(float(cells.nth(k).inner_text().rstrip(" %")) for k in (0, 1))


def teach_once(page):
    """Press Teach, wait for "Taught"; (seconds, (mine before, after), (mnist before, after), which scored)."""
    message = page.locator("#teach-message")
    t0 = time.perf_counter()
    page.get_by_role("button", name="Teach the network my digits", exact=True).click()
    message.filter(has_text=re.compile(r"^(Taught|Could not|Teaching was|Teaching diverged)")).wait_for(timeout=300_000)
    seconds = time.perf_counter() - t0
    if not message.inner_text().startswith("Taught"):
        raise SystemExit(f"teaching failed: {message.inner_text()}")
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=60_000)
    scored = page.get_by_role("rowheader", name=re.compile("^My digits")).inner_text()
    return seconds, row_values(page, "My digits"), row_values(page, "MNIST test set"), scored


def undo(page):
    page.get_by_role("button", name="Undo teaching", exact=True).click()
    page.wait_for_function("document.getElementById('teach-message').textContent.startsWith('Undone')")


def main(argv=None):
    parser = page_bench_parser(__doc__, ROOT / "dist")
    parser.add_argument("--repeats", type=int, default=3, help="teachings with the defaults")
    parser.add_argument("--per-label", type=int, default=4, help="My digits of each label")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server, url = serve_in_background(args.dist.resolve(), quiet=True)
    url = url.rstrip("/") + "/"
    x, y = mirrored_digits(url, args.per_label)
    rows = []
    _rendered_text.install()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "mirrored.npz"
        np.savez(path, x=x, y=y)
        browser = p.chromium.launch(**launch_options(args.chromium))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_function("document.body.dataset.state === 'ready'", timeout=240_000)
        page.wait_for_function(FAST_KERNEL_IN_USE, timeout=120_000)
        page.get_by_label("Import digits").set_input_files(path)
        page.wait_for_function(f"document.getElementById('my-digits-summary').textContent.startsWith('{len(y)} digits')")
        settings = {label: page.get_by_label(label, exact=True).input_value()
                    for label in ("MNIST share while teaching (%)", "Teaching length (batches)")}
        runs = []
        for _ in range(args.repeats):
            runs.append(teach_once(page))
            undo(page)
        rows.append((f"defaults ({settings['MNIST share while teaching (%)']} % MNIST, "
                     f"{settings['Teaching length (batches)']} batches)", runs))
        page.get_by_label("MNIST share while teaching (%)", exact=True).fill("0")
        rows.append(("no MNIST replayed", [teach_once(page)]))
        browser.close()
    server.shutdown()

    print(f"\n{len(y)} mirrored MNIST digits ({args.per_label} of each label); {runs[0][3]}")
    print("| teaching | time (s) | my digits, held out: before → after | MNIST test set: before → after |")
    print("|---|---|---|---|")
    for name, runs in rows:
        times = [r[0] for r in runs]
        mine = statistics.mean(r[1][1] for r in runs)
        mnist = statistics.mean(r[2][1] for r in runs)
        spread = f" (min {min(times):.1f}, max {max(times):.1f})" if len(times) > 1 else ""
        print(f"| {name}, {len(runs)}× | {statistics.median(times):.1f}{spread} | {runs[0][1][0]:.1f} % → {mine:.1f} % "
              f"| {runs[0][2][0]:.1f} % → {mnist:.1f} % |")


if __name__ == "__main__":
    main()
