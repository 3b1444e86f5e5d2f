// A run interrupted by a reload (or a closed tab) can be continued with the same optimiser state, or discarded.
//
// While a run goes on, its checkpoint (the worker's "checkpoint": weights, optimiser state, random generator,
// the epoch's order and position, nn_impl.checkpoint) is kept in IndexedDB as ONE item, replaced at each epoch's
// end (at most once a second) and, within an epoch, every few seconds — never on every 40 ms slice. Training
// waits while Python writes a checkpoint, so the gap grows with what one costs (COST_SHARE). The item goes when the run
// ends (finished, stopped, diverged, replaced by a new run). On the next visit, if an item is there, the line
// "Your run was interrupted at epoch 3 of 10 (92.1 % on the test set)" offers "Continue it" (the worker
// "resume"s it; its curves and epoch counter go on in the same run of runs.js) and "Discard it".
// Storage refused (saved_state.js's StorageRefused): nothing is kept and nothing is offered; the page says
// what it could not keep elsewhere.
//
// Bus events listened to: "ready", "run-started", "slice", "run-ended" (training.js). Dispatched:
// "model-changed" {name: "training", layer_sizes} once a continued run answers.
import { appState } from "./app_state.js";
import { StorageRefused, deleteItem, loadItems, saveItem } from "./saved_state.js";

const KEY = "interrupted-run";
// Within an epoch, the run is kept at most this often, and at an epoch's end at most every EPOCH_END_GAP_MS
// (an epoch of a small run can take a tenth of a second).
const SAVE_EVERY_MS = 5000;
const EPOCH_END_GAP_MS = 1000;
// Within an epoch, keeping the run takes at most about this share of the training time (an epoch of a network
// whose checkpoint is costly is long anyway): a 784-1024-1024-10 network's checkpoint is
// 29 MB and takes CPython ~0.4 s to write (784-32-24-10: 0.6 MB, ~9 ms in the tab), so its gap grows to 20 s.
const COST_SHARE = 0.02;

/** "3" or "3.4": epochs done, from samples seen and images per epoch. */
function epochsDone(samples, perEpoch) {
  const epochs = samples / perEpoch;
  return Number.isInteger(epochs) ? String(epochs) : epochs.toFixed(1);
}

/** The line offering the run: "Your run was interrupted at epoch 3 of 10 (92.1 % on the test set)." */
export function interruptedText(summary) {
  const accuracy = summary.test_accuracy != null
    ? ` (${(summary.test_accuracy * 100).toFixed(1)} % on the test set)` : "";
  const at = epochsDone(summary.samples_seen, summary.n_train);
  return `Your run was interrupted at epoch ${at} of ${summary.epochs}${accuracy}.`;
}

