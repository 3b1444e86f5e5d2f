// Restart the worker and restore a network: the one way the page gets a working Python back, whether a person
// cancelled a task that blocked it (Python busy in a long import or inspection reads no message, and this page
// is not cross-origin isolated, so there is no interrupt: the worker is terminated) or the worker died.
//
// To restore what answered before, the page keeps the answering model's bytes: after each change of model it
// asks for an "export" once the page is idle again (ready or paused), and while a run trains at most once every
// KEEP_WHILE_TRAINING_MS (an export waits for one slice, and a wide network's bytes are many megabytes). After
// a restart it sends them back with "restore" (no scoring: the export said the model's test accuracy). The
// pre-trained model comes back with "load"; it is never kept.
//
// Bus events listened to: "model-changed", "epoch", "state". Dispatched: "model-kept" {kept} after each export
// (saved_work.js stores it in this browser), "worker-restarting" {reason} (the run in progress is gone), then,
// after a restore, "model-changed" {name, layer_sizes, restored: true}.
import { appState, workerUsable } from "./app_state.js";

const KEEP_WHILE_TRAINING_MS = 5000;
// A worker that dies again this soon after the page restarted it on its own is not restarted again: the fault
// box says so and offers the restart (a network too big for the tab would otherwise crash it in a loop).
const CRASH_LOOP_MS = 60_000;

/**
 * The answering model as the page keeps it: {bytes: Uint8Array (an .npz model file), name ("training" |
 * "imported"), layerSizes: number[], testAccuracy: number | null, savedAt: ms since 1970}.
 * @typedef {object} KeptModel
 */

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param {() => Promise<object|null>} load loads the fresh worker (main.js's start): the load reply, or null
 */
export function createWorkerRecovery({ client, bus, load }) {
  let kept = null; // KeptModel | null (the pre-trained model answers)
  const status = { changed: false, restarting: false, exportedAt: -Infinity, autoRestartedAt: -Infinity,
    generation: 0 }; // bumped when `kept` is replaced or forgotten: an export on its way then keeps nothing

  async function rememberAnsweringModel() {
    if (!status.changed || status.restarting || !workerUsable()) return;
    const training = appState() === "training";
    if (training && performance.now() - status.exportedAt < KEEP_WHILE_TRAINING_MS) return; // the next epoch's
    status.changed = false;
    status.exportedAt = performance.now();
    const generation = status.generation;
    try {
      const reply = await client.request("export");
      if (reply.model === "pre-trained" || generation !== status.generation) return; // pre-trained: every load has it
      kept = { bytes: reply.bytes.data, name: reply.model, layerSizes: reply.layer_sizes,
        testAccuracy: reply.test_accuracy, savedAt: Date.now() };
      bus.dispatchEvent(new CustomEvent("model-kept", { detail: { kept } }));
    } catch (_) {
      // no model yet, or the worker went away: what was kept before stays kept
    }
  }
  for (const type of ["model-changed", "epoch"]) {
    bus.addEventListener(type, (event) => {
      if (type === "model-changed" && event.detail && event.detail.restored) return; // it is the kept one
      status.changed = true;
      rememberAnsweringModel();
    });
  }
  bus.addEventListener("state", rememberAnsweringModel);

  /** Make `kept` answer in the worker (a copy of its bytes travels: a later restart needs them again). */
  async function restoreKept() {
    const bytes = kept.bytes.slice();
    const reply = await client.request("restore",
      { data: bytes, name: kept.name, test_accuracy: kept.testAccuracy }, [bytes.buffer]);
    bus.dispatchEvent(new CustomEvent("model-changed", {
      detail: { name: reply.model, layer_sizes: reply.layer_sizes, restored: true } }));
    return reply.model;
  }

  /**
   * Terminate the worker (failing what is pending), start and load a fresh one, and make the kept model answer
   * again. Resolves with the name of the model that answers afterwards (null when loading failed).
   */
  async function restartAndRestore(reason) {
    if (status.restarting) return null;
    status.restarting = true;
    try {
      bus.dispatchEvent(new CustomEvent("worker-restarting", { detail: { reason } }));
      client.restart();
      const info = await load();
      if (!info) return null;
      return kept === null ? info.model : await restoreKept();
    } finally {
      status.restarting = false;
      status.changed = false; // the restored model is the kept one
    }
  }

  return {
    restartAndRestore,
    /**
     * The worker died on its own: restart it and restore the kept model, unless it died while loading (not
     * `wasUsable`) or soon after the last such restart. Resolves with the name of the model answering afterwards, or null when it
     * was not restarted (the page then offers the restart to the person).
     */
    async restartAfterCrash(message, wasUsable) {
      if (!wasUsable || performance.now() - status.autoRestartedAt < CRASH_LOOP_MS) return null;
      status.autoRestartedAt = performance.now();
      return restartAndRestore(`the worker stopped: ${message}`);
    },
    /** Make `saved` (a KeptModel from an earlier visit) the kept model and the one answering. */
    async restoreSaved(saved) {
      kept = saved;
      status.changed = false;
      status.generation++;
      return restoreKept();
    },
    /** Keep nothing: the pre-trained model answers again (a restart would also bring it back). */
    async forget() {
      kept = null;
      status.changed = false;
      status.generation++;
      return client.request("use_pretrained");
    },
  };
}
