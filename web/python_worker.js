// The page's Python worker (worker.js), started as soon as the HTML has been read. index.html loads this module
// on its own, ahead of main.js: main.js's forty modules arrive one import level after another, a few hundred
// milliseconds in all, and the worker downloads and starts Pyodide meanwhile (worker.js begins loading at once
// and holds its progress reports until the page's first request). It imports nothing, so that it runs after a
// single request: an import would queue behind main.js's.

/** The query-string flag the tests open the page with (passed on to the worker, which then accepts
 * "debug_crash"); not a setting (settings.js leaves it out of the URL it writes). */
export const TEST_HOOKS_FLAG = "test-hooks";

const workerUrl = new URL("./worker.js", import.meta.url);
if (new URLSearchParams(window.location.search).has(TEST_HOOKS_FLAG)) workerUrl.search = TEST_HOOKS_FLAG;

let early = new Worker(workerUrl, { type: "module" });
// An error raised before anyone listens (worker.js could not be fetched or parsed) would be lost: keep it.
let earlyError = null;
early.addEventListener("error", (event) => {
  event.preventDefault();
  earlyError = earlyError || event.message || "the worker stopped with an error";
});

/** A Python worker: the one started with the page the first time, a fresh one after that (a restart). An error
 * the first one raised before this call is raised again, once the caller has had the chance to listen. */
export function createPythonWorker() {
  if (early === null) return new Worker(workerUrl, { type: "module" });
  const worker = early;
  early = null;
  if (earlyError !== null) {
    const message = earlyError;
    setTimeout(() => worker.dispatchEvent(new ErrorEvent("error", { message })), 0);
  }
  return worker;
}
