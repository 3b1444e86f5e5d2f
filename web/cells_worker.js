// The Python of "Learn how it works": a module Web Worker running its own Pyodide, apart from the trainer's
// (worker.js), so that a learner's code can never break training, prediction or the pre-trained model.
// The page starts it on the section's first use (learn.js).
//
// Protocol (the WorkerClient of protocol.js on the page's side; docs/ARCHITECTURE.md):
//   page -> worker  {id, type, payload}: type is a key of nn_impl.lesson.REQUESTS, plus "load" first:
//                   load {interruptBuffer?: SharedArrayBuffer}   fetch the MNIST subset, start Python
//                   run {code, name}                              one cell in the shared namespace
//                   reset {}, step {seed, index}, gradient_check {seed, index}, jacobian_lens {n}
//   worker -> page  {id, result} | {id, error: {message}}         exactly one reply per request
//                   {type: "output", name, text}                  what a running cell printed, line by line
//                   {type: "stage", stage, status}                loading progress ("runtime", "numpy", ...)
// Interrupting: with an interruptBuffer (only where the page is cross-origin isolated) the page writes 2
// (SIGINT) into it and the running cell gets a KeyboardInterrupt; otherwise the page terminates this worker
// and starts a new one, whose namespace is empty.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { exportResult, pythonMessage } from "./python_values.js";

const post = (message, transfer = []) => self.postMessage(message, transfer);
const DATASET_FILE = "mnist-subset.npz"; // nn_impl.tutorial_cells.DATASET_FILE: the training cell reads it

let pyodide = null;
let lesson = null;
let handlePython = null; // nn_impl.worker_requests.handle(lesson, type, payload, requests)
let lessonRequests = null;
let interruptFlag = null; // Int32Array over the page's SharedArrayBuffer, or null
let printingCell = null; // the cell whose prints go to the page now

function call(type, payload) {
  const args = pyodide.toPy(payload || {});
  try {
    return exportResult(handlePython(lesson, type, args, lessonRequests));
  } finally {
    args.destroy();
  }
}

async function load(payload) {
  const stage = (name, status) => post({ type: "stage", stage: name, status });
  stage("runtime", "start");
  const dataPromise = fetch(new URL(`./data/${DATASET_FILE}`, import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`${DATASET_FILE}: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  dataPromise.catch(() => {}); // reported when awaited
  pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
  const printer = (stream) => ({
    batched: (line) => post({ type: "output", name: printingCell, stream, text: `${line}\n` }),
  });
  pyodide.setStdout(printer("stdout"));
  pyodide.setStderr(printer("stderr"));
  if (payload.interruptBuffer) {
    interruptFlag = new Int32Array(payload.interruptBuffer);
    pyodide.setInterruptBuffer(interruptFlag);
  }
  stage("runtime", "done");
  stage("numpy", "start");
  await pyodide.loadPackage(["numpy", "nn_impl"], { messageCallback: () => {}, errorCallback: () => {} });
  stage("numpy", "done");
  const bytes = new Uint8Array(await dataPromise);
  pyodide.FS.writeFile(DATASET_FILE, bytes); // in Python's working folder
  const lessonModule = pyodide.pyimport("nn_impl.lesson");
  lesson = lessonModule.Lesson();
  lessonRequests = lessonModule.REQUESTS;
  handlePython = pyodide.pyimport("nn_impl.worker_requests").handle;
  const { result } = call("load", { dataset: bytes });
  result.versions.python = pyodide.runPython("import sys; sys.version.split()[0]");
  result.interruptible = interruptFlag !== null;
  return { result, transfer: [] };
}

let queue = Promise.resolve();
self.addEventListener("message", (event) => {
  const { id, type, payload } = event.data || {};
  if (id === undefined) return;
  queue = queue.then(() => handle(id, type, payload || {}));
});

async function handle(id, type, payload) {
  try {
    let reply;
    if (type === "load") {
      if (lesson) throw new Error("already loaded");
      reply = await load(payload);
    } else {
      if (!lesson) throw new Error(`"${type}" before the cells' Python finished loading`);
      if (type === "run") {
        printingCell = payload.name;
        if (interruptFlag) Atomics.store(interruptFlag, 0, 0); // an Interrupt that came between two cells
      }
      try {
        reply = call(type, payload);
      } finally {
        printingCell = null;
      }
    }
    post({ id, result: reply.result }, reply.transfer);
  } catch (err) {
    post({ id, error: { message: pythonMessage(err) } });
  }
}
