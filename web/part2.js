// Part 2 of the page: draw a digit and see what the network thinks, look inside the model, carry it to and
// from CPython. main.js (part 1) calls initPart2({client, bus}) once; everything Python does here goes through
// the worker requests predict, inspect, export and import (Session methods, see nn_impl/session.py).
//
// Bus events listened to (ARCHITECTURE.md): "ready" (worker loaded; a fresh session), "state", "epoch"
// (refresh the inspection and the prediction as the network learns), "model-changed" (which model answers).
// Dispatched: "model-changed" {name: "imported", layer_sizes} after an import.
import { DrawingPad } from "./draw.js";
import { ProbabilityBars } from "./probabilities.js";
import { drawGrey } from "./pixels.js";
import { TestSetExplorer } from "./explorer.js";
import { ConfusionView } from "./confusion.js";
import { WeightsView } from "./weights_view.js";
import { ModelIO } from "./model_io.js";
import { withoutErrorClass } from "./protocol.js";

// While a stroke goes on, at most one prediction per PREDICT_INTERVAL_MS (and never two in flight): the worker
// keeps up and the bars follow the pen. The stroke's end is always predicted, at once.
const PREDICT_INTERVAL_MS = 60;
// During training every request waits for the slice in progress (~0.12 s), and a prediction still in flight
// when the pen lifts delays the stroke-end one by a whole slice more: ask less often while drawing then.
const PREDICT_INTERVAL_TRAINING_MS = 400;
const strokeInterval = () => (appState() === "training" ? PREDICT_INTERVAL_TRAINING_MS : PREDICT_INTERVAL_MS);
// While training, a drawing on the pad is re-classified this often, so its answer changes as the network learns.
const TRAINING_REFRESH_MS = 1000;

const MODEL_NAMES = {
  "pre-trained": "the pre-trained model",
  training: "the network being trained",
  imported: "the imported model",
};

/** "the pre-trained model (784-64-32-10)" from a reply's {model, layer_sizes}. */
function describeModel(reply) {
  if (!reply || !reply.model) return "no model yet: train one or import one";
  const name = MODEL_NAMES[reply.model] || reply.model;
  return reply.layer_sizes ? `${name} (${reply.layer_sizes.join("-")})` : name;
}

const appState = () => document.body.dataset.state;
const workerUsable = () => ["ready", "training", "paused"].includes(appState());

