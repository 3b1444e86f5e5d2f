// Draw and predict: the drawing pad (or an opened photo), the predict requests it causes, and what comes back:
// the predicted digit, how sure, the probability bars and the 28×28 input the network sees.
//
// Bus events listened to: "ready" (a fresh worker), "state", "epoch" and "model-changed" (the answer may change).
// Dispatched: "picture-changed" {reason: "end" | "load" | "clear"} when a stroke ended or the picture was
// replaced or cleared (not while the pen moves): saved_work.js keeps the picture then.
// Dispatched: "prediction-shown" {version} when an answer (or "no ink") is shown for picture `version`.
import { DrawingPad } from "./draw.js";
import { ProbabilityBars } from "./probabilities.js";
import { drawGrey } from "./pixels.js";
import { withoutErrorClass } from "./protocol.js";
import { appState, workerUsable } from "./app_state.js";
import { showAnswering } from "./answering.js";
import { announce } from "./announcer.js";

// While a stroke goes on, at most one prediction per PREDICT_INTERVAL_MS (and never two in flight): the worker
// keeps up and the bars follow the pen. The stroke's end is always predicted, at once.
const PREDICT_INTERVAL_MS = 60;
// During training every request waits for the slice in progress (~0.12 s), and a prediction still in flight
// when the pen lifts delays the stroke-end one by a whole slice more: ask less often while drawing then.
const PREDICT_INTERVAL_TRAINING_MS = 400;
const strokeInterval = () => (appState() === "training" ? PREDICT_INTERVAL_TRAINING_MS : PREDICT_INTERVAL_MS);
// While training, a drawing on the pad is re-classified this often, so its answer changes as the network learns.
const TRAINING_REFRESH_MS = 1000;
// What "Open an image" offers: the formats every browser decodes into pixels with createImageBitmap (an SVG is
// a drawing program, not pixels, and is refused there). index.html's accept attribute lists the same types.
const OPENED_FORMATS = "PNG, JPEG, GIF, WebP or BMP";

