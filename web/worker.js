// The Python side of the page: a module Web Worker running Pyodide, the only adapter between JavaScript and
// nn_impl. Each request {id, type, payload} goes to nn_impl.worker_requests.handle, whose table says which
// Session method it calls; the reply is {id, result} or {id, error} (protocol.js documents the protocol).
//
// Conversions, both ways:
//   JS -> Python: payload objects become dicts (pyodide.toPy); typed arrays and ArrayBuffers become
//                 memoryviews (Session methods call np.asarray / bytes on them); numbers, strings, arrays as usual.
//   Python -> JS: worker_requests.transferable has replaced every np.ndarray by an {__ndarray__, shape, dtype,
//                 bytes} marker; python_values.js turns each marker into {shape, dtype, data: TypedArray} over
//                 the copied bytes, and those buffers are transferred to the page.
//
// Opened as worker.js?test-hooks (the page does so when its own URL has ?test-hooks), the worker also accepts
// "debug_crash", which kills it as a wasm abort would (tests/browser/test_faults.py). Without the flag that
// request goes to Python like any other and is refused as unknown.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { exportResult, pythonMessage } from "./python_values.js";
import { useSimdKernel } from "./simd_kernel.js";

const TEST_HOOKS = new URL(self.location.href).searchParams.has("test-hooks");
// The benchmark reads the size of Python's wasm memory through this (bench/bench_web.py).
if (TEST_HOOKS) self.wasmHeapBytes = () => (pyodide ? pyodide._module.HEAPU8.byteLength : 0);

// The worker starts loading the moment it exists (see `loading` below), often before the page's modules have
// arrived and listen to it: a message posted then would reach nobody. So messages wait here until the page's
// first request (always "load") shows that it listens.
let pageListens = false;
const held = [];
const post = (message, transfer = []) => (pageListens ? self.postMessage(message, transfer) : held.push([message, transfer]));
const stage = (name, status, extra = {}) => post({ type: "stage", stage: name, status, ...extra });

let pyodide = null;
let session = null;
let handlePython = null; // nn_impl.worker_requests.handle(session, type, payload) -> transferable result

function callSession(type, payload) {
  const args = pyodide.toPy(payload || {});
  let exported;
  try {
    exported = handlePython(session, type, args);
  } finally {
    args.destroy();
  }
  return exportResult(exported);
}

/** Fetch a file with progress (the page shows sizes); returns its bytes. */
async function fetchBytes(url, stageName) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get("content-length")) || null;
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    stage(stageName, "progress", { bytes: received, total });
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** The named start-up sequence; each stage reports start/done, and a failure names its stage. */
async function load() {
  let current = "runtime";
  try {
    const t0 = performance.now();
    stage("runtime", "start");
    // Downloads start at once and overlap with the runtime's start-up; each is awaited at its own stage.
    const dataPromise = fetchBytes(new URL("./data/mnist-subset.npz", import.meta.url), "data");
    dataPromise.catch(() => {}); // reported when awaited below
    const pretrainedPromise = fetchBytes(new URL("./data/pretrained.npz", import.meta.url), "pre-trained model");
    pretrainedPromise.catch(() => {});
    pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
    stage("runtime", "done", { ms: performance.now() - t0 });
    current = "numpy";
    stage("numpy", "start");
    const messages = [];
    const errors = [];
    const options = { messageCallback: (m) => messages.push(m), errorCallback: (m) => errors.push(m) };
    // Both packages in one call, so that their downloads overlap; nn_impl's import below is its own stage.
    await pyodide.loadPackage(["numpy", "nn_impl"], options);
    requireLoaded("numpy", "NumPy", errors);
    stage("numpy", "done", { ms: performance.now() - t0 });
    current = "nn_impl";
    stage("nn_impl", "start");
    const requests = pyodide.pyimport("nn_impl.worker_requests"); // kept: its attributes borrow from it
    session = requests.Session();
    handlePython = requests.handle;
    stage("nn_impl", "done", { ms: performance.now() - t0 });
    current = "data";
    stage("data", "start");
    const data = await dataPromise;
    stage("data", "done", { bytes: data.byteLength, ms: performance.now() - t0 });
    let pretrained = null;
    current = "pre-trained model";
    stage("pre-trained model", "start");
    try {
      pretrained = await pretrainedPromise;
      stage("pre-trained model", "done", { bytes: pretrained.byteLength, ms: performance.now() - t0 });
    } catch (err) {
      // Not fatal: training still works; the page says the model is missing.
      stage("pre-trained model", "failed", { message: String(err.message || err) });
    }
    current = "data";
    try {
      return callSession("load", { dataset: data, pretrained });
    } catch (err) {
      if (pretrained === null) throw err;
      stage("pre-trained model", "failed", { message: pythonMessage(err) });
      return callSession("load", { dataset: data, pretrained: null });
    }
  } catch (err) {
    err.stage = current;
    throw err;
  }
}

