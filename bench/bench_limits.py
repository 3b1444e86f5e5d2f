"""Measure what the browser tab can hold: the widest and deepest network, the largest batch, the longest run.

    python3 bench/bench_limits.py [--dist dist] [--chromium PATH] [--only NAME ...]

Each network runs in a fresh page of headless Chromium with the site's own Pyodide, NumPy and nn_impl wheel
(a bench page next to a copy of dist/'s files, so nothing of the site changes), doing what the page does with a
network: build it and take one training step (on batches of its size, tiling the bundled images when the
batch is larger than the set), score the test images (the explorer and the confusion matrix), and draw the first
layer's weights. Reported per network: whether it worked or what failed, the seconds each took, the wasm heap
after (Pyodide's memory, which never shrinks: its peak), and nn_impl.params' estimate with the page's verdict.
The numbers written next to nn_impl.params.TAB_MEMORY_BYTES come from this script. It reports; it asserts nothing.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "py")]
from buildtools.browser import add_chromium_option, launch_options, serve_in_background  # noqa: E402
from nn_impl import params  # noqa: E402

# name -> (hidden layer sizes, batch size): the widest, the deepest, the largest, and the largest batch
NETWORKS = {
    "wide 1024": ([1024], 32), "wide 4096": ([4096], 32), "wide 8192": ([8192], 32), "wide 16384": ([16384], 32),
    "deep 8x1024": ([1024] * 8, 32), "deep 16x1024": ([1024] * 16, 32), "deep 16x2048": ([2048] * 16, 32),
    "2x4096": ([4096] * 2, 32), "3x4096": ([4096] * 3, 32), "4x4096": ([4096] * 4, 32),
    "batch 65536": ([32, 24], 65536), "batch 262144": ([32, 24], 262144), "4096 batch 16384": ([4096], 16384),
}

BENCH_PAGE = """<!doctype html><meta charset="utf-8"><title>limits</title>
<script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
window.runNetwork = async (hidden, batch) => {
  const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", location.href).href });
  await pyodide.loadPackage(["numpy", "nn_impl"]);
  const data = new Uint8Array(await (await fetch("./data/mnist-subset.npz")).arrayBuffer());
  pyodide.globals.set("raw", data);
  pyodide.globals.set("hidden", pyodide.toPy(hidden));
  pyodide.globals.set("batch", batch);
  const heap = () => pyodide._module.HEAPU8.length;
  let out;
  try {
    out = pyodide.runPython(`
import time, numpy as np
from nn_impl import MLPClassifier, data, diagnostics
d = data.load_npz_dataset(raw.to_py())
x, y = d["x_train"], d["y_train"]
if len(x) < batch:  # a batch larger than the bundled set: tile it
    reps = -(-batch // len(x)); x, y = np.concatenate([x] * reps)[:batch], np.concatenate([y] * reps)[:batch]
seconds = {}
t = time.perf_counter()
model = MLPClassifier(hidden_layer_sizes=tuple(hidden), batch_size=batch, input_scaling="unit", random_state=0)
trainer = model.trainer(x[:max(batch, 256)], y[:max(batch, 256)])
trainer.run(1)
seconds["train step"] = time.perf_counter() - t
t = time.perf_counter()
seen = diagnostics.predictions(model, d["x_test"])
seconds["score test set"] = time.perf_counter() - t
t = time.perf_counter()
diagnostics.first_layer_images(model)
seconds["weights"] = time.perf_counter() - t
{"ok": True, "seconds": seconds, "n_test": int(len(d["x_test"]))}
`).toJs({ dict_converter: Object.fromEntries });
  } catch (err) {
    const lines = String(err.message || err).trim().split("\\n");
    out = { ok: false, error: lines[lines.length - 1] };
  }
  out.heap = heap();
  return out;
};
window.heapCeiling = async () => {
  const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", location.href).href });
  await pyodide.loadPackage(["numpy"]);
  const held = pyodide.runPython(`
import numpy as np
blocks = []
try:
    while True:
        blocks.append(np.ones(2**26, np.uint8))  # 64 MiB, written: really committed
except MemoryError:
    pass
len(blocks) * 2**26
`);
  return { ok: true, held, heap: pyodide._module.HEAPU8.length };
};
window.benchReady = true;
</script>"""


def log(message):
    print(f"[bench_limits] {message}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--only", nargs="*", help="names of NETWORKS to run (default: all)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per network before it counts as stuck")
    add_chromium_option(parser)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    names = args.only or ["heap ceiling", *NETWORKS]
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        for part in ("pyodide", "data"):
            shutil.copytree(Path(args.dist) / part, site / part)
        (site / "limits.html").write_text(BENCH_PAGE)
        server, url = serve_in_background(site)
        rows = []
        ceiling = None
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(args.chromium))
                for name in names:
                    if name == "heap ceiling":
                        page = browser.new_page()
                        page.goto(url + "limits.html")
                        page.wait_for_function("window.benchReady === true")
                        ceiling = page.evaluate("window.heapCeiling()")
                        page.close()
                        log(f"heap ceiling: {ceiling}")
                        continue
                    hidden, batch = NETWORKS[name]
                    sizes = [784, *hidden, params.PAGE_CLASSES]
                    estimate = params.estimated_memory(sizes, batch)
                    log(f"{name}: {'-'.join(map(str, sizes))}, batch {batch}, estimate {estimate / 2**20:.0f} MB")
                    page = browser.new_page()
                    page.set_default_timeout(args.timeout * 1000)
                    page.goto(url + "limits.html")
                    page.wait_for_function("window.benchReady === true")
                    try:
                        result = page.evaluate("([h, b]) => window.runNetwork(h, b)", [hidden, batch])
                    except Exception as exc:  # a crashed renderer or a timeout
                        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                                  "heap": None}
                    page.close()
                    rows.append((name, sizes, batch, estimate, result))
                    log(json.dumps(result))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()

    print(f"\nTab limits measured in Chromium (Pyodide, wasm32); page budget {params.TAB_MEMORY_BYTES / 2**20:.0f} MB")
    if ceiling:
        print(f"NumPy arrays of 64 MiB allocated until MemoryError: {ceiling['held'] / 2**20:.0f} MB "
              f"(wasm heap then {ceiling['heap'] / 2**20:.0f} MB)")
    print()
    print("| network | batch | estimate (MB) | page says | result | train step (s) | score test set (s) | wasm heap after (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, sizes, batch, estimate, result in rows:
        verdict = "refused" if estimate > params.TAB_MEMORY_BYTES else "allowed"
        seconds = result.get("seconds") or {}
        heap = f"{result['heap'] / 2**20:.0f}" if result.get("heap") else "–"
        outcome = "works" if result["ok"] else result["error"][:80]
        print(f"| {name}: {'-'.join(map(str, sizes))} | {batch} | {estimate / 2**20:.0f} | {verdict} | {outcome} | "
              f"{seconds.get('train step', float('nan')):.2f} | {seconds.get('score test set', float('nan')):.2f} | {heap} |")


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
