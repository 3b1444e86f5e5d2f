// What this page keeps of a visitor's work in this browser (saved_state.js: IndexedDB, this device only, nothing
// sent), and the one line that says so: the network that answers, the drawing on the pad, and, through runs.js,
// the runs. On a reload they come back ("Restored your network (784-32-10) from 10:32, 95.2 % on the test set,
// your drawing and 3 runs."); "Forget them" deletes them all and the pre-trained model answers again. When the
// browser refuses to store (a private window, storage turned off, a full quota) the same line says what could
// not be kept, and the page goes on without it.
//
// Each is one item, written whole: the network's bytes, name, layer sizes, test accuracy and time travel
// together in ONE item, so that two tabs saving in turn leave the last one's network complete (last writer wins
// per item), never the bytes of one with the accuracy of the other.
//
// Bus events listened to: "model-kept" {kept} (worker_recovery.js exported the answering model), "picture-changed"
// (prediction.js), "ready" (the first one: restore), "state". Dispatched: "model-changed" {name: "pre-trained"}
// and "saved-work-forgotten" after Forget.
import { appState } from "./app_state.js";
import { announce } from "./announcer.js";
import { withoutErrorClass } from "./protocol.js";
import { deleteItem, loadItem, saveItem } from "./saved_state.js";

const NETWORK_KEY = "answering-network";
const DRAWING_KEY = "drawing";
const NETWORK_NAMES = ["training", "imported"]; // what a kept network answers as (never the pre-trained one)

/** "10:32", or "1 Dec 10:32" when not today. */
function savedWhen(ms) {
  const date = new Date(ms);
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
}

const scored = (accuracy) => (accuracy == null ? "not yet scored on the test set"
  : `${(accuracy * 100).toFixed(1)} % on the test set`);