export function initPart2({ client, bus }) {
  const $ = (id) => document.getElementById(id);
  const view = {
    digit: $("predicted-digit"),
    confidence: $("prediction-confidence"),
    answering: $("model-answering"),
    networkInput: $("network-input"),
    message: $("draw-message"),
    bars: new ProbabilityBars($("proba-bars")),
  };
  const pad = new DrawingPad($("draw-canvas"), pictureChanged);
  const explorer = new TestSetExplorer($("inspect"), (pixels) => {
    pad.loadDigit(pixels);
    $("predict").scrollIntoView({ block: "start", behavior: "smooth" }); // show it where it is now
  });
  const confusion = new ConfusionView($("confusion"), $("confusion-caption"));
  const weights = new WeightsView($("weights-sheet"), $("weights-caption"));
  const modelIO = new ModelIO(
    { exportButton: $("btn-export"), importInput: $("import-file"), message: $("model-io-message") },
    client,
    (reply) => bus.dispatchEvent(
      new CustomEvent("model-changed", { detail: { name: "imported", layer_sizes: reply.layer_sizes } })),
  );

  // --- prediction ------------------------------------------------------------------------------------------

  // `version` counts changes of the picture; a reply is shown only if no Clear came after its request, and the
  // timings measure stroke end -> bars updated (window.nnImpl.part2.predict.timings; bench/bench_predict.py reads them).
  const predict = {
    version: 0, clearedAt: 0, shown: 0, inFlight: false, wanted: false, timer: null, lastSent: -Infinity,
    strokeEnd: null, timings: [], count: 0,
  };

  function pictureChanged(reason) {
    predict.version++;
    if (reason === "clear") {
      predict.clearedAt = predict.version;
      predict.wanted = false;
      predict.strokeEnd = null;
      showNoPrediction("Draw a digit on the pad.");
      return;
    }
    if (reason === "end") predict.strokeEnd = { version: predict.version, t: performance.now() };
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
      if (!client.dead) view.message.textContent = `Could not classify the picture: ${text}`;
    } finally {
      predict.inFlight = false;
      if (predict.wanted) requestPrediction(pad.drawing ? strokeInterval() : 0);
    }
  }

  function showNoPrediction(message) {
    view.digit.textContent = "";
    view.confidence.textContent = "";
    view.bars.show(null);
    drawGrey(view.networkInput, new Uint8Array(784));
    view.message.textContent = message;
    delete view.digit.dataset.version;
  }

  function showPrediction(reply, version) {
    view.answering.textContent = describeModel(reply);
    if (reply.empty) {
      showNoPrediction("No ink found: draw a digit (or open a photo of one).");
    } else {
      drawGrey(view.networkInput, reply.input.data);
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
    predict.count++;
    predict.shown = version;
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

  $("open-image").addEventListener("change", async (event) => {
    const input = event.target;
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      pad.loadPhoto(bitmap, file.name);
      bitmap.close();
      view.message.textContent = photoNote();
    } catch (err) {
      view.message.textContent = `Could not open ${file.name}: the browser cannot read it as an image.`;
    }
  });

  // --- inspection ------------------------------------------------------------------------------------------

  const inspection = { wanted: new Set(), running: false, count: 0 }; // count: replies shown (tests wait on it)

  async function refreshInspection(parts) {
    for (const p of parts) inspection.wanted.add(p);
    if (inspection.running || !workerUsable()) return;
    inspection.running = true;
    try {
      while (inspection.wanted.size > 0 && workerUsable()) {
        const asked = [...inspection.wanted];
        inspection.wanted.clear();
        let reply;
        try {
          reply = await client.request("inspect", { parts: asked });
        } catch (err) {
          const text = withoutErrorClass(err.message);
          if (!client.dead) confusion.caption.textContent = `Could not inspect the model: ${text}`;
          break;
        }
        await showInspection(reply);
        inspection.count++;
      }
    } finally {
      inspection.running = false;
    }
  }

  // One frame per view: laying out and painting the explorer, the matrix and the weights in one frame took up to
  // 90 ms after an epoch, long enough to make the page stutter while training (the long-task test caught it).
  // So wait until the page has painted one view's changes before making the next (in a background tab, which
  // paints no frames, at most 100 ms).
  const nextFrame = () => new Promise((resolve) => {
    setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(resolve, 0)); // a task queued in a frame runs after that frame
  });

  async function showInspection(reply) {
    const description = describeModel(reply);
    const capitalised = description.charAt(0).toUpperCase() + description.slice(1);
    view.answering.textContent = description;
    const answers = reply.model ? reply.explorer : null; // without a model, nobody has looked at the images
    if (reply.images) explorer.setImages(reply.images.x_test, reply.images.y_test, answers);
    else if (answers !== undefined) explorer.setPredictions(answers);
    if (!reply.model) {
      confusion.show(null);
      weights.show(null);
      return;
    }
    await nextFrame();
    if (reply.confusion) confusion.show(reply.confusion, capitalised);
    await nextFrame();
    if (reply.weights) weights.show(reply.weights, capitalised);
  }

  const MODEL_PARTS = ["confusion", "explorer", "weights"];

  // --- what the page's state allows ------------------------------------------------------------------------

  function updateButtons() {
    const state = appState();
    $("btn-export").disabled = !workerUsable();
    // Import replaces the answering model; during a run the trainer would take over again at the next
    // slice, so importing waits until the run has stopped or finished.
    const importInput = $("import-file");
    importInput.disabled = state !== "ready";
    importInput.closest("label").classList.toggle("disabled", importInput.disabled);
    const openInput = $("open-image");
    openInput.disabled = !workerUsable();
    openInput.closest("label").classList.toggle("disabled", openInput.disabled);
  }

  bus.addEventListener("state", () => {
    updateButtons();
    if (workerUsable() && predict.wanted) requestPrediction(0);
  });
  // main.js follows "ready" with "model-changed" for the pre-trained model: the inspection asked for on
  // "ready" already covers that model, so that one announcement is not inspected twice.
  let announcedAtReady = null;
  bus.addEventListener("ready", (event) => {
    announcedAtReady = (event.detail && event.detail.model) || null;
    updateButtons();
    refreshInspection(["images", ...MODEL_PARTS]);
    if (!pad.empty) requestPrediction(0);
    else showNoPrediction("Draw a digit on the pad.");
  });
  bus.addEventListener("model-changed", (event) => {
    const name = event.detail && event.detail.name;
    if (name && name === announcedAtReady) {
      announcedAtReady = null;
      return;
    }
    announcedAtReady = null;
    // without layer sizes in the event, they come with the next reply (a new model may have other layers)
    if (name) view.answering.textContent = describeModel({ model: name, layer_sizes: event.detail.layer_sizes });
    refreshInspection(MODEL_PARTS);
    if (!pad.empty) requestPrediction(0);
  });
  bus.addEventListener("epoch", () => {
    refreshInspection(MODEL_PARTS);
    if (!pad.empty) requestPrediction(0);
  });
  setInterval(() => {
    if (appState() === "training" && !pad.empty && !pad.drawing) requestPrediction(0);
  }, TRAINING_REFRESH_MS);

  updateButtons();
  showNoPrediction("Draw a digit on the pad.");
  view.answering.textContent = "loading…";

  // For the tests and the benchmark, which drive the page (main.js exposes part 1 the same way).
  const api = { pad, predict, inspection, explorer, confusion, weights, modelIO, refreshInspection };
  window.nnImpl = Object.assign(window.nnImpl || {}, { part2: api });
  return api;
}
