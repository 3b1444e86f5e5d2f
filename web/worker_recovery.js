// Restart the worker and restore a network: the one way the page gets a working Python back, whether a person
// cancelled a task that blocked it (Python busy in a long import or inspection reads no message, and this page
// is not cross-origin isolated, so there is no interrupt: the worker is terminated) or the worker died.
//
// To restore what answered before, the page keeps the answering model's bytes: after each change of model it
// asks for an "export" once the page is idle again (ready or paused), and after a restart sends them back with
// "restore" (no scoring: it was scored when it first answered). The pre-trained model comes back with "load".
//
// Bus events listened to: "model-changed", "epoch", "state". Dispatched: "worker-restarting" {reason} (the run
// in progress is gone), then, after a restore, "model-changed" {name, layer_sizes}.
import { appState } from "./app_state.js";

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param {() => Promise<object|null>} load loads the fresh worker (main.js's start): the load reply, or null
 */
export function createWorkerRecovery({ client, bus, load }) {
  const saved = { bytes: null, name: "pre-trained", layerSizes: null, changed: false, restarting: false };

  async function rememberAnsweringModel() {
    if (!saved.changed || saved.restarting || !["ready", "paused"].includes(appState())) return;
    saved.changed = false;
    try {
      const reply = await client.request("export");
      Object.assign(saved, { bytes: reply.bytes.data, name: reply.model, layerSizes: reply.layer_sizes });
    } catch (_) {
      // no model yet, or the worker went away: what was kept before stays kept
    }
  }
  for (const type of ["model-changed", "epoch"]) {
    bus.addEventListener(type, () => {
      saved.changed = true;
      rememberAnsweringModel();
    });
  }
  bus.addEventListener("state", rememberAnsweringModel);

  /**
   * Terminate the worker (failing what is pending), start and load a fresh one, and make the kept model answer
   * again. Resolves with the name of the model that answers afterwards (null when loading failed).
   */
  async function restartAndRestore(reason) {
    if (saved.restarting) return null;
    saved.restarting = true;
    try {
      bus.dispatchEvent(new CustomEvent("worker-restarting", { detail: { reason } }));
      client.restart();
      const info = await load();
      if (!info) return null;
      if (saved.bytes === null || saved.name === "pre-trained") return info.model;
      const bytes = saved.bytes.slice(); // the kept copy stays ours: a later restart needs it again
      const reply = await client.request("restore", { data: bytes, name: saved.name }, [bytes.buffer]);
      bus.dispatchEvent(new CustomEvent("model-changed", {
        detail: { name: reply.model, layer_sizes: reply.layer_sizes, restored: true } }));
      return reply.model;
    } finally {
      saved.restarting = false;
      saved.changed = false; // the restored model is the kept one
    }
  }

  return {
    restartAndRestore,
    /** {name, layerSizes} of the model a restart would restore */
    kept: () => ({ name: saved.name, layerSizes: saved.layerSizes }),
  };
}