/** "a, b and c" */
function listed(parts) {
  return parts.length < 2 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A network item as saved (worker_recovery.js's KeptModel), checked field by field: storage is not trusted. */
function isKeptNetwork(item) {
  return Boolean(item) && item.bytes instanceof Uint8Array && NETWORK_NAMES.includes(item.name) &&
    Array.isArray(item.layerSizes) && Number.isFinite(item.savedAt) &&
    (item.testAccuracy === null || Number.isFinite(item.testAccuracy));
}

/**
 * @param bus the page's EventTarget
 * @param recovery worker_recovery.js's object (restoreSaved, forget)
 * @param prediction prediction.js's object (picture, restorePicture)
 * @param runs RunHistory (its runs are kept by runs.js itself; Forget removes them too)
 * @param elements {box, text, forgetButton}
 */
export function createSavedWork({ bus, recovery, prediction, runs, elements }) {
  const { box, text, forgetButton } = elements;
  const kept = { network: null, drawing: false }; // what this tab knows to be stored now
  const refused = { what: new Set(), message: "" }; // what the browser would not store, and why
  let restoredLine = null; // "Restored ..." until something kept changes
  let restoringPicture = false; // the kept picture going back on the pad is not a change to keep

  function keptParts() {
    const parts = [];
    if (kept.network) {
      parts.push(`your network (${kept.network.layerSizes.join("-")}, saved ${savedWhen(kept.network.savedAt)}, ` +
        `${scored(kept.network.testAccuracy)})`);
    }
    if (kept.drawing) parts.push("your drawing");
    const ended = runs.runs.filter((r) => r.status !== "running").length;
    if (ended > 0 && !refused.what.has("the runs")) parts.push(plural(ended, "run"));
    return parts;
  }

  function show() {
    const parts = keptParts();
    let line = restoredLine || (parts.length ? `Kept on this device: ${listed(parts)}.` : "");
    if (refused.what.size > 0) {
      line = `${line} Not kept on this device: ${listed([...refused.what])}. ${refused.message}`.trim();
    }
    text.textContent = line;
    box.dataset.kind = refused.what.size > 0 ? "error" : "info";
    box.hidden = line === "";
    forgetButton.hidden = parts.length === 0;
    forgetButton.disabled = appState() !== "ready"; // as Import: a run in progress would answer again
  }

  /** Something kept changed: the line now says what is kept, not what was restored. */
  function changed() {
    restoredLine = null;
    show();
  }

  /** The browser refused to store or read `what` ("your network", "your drawing", "the runs"). */
  function couldNotKeep(what, err) {
    const first = !refused.what.has(what);
    refused.what.add(what);
    refused.message = withoutErrorClass(err && err.message ? err.message : String(err));
    show();
    if (first) announce(text.textContent); // said once per thing refused, not at every failed save
  }

  // --- keep -------------------------------------------------------------------------------------------------

  bus.addEventListener("model-kept", async (event) => {
    const network = event.detail.kept;
    try {
      await saveItem(NETWORK_KEY, network);
      kept.network = network;
      refused.what.delete("your network");
      changed();
    } catch (err) {
      couldNotKeep("your network", err);
    }
  });

  bus.addEventListener("picture-changed", async (event) => {
    if (restoringPicture) return;
    const picture = event.detail.reason === "clear" ? null : prediction.picture();
    try {
      if (picture) await saveItem(DRAWING_KEY, picture);
      else await deleteItem(DRAWING_KEY);
      const before = kept.drawing;
      kept.drawing = picture !== null;
      refused.what.delete("your drawing");
      if (picture || before) changed();
      else show(); // a pad cleared by Forget: the line goes on saying what was forgotten
    } catch (err) {
      couldNotKeep("your drawing", err);
    }
  });

  bus.addEventListener("state", show);

  // --- restore ----------------------------------------------------------------------------------------------

  // The drawing at once (the pad needs no Python; it is predicted once the worker is ready), the network once
  // the worker has loaded.
  const drawingRestored = loadItem(DRAWING_KEY).then((picture) => {
    if (!picture || !picture.canvas) return false;
    restoringPicture = true;
    try {
      prediction.restorePicture(picture);
    } finally {
      restoringPicture = false;
    }
    kept.drawing = true;
    return true;
  }, (err) => {
    couldNotKeep("your drawing", err);
    return false;
  });

  async function restoreNetwork() {
    let item;
    try {
      item = await loadItem(NETWORK_KEY);
    } catch (err) {
      couldNotKeep("your network", err);
      return null;
    }
    if (item === undefined) return null;
    if (!isKeptNetwork(item)) {
      deleteItem(NETWORK_KEY).catch(() => {});
      return "The network kept on this device was unreadable and has been deleted; the pre-trained model answers.";
    }
    try {
      await recovery.restoreSaved(item);
    } catch (err) {
      deleteItem(NETWORK_KEY).catch(() => {});
      return `The network kept on this device could not be restored (${withoutErrorClass(err.message)}) and has ` +
        "been deleted; the pre-trained model answers.";
    }
    kept.network = item;
    return null;
  }

  /** After the first load (runs.restore() has run): restore the network and say what came back. */
  async function restoreAll() {
    const problem = await restoreNetwork();
    const drawing = await drawingRestored;
    const parts = [];
    if (kept.network) {
      const n = kept.network;
      parts.push(`your network (${n.layerSizes.join("-")}) from ${savedWhen(n.savedAt)}, ${scored(n.testAccuracy)}`);
    }
    if (drawing) parts.push("your drawing");
    if (runs.runs.length > 0 && !refused.what.has("the runs")) parts.push(plural(runs.runs.length, "run"));
    restoredLine = parts.length ? `Restored ${listed(parts)}.` : null;
    if (problem) restoredLine = `${restoredLine || ""} ${problem}`.trim();
    show();
    if (restoredLine) announce(restoredLine);
  }
  bus.addEventListener("ready", restoreAll, { once: true });

  // --- forget -----------------------------------------------------------------------------------------------

  forgetButton.addEventListener("click", async () => {
    if (appState() !== "ready") return;
    const forgotten = keptParts();
    forgetButton.disabled = true;
    let reply = null;
    try {
      reply = await recovery.forget();
    } catch (err) {
      text.textContent = `Could not go back to the pre-trained model: ${withoutErrorClass(err.message)}`;
      return;
    }
    const deleted = [deleteItem(NETWORK_KEY), deleteItem(DRAWING_KEY)];
    kept.network = null;
    kept.drawing = false;
    prediction.clearPicture();
    runs.forgetEnded();
    await Promise.allSettled(deleted);
    bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: reply.model, layer_sizes: reply.layer_sizes } }));
    bus.dispatchEvent(new CustomEvent("saved-work-forgotten"));
    const answering = reply.model ? "the pre-trained model answers" : "no model answers until you train or import one";
    restoredLine = `Forgot ${listed(forgotten)}: this device keeps none of them now, and ${answering}.`;
    show();
    announce(restoredLine);
  });

  // Leaving during a run asks first (the browser's own question; the line above says what is kept).
  window.addEventListener("beforeunload", (event) => {
    if (appState() !== "training" && appState() !== "paused") return;
    event.preventDefault();
    event.returnValue = ""; // what older browsers need to ask
  });

  show();
  return {
    couldNotKeep,
    /** The runs changed (added, removed, ended): the line counts them. */
    runsChanged: () => (restoredLine === null ? show() : undefined),
  };
}