/**
 * loadPackage reports a failed download to its errorCallback instead of throwing: without this check the next
 * stage would fail on a missing import and be blamed for it.
 */
function requireLoaded(name, shown, errors) {
  if (pyodide.loadedPackages[name]) return;
  throw new Error(`${shown} could not be loaded${errors.length ? `: ${errors.join("; ")}` : ""}`);
}

/**
 * Give the engine a fast matrix product, after "ready" so that it does not delay the page: nn_impl's own
 * WebAssembly SIMD kernel (kernels.wasm, a few kB; web/simd_kernel.js), and only if it cannot be used, Pyodide's
 * OpenBLAS (its "openblas" package, 6 MB, checked against the site's lock like every package), called by
 * nn_impl.matmul through ctypes. Until one arrives, and if both fail, the products run on einsum.
 * Reports {type: "kernel", products: "WebAssembly SIMD ..." | "OpenBLAS 0.3.26" | ..., failed?: message}.
 */
async function loadKernel() {
  stage("matrix products", "start");
  let simdFailure;
  try {
    const products = await useSimdKernel(pyodide, new URL("./kernels.wasm", import.meta.url));
    stage("matrix products", "done");
    post({ type: "kernel", products });
    return;
  } catch (err) {
    simdFailure = pythonMessage(err);
  }
  const matmul = pyodide.pyimport("nn_impl.matmul");
  try {
    // A missing or altered file (sha256 against the lock) is reported to errorCallback, not thrown; then
    // use_openblas finds no library and raises.
    const errors = [];
    await pyodide.loadPackage(["openblas"], { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    try {
      matmul.use_openblas("libopenblas.so");
    } catch (err) {
      throw errors.length ? new Error(errors.join(" ")) : err;
    }
    stage("matrix products", "done");
    post({ type: "kernel", products: matmul.describe_kernel(), failed: `the SIMD kernel: ${simdFailure}` });
  } catch (err) {
    const message = `the SIMD kernel: ${simdFailure}; OpenBLAS: ${pythonMessage(err)}`;
    stage("matrix products", "failed", { message });
    post({ type: "kernel", products: matmul.describe_kernel(), failed: message });
  } finally {
    matmul.destroy();
  }
}

// Requests are handled one at a time, in order: Python is single-threaded anyway, and the page drives
// training by slices bounded by time (~40 ms), so a stop/predict request waits at most one slice.
let queue = Promise.resolve();

// Loading starts now, not when the page asks: the page's "load" request waits for it.
const loading = load();
loading.catch(() => {}); // the "load" request reports it
let loadAsked = false;

self.addEventListener("message", (event) => {
  const { id, type, payload } = event.data || {};
  if (id === undefined) return;
  if (!pageListens) {
    pageListens = true;
    for (const [message, transfer] of held.splice(0)) self.postMessage(message, transfer);
  }
  queue = queue.then(() => handle(id, type, payload));
});

async function handle(id, type, payload) {
  try {
    if (type === "debug_crash" && TEST_HOOKS) {
      // An uncaught error that kills the worker, as a wasm abort would.
      setTimeout(() => {
        throw new Error("simulated worker crash");
      }, 0);
      return;
    }
    if (type === "load") {
      if (loadAsked) throw new Error("already loaded");
      loadAsked = true;
      const { result, transfer } = await loading;
      post({ id, result }, transfer);
      loadKernel(); // after "ready", outside the queue: requests go on being answered meanwhile
      return;
    }
    if (!session) throw new Error(`"${type}" before the worker finished loading`);
    const { result, transfer } = callSession(type, payload);
    post({ id, result }, transfer);
  } catch (err) {
    const message = pythonMessage(err);
    post({ id, error: { message, stage: err.stage || null } });
    // A Pyodide fatal error leaves the interpreter unusable: say so, so the page offers a restart.
    if (/suffered a fatal error/i.test(String(err && err.message))) {
      post({ type: "fatal", message });
    }
  }
}
