// The cells' own Python (cells_worker.js), started on first use, and how a running cell is interrupted.
//
// Where the page is cross-origin isolated (COOP/COEP headers, so SharedArrayBuffer exists), the worker gets an
// interrupt buffer: Interrupt writes SIGINT (2) into it and Python raises KeyboardInterrupt in the running
// cell; the namespace is kept. Otherwise (GitHub Pages sends no such headers) the only way to stop a busy
// worker is to terminate it: a new one is started and every name the cells defined is gone.
import { WorkerClient } from "./protocol.js";

const SIGINT = 2;
const INTERRUPT_GRACE_MS = 1500; // a cell stuck inside C code never sees the flag: restart after this

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {(status: "loading" | "ready" | "failed", detail?: object) => void} onStatus told as the worker starts
 * @returns {{request, on, interrupt, started: () => boolean, interruptible: () => boolean}}
 */
export function createLessonPython(onStatus) {
  let client = null;
  let loading = null; // Promise of the "load" reply of the current worker
  let flag = null; // Int32Array over a SharedArrayBuffer, when isolated
  const handlers = [];

  function start() {
    if (loading) return loading;
    flag = self.crossOriginIsolated === true ? new Int32Array(new SharedArrayBuffer(4)) : null;
    if (client === null) {
      client = new WorkerClient(() => new Worker(new URL("./cells_worker.js", import.meta.url), { type: "module" }));
      for (const [type, handler] of handlers) client.on(type, handler);
    } else {
      client.restart();
    }
    onStatus("loading");
    const payload = flag ? { interruptBuffer: flag.buffer } : {};
    loading = client.request("load", payload).then(
      (info) => {
        onStatus("ready", info);
        return info;
      },
      (err) => {
        loading = null; // the next use tries again
        onStatus("failed", err);
        throw err;
      },
    );
    return loading;
  }

  return {
    /** Start the worker if needed, then send one request (nn_impl.lesson.REQUESTS); resolves with its result. */
    async request(type, payload = {}) {
      await start();
      return client.request(type, payload);
    },
    /** Listen to the worker's unsolicited messages ("output" of a running cell, "stage"). */
    on(type, handler) {
      handlers.push([type, handler]);
      if (client) client.on(type, handler);
    },
    /** Start the worker now (the section's first use), without a request. */
    warm: () => start().catch(() => {}),
    started: () => loading !== null,
    /** Whether Interrupt keeps the namespace (cross-origin isolated) or restarts the worker. */
    interruptible: () => self.crossOriginIsolated === true,
    /**
     * Stop what is running. `running`: the promise of the request to stop.
     * Resolves to "interrupted" (KeyboardInterrupt, namespace kept) or "restarted" (a new, empty worker).
     */
    async interrupt(running) {
      if (flag) {
        Atomics.store(flag, 0, SIGINT);
        const settled = await Promise.race([running.then(() => true, () => true), sleep(INTERRUPT_GRACE_MS)]);
        if (settled === true) return "interrupted";
      }
      loading = null;
      start().catch(() => {});
      return "restarted";
    },
  };
}