const usable = (item) => item && item.bytes instanceof Uint8Array && item.summary && item.summary.config;

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param runs RunHistory (runs.js): the continued run's curves go on in its record
 * @param training the training module (training.js): continueRun
 * @param elements {box, text, continueButton, discardButton}
 * @param beforeResume async () => void, run before "resume" (sends what the run's settings need)
 */
export function createInterruptedRun({ client, bus, runs, training, elements, beforeResume = async () => {} }) {
  const { box, text, continueButton, discardButton } = elements;
  const kept = {
    record: null, // the run being kept (its entry in runs)
    generation: 0, // bumped when a run starts or ends: a checkpoint that arrives later is not stored
    saving: false,
    refused: false, // the browser refused storage: no more checkpoints are asked for
    lastSave: 0,
    saves: 0, // checkpoints stored since the page opened
    lastCost: { requestMs: 0, storeMs: 0 }, // what the last one took: Python writing it, IndexedDB storing it
    savedSamples: null, // samples seen at the last one stored
    offered: null, // the item offered on this visit
  };

  const forget = () => deleteItem(KEY).catch(() => {}); // refused: there was nothing kept either

  function showOffer(item) {
    kept.offered = item;
    text.textContent = `${interruptedText(item.summary)} Continue it, or discard it?`;
    continueButton.disabled = discardButton.disabled = false;
    box.hidden = false;
  }

  function hideOffer() {
    kept.offered = null;
    box.hidden = true;
  }

  async function keep(generation, { record, seconds }) {
    kept.saving = true;
    kept.lastSave = performance.now();
    try {
      const reply = await client.request("checkpoint");
      const requested = performance.now();
      kept.lastCost.requestMs = requested - kept.lastSave;
      if (generation !== kept.generation) return; // the run ended (or another began) meanwhile
      runs.save(record); // its curves as far as the checkpoint, at least (points past it are dropped on continuing)
      const samples = reply.summary.samples_seen;
      await saveItem(KEY, { bytes: reply.bytes.data, summary: reply.summary, runKey: record.key, samples, seconds,
        savedAt: Date.now() });
      kept.lastCost.storeMs = performance.now() - requested;
      kept.saves++;
      kept.savedSamples = samples;
    } catch (err) {
      // Storage refused (said elsewhere, once): nothing is kept, so Python is not asked again. Otherwise the worker
      // went away with the run, and there is nothing to keep.
      if (err instanceof StorageRefused) kept.refused = true;
    } finally {
      kept.saving = false;
    }
  }

  bus.addEventListener("run-started", (e) => {
    kept.generation++;
    kept.record = e.detail.resumable ? e.detail.record : null; // teaching My digits is taught again, not kept
    kept.lastSave = performance.now();
    hideOffer();
    if (!e.detail.continued) forget(); // a new run replaces the interrupted one
  });
  bus.addEventListener("slice", (e) => {
    const { result, record } = e.detail;
    if (record !== kept.record || kept.saving || kept.refused) return;
    if (!["running", "epoch_end"].includes(result.status)) return;
    const since = performance.now() - kept.lastSave;
    // an epoch's end is always kept (a second apart at least); within an epoch the gap grows with the cost
    const gap = result.history ? EPOCH_END_GAP_MS : Math.max(SAVE_EVERY_MS, kept.lastCost.requestMs / COST_SHARE);
    if (since < gap) return;
    keep(kept.generation, e.detail);
  });
  bus.addEventListener("run-ended", () => {
    kept.generation++;
    kept.record = null;
    forget();
  });

  // On the first load only: a later "ready" is a restarted worker, not a reload.
  bus.addEventListener("ready", async () => {
    let items;
    try {
      items = await loadItems(KEY);
    } catch (_) {
      kept.refused = true; // storage refused: nothing was kept, so nothing is offered (nor kept)
      return;
    }
    const item = items.find((i) => i.key === KEY);
    if (item && usable(item.value) && appState() === "ready" && kept.record === null) showOffer(item.value);
  }, { once: true });

  continueButton.addEventListener("click", async () => {
    const item = kept.offered;
    if (!item) return;
    if (appState() !== "ready") {
      text.textContent = "Stop the run in progress first, then continue the interrupted one.";
      return;
    }
    continueButton.disabled = discardButton.disabled = true;
    text.textContent = "Continuing the interrupted run…";
    let reply;
    try {
      await beforeResume(); // what the run's settings need in the worker (My digits, for their Training data)
      const data = item.bytes.slice(); // the stored copy stays ours until the run's next checkpoint
      reply = await client.request("resume", { data }, [data.buffer]);
    } catch (err) {
      text.textContent = `The interrupted run could not be continued: ${err.message}`;
      discardButton.disabled = false;
      return;
    }
    const where = { samples: reply.samples_seen, seconds: item.seconds || 0 };
    let record = runs.runs.find((r) => r.key === item.runKey);
    if (record) runs.continueFrom(record, where);
    else record = runs.start(reply.config, reply.layer_sizes); // its record was removed: its curves start here
    hideOffer();
    bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: "training", layer_sizes: reply.layer_sizes } }));
    await training.continueRun({ config: reply.config, record, ...where, nTrain: reply.n_train });
  });

  // "Forget them" (saved_work.js) forgets an interrupted run too
  bus.addEventListener("saved-work-forgotten", () => {
    hideOffer();
    forget();
  });

  discardButton.addEventListener("click", () => {
    hideOffer();
    forget();
  });

  return {
    /** {saves, savedSamples, offered, refused, lastCost: {requestMs, storeMs}}: checkpoints stored since the page
     * opened, where the last one was, whether a run is offered, whether storage was refused, what the last took */
    snapshot: () => ({ saves: kept.saves, savedSamples: kept.savedSamples, offered: kept.offered !== null,
      refused: kept.refused, lastCost: { ...kept.lastCost } }),
  };
}
