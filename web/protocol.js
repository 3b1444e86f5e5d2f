// The one message protocol between the page (main thread) and the Python worker.
//
//   page -> worker   {id, type, payload}                 a request; nn_impl/worker_requests.py's REQUESTS table
//                                                         says which Session method `type` calls
//   worker -> page   {id, result}                         the request succeeded
//                    {id, error: {message, stage?}}       it failed (a Python ValueError's text, or why not)
//                    {type: "stage", stage, status, bytes?, total?, ms?, message?}   loading progress (no id)
//                    {type: "kernel", products, failed?}  what computes the matrix products now (the SIMD
//                                                         kernel, else OpenBLAS, arrives after "ready"; failed:
//                                                         why the faster one could not)
//                    {type: "fatal", message}             Python itself broke (Pyodide's "fatal error"); the
//                                                         client treats the worker as dead (no id)
//
// Request types: load, configure, train {n_batches}, stop, set_learning_rate {learning_rate}, predict, export,
// import, inspect, restore {data, name, test_accuracy}, use_pretrained (and the others the table lists). Every request gets exactly one reply: the worker wraps each handler in try/catch, and if the
// worker itself dies, WorkerClient rejects every pending request, so no promise is left that never settles (that
// would freeze the UI). Typed arrays in payloads and results travel as transferables, not as copied lists;
// an ndarray in a result arrives as {shape: number[], dtype: string, data: TypedArray} (see worker.js).

export class WorkerError extends Error {
  constructor(message, stage = null, type = null) {
    super(message);
    this.name = "WorkerError";
    this.stage = stage;
    this.requestType = type;
  }
}

/** A Python error's text without its exception class: "ValueError: learning_rate: ..." -> "learning_rate: ...".
 * The page shows Python's messages to visitors, to whom the class name says nothing. */
export function withoutErrorClass(message) {
  return String(message).replace(/^[A-Za-z]*Error: /, "");
}

export class WorkerClient {
  /** @param {() => Worker} createWorker makes a fresh worker (used at start and by restart()). */
  constructor(createWorker) {
    this._createWorker = createWorker;
    this._nextId = 1;
    this._pending = new Map(); // id -> {resolve, reject, type}
    this._handlers = new Map(); // unsolicited message type -> Set of handlers
    this.dead = false;
    this._start();
  }

  _start() {
    const worker = this._createWorker();
    this.worker = worker;
    this.dead = false;
    // A terminated worker can still deliver an event it raised while being stopped (Python interrupted half-way
    // throws): only the current worker's events count, or a restart would be killed by its predecessor.
    const current = () => this.worker === worker;
    worker.addEventListener("message", (event) => current() && this._onMessage(event.data));
    // An uncaught error inside the worker, or a message that cannot be decoded, means we can no longer trust
    // it to reply: treat it as dead, fail everything pending and tell the page.
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (current()) this._die(event.message || "the worker stopped with an error");
    });
    worker.addEventListener("messageerror", () => current() && this._die("a message from the worker could not be read"));
  }

  _die(reason, notify = true) {
    if (this.dead) return;
    this.dead = true;
    try {
      this.worker.terminate();
    } catch (_) {
      /* already gone */
    }
    const pending = [...this._pending.values()];
    this._pending.clear();
    // stage "cancelled": the page itself stopped the worker (restart); "worker": it died on its own
    const [text, stage] = notify ? [`the worker died: ${reason}`, "worker"] : [reason, "cancelled"];
    for (const p of pending) p.reject(new WorkerError(text, stage, p.type));
    if (notify) this._emit("dead", { type: "dead", message: reason });
  }

  _onMessage(message) {
    if (message && message.id !== undefined && this._pending.has(message.id)) {
      const pending = this._pending.get(message.id);
      this._pending.delete(message.id);
      if (message.error) {
        pending.reject(new WorkerError(message.error.message, message.error.stage || null, pending.type));
      } else {
        pending.resolve(message.result);
      }
      return;
    }
    if (message && message.type) {
      if (message.type === "fatal") this._die(message.message || "fatal error in Python");
      else this._emit(message.type, message);
    }
  }

  _emit(type, message) {
    for (const handler of this._handlers.get(type) || []) {
      try {
        handler(message);
      } catch (err) {
        console.error(`handler for worker message "${type}" failed`, err);
      }
    }
  }

  /**
   * Send one request. Resolves with its result, rejects with a WorkerError.
   * @param {string} type a request type (see the list above)
   * @param {object} payload plain data; typed arrays in it should also be listed in `transfer`
   * @param {Transferable[]} transfer buffers handed over (not copied) to the worker
   */
  request(type, payload = {}, transfer = []) {
    if (this.dead) return Promise.reject(new WorkerError("the worker is not running: restart it", "worker", type));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, type, since: performance.now() });
      try {
        this.worker.postMessage({ id, type, payload }, transfer);
      } catch (err) {
        this._pending.delete(id);
        reject(new WorkerError(`could not send "${type}": ${err.message}`, "worker", type));
      }
    });
  }

  /** {type, since (performance.now() when sent)} of the oldest request still unanswered, or null. */
  oldestPending() {
    const first = this._pending.values().next();
    return first.done ? null : { type: first.value.type, since: first.value.since };
  }

  /** Subscribe to an unsolicited message type ("stage", or "dead" when the worker died). Returns unsubscribe. */
  on(type, handler) {
    if (!this._handlers.has(type)) this._handlers.set(type, new Set());
    this._handlers.get(type).add(handler);
    return () => this._handlers.get(type).delete(handler);
  }

  /** Throw the current worker away (failing what is pending) and start a fresh one. Send "load" again after. */
  restart() {
    if (!this.dead) this._die("restarted on request", false); // the caller knows: no "dead" event
    this._start();
  }
}
