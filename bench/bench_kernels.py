"""The matrix-product kernels inside headless Chromium's worker, next to the machine's single-thread wasm ceiling.

    python3 bench/bench_kernels.py [--dist dist] [--repeats 30]

In one Web Worker of the built site's origin, Pyodide loads NumPy, openblas and nn_impl exactly as the page does
and links the page's WebAssembly SIMD kernel (web/simd_kernel.js), then times ``nn_impl.matmul.product`` with the
einsum, the OpenBLAS and the SIMD kernels on the products of a training step
(784-32-24-10 and 784-128-64-10, batch 64: forward A @ W, gradient A.T @ dZ, back dZ @ W.T), and on small ones
around the crossover (``BLAS_MIN_MULTIPLY_ADDS``). Each product is timed with the per-shape choice disabled, so
every kernel really runs. Beside them: the ceiling, a plain loop of our own in WebAssembly (12 independent f32x4
multiply-then-add chains in registers, no memory traffic), which no product can beat on one thread.
Prints a Markdown table (µs per product, GFLOP/s = 2·m·k·n / time). Absolute numbers move with the load.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from buildtools.browser import SiteHandler, launch_options, page_bench_parser, serve_in_background  # noqa: E402

# (label, m, k, n, form): form "ab" = A @ B, "atb" = A.T @ B (A stored (k, m)), "abt" = A @ B.T
PRODUCTS = [
    ("forward 64×784 @ 784×32", 64, 784, 32, "ab"),
    ("gradient (64×784)ᵀ @ 64×32", 784, 64, 32, "atb"),
    ("forward 64×784 @ 784×128", 64, 784, 128, "ab"),
    ("gradient (64×784)ᵀ @ 64×128", 784, 64, 128, "atb"),
    ("back 64×128 @ (64×128)ᵀ", 64, 64, 128, "abt"),
    ("forward 64×128 @ 128×64", 64, 128, 64, "ab"),
    ("forward 64×32 @ 32×24", 64, 32, 24, "ab"),
    ("forward 64×24 @ 24×10", 64, 24, 10, "ab"),
    ("one drawing 1×784 @ 784×128", 1, 784, 128, "ab"),
]

# Python run in the worker: times each product with each kernel, best of `repeats` batches of calls.
TIMING_PY = r"""
import json, time
import numpy as np
from nn_impl import matmul
matmul.use_openblas()  # the SIMD kernel is linked already: both are loaded, each is chosen below
matmul.BLAS_MIN_MULTIPLY_ADDS = 0  # time OpenBLAS on the small products too
rng = np.random.default_rng(0)
rows = []
for label, m, k, n, form in PRODUCTS:
    A = rng.normal(size=(k, m) if form == "atb" else (m, k)).astype(np.float32)
    B = rng.normal(size=(n, k) if form == "abt" else (k, n)).astype(np.float32)
    A = A.T if form == "atb" else A
    B = B.T if form == "abt" else B
    out = np.empty((m, n), np.float32)
    calls = max(2, int(2e7 // (m * k * n)))  # about 20 M multiply-adds per timed batch: well above the 0.1 ms timer
    times = {}
    for kernel in ("einsum", "openblas", "simd"):
        matmul.use(kernel)
        matmul.product(A, B, out=out)
        best = float("inf")
        for _ in range(REPEATS):
            t = time.perf_counter()
            for _ in range(calls):
                matmul.product(A, B, out=out)
            best = min(best, (time.perf_counter() - t) / calls)
        times[kernel] = best
    rows.append({"label": label, "m": m, "k": k, "n": n, **times})
json.dumps(rows)
"""

# 12 chains of v = v * c + d on f32x4 in locals: 96 flops per iteration, no loads or stores. Twelve, because a
# chain waits for its multiply and its add (3 + 3 cycles on this machine's AMD EPYC) and the core starts two of
# each per cycle: 8 chains (this loop's first version) left it latency-bound at about half the real ceiling.
WORKER_JS = r"""
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
function ceilingModule(chains) {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id, content) => bytes.push(id, ...leb(content.length), ...content);
  section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d]);             // type: (i32) -> f32
  section(3, [0x01, 0x00]);                                       // one function of that type
  section(7, [0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00]);         // export "run"
  const f32x4 = (x) => { const b = new Uint8Array(new Float32Array([x, x, x, x]).buffer); return [0xfd, 0x0c, ...b]; };
  const c = chains + 1, d = chains + 2;                           // locals: 0 = n, 1..chains, c, d
  const body = [0x01, chains + 2, 0x7b];
  for (let i = 1; i <= chains; i++) body.push(...f32x4(1 + i / 100), 0x21, i);
  body.push(...f32x4(0.9999), 0x21, c, ...f32x4(0.0001), 0x21, d);
  body.push(0x03, 0x40);                                          // loop
  for (let i = 1; i <= chains; i++) body.push(0x20, i, 0x20, c, 0xfd, 0xe6, 0x01, 0x20, d, 0xfd, 0xe4, 0x01, 0x21, i);
  body.push(0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b); // n -= 1; br_if n; end
  body.push(0x20, 1);
  for (let i = 2; i <= chains; i++) body.push(0x20, i, 0xfd, 0xe4, 0x01);
  body.push(0xfd, 0x1f, 0x00, 0x0b);                              // extract lane 0; end
  section(10, [0x01, ...leb(body.length), ...body]);
  return new Uint8Array(bytes);
}
onmessage = ({ data }) => measure(data).catch((err) => postMessage({ error: String(err && err.message || err) }));
async function measure(data) {
  const chains = 12;
  const { instance } = await WebAssembly.instantiate(ceilingModule(chains));
  const iterations = 2e6; // short runs, best of 20: a run that a busy machine interrupts is not kept
  instance.exports.run(1e5);
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    instance.exports.run(iterations);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  const ceiling = (iterations * chains * 4 * 2) / best / 1e9;
  const { loadPyodide } = await import(INDEX_URL + "pyodide.mjs"); // imported here: a top-level await would
  const py = await loadPyodide({ indexURL: INDEX_URL });            // let the page's message arrive unheard
  await py.loadPackage(["numpy", "openblas", "nn_impl"]);
  const { useSimdKernel } = await import(SITE_URL + "simd_kernel.js");
  await useSimdKernel(py, SITE_URL + "kernels.wasm");
  py.globals.set("PRODUCTS", py.toPy(data.products));
  py.globals.set("REPEATS", data.repeats);
  const rows = JSON.parse(py.runPython(data.code));
  postMessage({ ceiling, rows });
}
"""

PAGE_HTML = """<!doctype html><meta charset="utf-8"><title>kernels</title><script type="module">
window.runKernels = (products, repeats, code, workerSource) => new Promise((resolve, reject) => {
  const source = `const INDEX_URL = "${new URL("../pyodide/", location.href)}";\n` +
    `const SITE_URL = "${new URL("../", location.href)}";\n` + workerSource;
  const w = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
  w.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
  w.onerror = (e) => reject(new Error(e.message || "the worker failed to start"));
  setTimeout(() => reject(new Error("no answer in 600 s")), 600_000);
  w.postMessage({ products, repeats, code });
});
</script>"""


class Handler(SiteHandler):
    """The site, plus the benchmark's page on the same origin (so that its worker may import the site's Pyodide)."""

    def do_GET(self):
        if self.path.split("?", 1)[0] != "/__bench__/kernels.html":
            return super().do_GET()
        body = PAGE_HTML.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


def main(argv=None):
    parser = page_bench_parser(__doc__, ROOT / "dist")
    parser.add_argument("--repeats", type=int, default=30, help="timed batches per product and kernel (best kept)")
    args = parser.parse_args(argv)
    if not (args.dist / "pyodide" / "pyodide-lock.json").is_file():
        sys.exit(f"bench_kernels: no built site in {args.dist}; run `python3 build.py build` first")
    from playwright.sync_api import sync_playwright

    server, url = serve_in_background(args.dist.resolve(), handler=Handler, quiet=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(args.chromium))
        page = browser.new_page()
        page.goto(url + "__bench__/kernels.html")
        page.wait_for_function("typeof window.runKernels === 'function'")
        result = page.evaluate("([p, r, c, w]) => runKernels(p, r, c, w)",
                               [[list(row) for row in PRODUCTS], args.repeats, TIMING_PY, WORKER_JS])
        browser.close()
    server.shutdown()
    ceiling = result["ceiling"]
    print(f"\nmatrix products in headless Chromium's worker (float32, best of {args.repeats}); the single-thread "
          f"wasm ceiling measured by a plain f32x4 loop: {ceiling:.2f} GFLOP/s\n")
    print("| product | multiply-adds | einsum µs | OpenBLAS µs | SIMD µs | einsum GFLOP/s | OpenBLAS GFLOP/s | "
          "SIMD GFLOP/s | SIMD of the ceiling |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in result["rows"]:
        macs = row["m"] * row["k"] * row["n"]
        gflops = {k: 2 * macs / row[k] / 1e9 for k in ("einsum", "openblas", "simd")}
        print(f"| {row['label']} | {macs:,} | {row['einsum'] * 1e6:.0f} | {row['openblas'] * 1e6:.0f} | "
              f"{row['simd'] * 1e6:.0f} | {gflops['einsum']:.2f} | {gflops['openblas']:.2f} | {gflops['simd']:.2f} | "
              f"{gflops['simd'] / ceiling:.0%} |")
    print("\n" + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