export function createPrediction({ client, bus }) {
  const $ = (id) => document.getElementById(id);
  const view = {
    digit: $("predicted-digit"),
    confidence: $("prediction-confidence"),
    networkInput: $("network-input"),
    message: $("draw-message"),
    bars: new ProbabilityBars($("proba-bars")),
  };
  const pad = new DrawingPad($("draw-canvas"), pictureChanged);
  // the 28×28 image the network saw in the answer shown: {version (of the picture), pixels: Uint8Array(784)}
  let seen = null;

  // `version` counts changes of the picture; a reply is shown only if no Clear came after its request, and the
  // timings measure stroke end -> bars updated (the test hook's predictions().timings; bench/bench_predict.py).
  const predict = {
    version: 0, clearedAt: 0, shown: 0, inFlight: false, wanted: false, timer: null, lastSent: -Infinity,
    strokeEnd: null, timings: [], count: 0,
    announceFrom: null, // the picture version whose answer is said through the live region (a finished picture)
  };

  function pictureChanged(reason) {
    predict.version++;
    if (reason !== "stroke") bus.dispatchEvent(new CustomEvent("picture-changed", { detail: { reason } }));
    if (reason === "clear") {
      predict.clearedAt = predict.version;
      predict.wanted = false;
      predict.announceFrom = null;
      predict.strokeEnd = null;
      showNoPrediction("Draw a digit on the pad.");
      return;
    }
    if (reason === "end") predict.strokeEnd = { version: predict.version, t: performance.now() };
    // said once per finished drawing or loaded picture, not while the pen moves nor on training's refreshes
    if (reason === "end" || reason === "load") predict.announceFrom = predict.version;
    requestPrediction(reason === "stroke" ? strokeInterval() : 0);
  }

  function requestPrediction(delay) {
    predict.wanted = true;
    if (predict.inFlight) return; // sent when the reply comes back
    if (predict.timer !== null) {
      if (delay > 0) return; // already scheduled
      clearTimeout(predict.timer);
      predict.timer = null;
    }
    const wait = Math.max(0, predict.lastSent + delay - performance.now());
    if (wait === 0) sendPrediction();
    else predict.timer = setTimeout(() => {
      predict.timer = null;
      sendPrediction();
    }, wait);
  }

  async function sendPrediction() {
    if (predict.inFlight || !predict.wanted) return;
    if (!workerUsable()) return; // "ready" sends it
    predict.wanted = false;
    if (pad.empty) {
      showNoPrediction("Draw a digit on the pad.");
      return;
    }
    predict.inFlight = true;
    predict.lastSent = performance.now();
    const version = predict.version;
    const { pixels, shape } = pad.pixels();
    try {
      const reply = await client.request("predict", { image: pixels, shape }, [pixels.buffer]);
      if (version > predict.clearedAt) showPrediction(reply, version);
    } catch (err) {
      const text = withoutErrorClass(err.message);
      if (!client.dead && err.stage !== "cancelled") view.message.textContent = `Could not classify the picture: ${text}`;
    } finally {
      predict.inFlight = false;
      if (predict.wanted) requestPrediction(pad.drawing ? strokeInterval() : 0);
    }
  }

  function showNoPrediction(message) {
    view.digit.textContent = "";
    view.confidence.textContent = "";
    view.bars.show(null);
    const blank = view.networkInput;
    drawGrey(blank, new Uint8Array(blank.width * blank.height), blank.width, blank.height);
    view.message.textContent = message;
    delete view.digit.dataset.version;
    seen = null;
  }

  function showPrediction(reply, version) {
    showAnswering(reply);
    if (reply.empty) {
      showNoPrediction("No ink found: draw a digit (or open a photo of one).");
    } else {
      const [height, width] = reply.input.shape;
      drawGrey(view.networkInput, reply.input.data, width, height);
      seen = { version, pixels: Uint8Array.from(reply.input.data, Math.round) };
      if (reply.digit === null || reply.digit === undefined) {
        view.digit.textContent = "";
        view.confidence.textContent = "";
        view.bars.show(null);
        view.message.textContent = "No model answers yet: train one or import one.";
      } else {
        const proba = reply.proba.data;
        view.digit.textContent = String(reply.digit);
        view.confidence.textContent = `${(proba[reply.digit] * 100).toFixed(1)} % sure`;
        view.bars.show(proba);
        view.message.textContent = photoNote();
      }
    }
    if (predict.announceFrom !== null && version >= predict.announceFrom) {
      predict.announceFrom = null;
      const digit = view.digit.textContent;
      announce(digit ? `Predicted digit ${digit}, ${view.confidence.textContent}` : view.message.textContent);
    }
    predict.count++;
    predict.shown = version;
    bus.dispatchEvent(new CustomEvent("prediction-shown", { detail: { version } }));
    view.digit.dataset.version = String(version);
    if (predict.strokeEnd && version >= predict.strokeEnd.version) {
      predict.timings.push(performance.now() - predict.strokeEnd.t);
      predict.strokeEnd = null;
    }
  }

  function photoNote() {
    return pad.photo ? `Showing ${pad.photo.name}; drawing on the pad replaces it.` : "";
  }

  $("btn-clear").addEventListener("click", () => pad.clear());

  // The image opened last is the one wanted: one still being decoded when another is chosen is dropped, and said.
  let opening = null; // the file being decoded
  $("open-image").addEventListener("change", async (event) => {
    const input = event.target;
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const dropped = opening ? ` (dropped ${opening.name}: ${file.name} was opened after it)` : "";
    opening = file;
    try {
      const bitmap = await createImageBitmap(file);
      if (opening !== file) return bitmap.close();
      pad.loadPhoto(bitmap, file.name);
      bitmap.close();
      view.message.textContent = photoNote() + dropped;
    } catch (err) {
      if (opening !== file) return undefined;
      // The picture and the answer on screen were about the previous image: they go, and the pad is free.
      pad.clear();
      view.message.textContent = `Could not open ${file.name}: the browser cannot read it as an image ` +
        `(${OPENED_FORMATS}).${dropped}`;
    } finally {
      if (opening === file) opening = null;
    }
    return undefined;
  });

  function updateOpenImage() {
    const input = $("open-image");
    input.disabled = !workerUsable();
    input.closest("label").classList.toggle("disabled", input.disabled);
  }

  bus.addEventListener("state", () => {
    updateOpenImage();
    if (workerUsable() && predict.wanted) requestPrediction(0);
  });
  bus.addEventListener("ready", () => {
    if (!pad.empty) requestPrediction(0);
    else showNoPrediction("Draw a digit on the pad.");
  });
  for (const type of ["model-changed", "epoch"]) {
    bus.addEventListener(type, () => {
      if (!pad.empty) requestPrediction(0);
    });
  }
  setInterval(() => {
    if (appState() === "training" && !pad.empty && !pad.drawing) requestPrediction(0);
  }, TRAINING_REFRESH_MS);

  updateOpenImage();
  showNoPrediction("Draw a digit on the pad.");

  return {
    /** Show a test digit (784 pixels, white ink on black) on the pad; it is then predicted like a drawing. */
    loadDigit: (pixels) => pad.loadDigit(pixels),
    /** Clear the pad, as the Clear button does. */
    clearPicture: () => pad.clear(),
    /** The pad's picture as it can be kept (DrawingPad.picture), or null when it is empty. */
    picture: () => pad.picture(),
    /** Show a kept picture again (unless something was drawn meanwhile); it is predicted like a drawing. */
    restorePicture: (picture) => {
      if (pad.empty && !pad.drawing) pad.restore(picture);
    },
    /** The picture on the pad as the network saw it, if its answer is shown: {pixels: Uint8Array(784) 0..255,
     * white ink on black} when the answer shown is the current picture's; null while it is on its way or when
     * the pad is empty. */
    seenInput: () => (seen && seen.version === predict.version && !pad.empty ? { pixels: seen.pixels.slice() } : null),
    /** Whether the pad holds a picture (drawn or opened). */
    padEmpty: () => pad.empty,
    /** Ask for the current picture's answer again (the network that answers has changed). */
    refresh: () => { if (!pad.empty) requestPrediction(0); },
    /** A copy of the prediction counters (the test hook's). */
    snapshot: () => ({
      count: predict.count, version: predict.version, shown: predict.shown, inFlight: predict.inFlight,
      wanted: predict.wanted, strokePending: predict.strokeEnd !== null, timings: [...predict.timings],
      padEmpty: pad.empty,
    }),
  };
}
