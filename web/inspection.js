// Inspect the model: the test-set explorer, the confusion matrix and the first layer's weights, refreshed by
// inspect requests when the model answering changes and after each epoch of training.
//
// Bus events listened to: "ready" (a fresh worker: the test images once, then the model's parts), "epoch",
// "model-changed" {name, layer_sizes?}.
import { TestSetExplorer } from "./explorer.js";
import { ConfusionView } from "./confusion.js";
import { WeightsView } from "./weights_view.js";
import { withoutErrorClass } from "./protocol.js";
import { workerUsable } from "./app_state.js";
import { describeModel, showAnswering } from "./answering.js";
import { afterNextFrame } from "./frames.js";

const MODEL_PARTS = ["confusion", "explorer", "weights"];

/**
 * @param onLoadIntoCanvas called with a test digit's pixels when the explorer's "Load into canvas" is pressed
 * @param onShowTrainingStep called with a test image's index when "One training step on this image" is pressed
 */
export function createInspection({ client, bus, onLoadIntoCanvas, onShowTrainingStep }) {
  const $ = (id) => document.getElementById(id);
  const explorer = new TestSetExplorer($("inspect"), (pixels) => {
    onLoadIntoCanvas(pixels);
    $("predict").scrollIntoView({ block: "start", behavior: "smooth" }); // show it where it is now
  }, onShowTrainingStep);
  const confusion = new ConfusionView($("confusion"), $("confusion-caption"), (truth, pred, button) => {
    explorer.showCell({ truth, pred, onBack: () => button.focus() });
    $("explorer-heading").scrollIntoView({ block: "start" });
    $("explorer-all").focus({ preventScroll: true }); // the way back is the next thing a keyboard reaches
  });
  const weights = new WeightsView($("weights-sheet"), $("weights-caption"));

  // count: replies shown (tests wait on it); atEpochEnd: the request may reuse the epoch's own scoring
  const inspection = { wanted: new Set(), running: false, count: 0, atEpochEnd: false };

  /** Ask for `parts`; `atEpochEnd`: after an epoch of training, when the test set's scoring at that epoch's end can
   * be reused (Session.inspect), so that a drawing made meanwhile never waits behind a second scoring. */
  async function refreshInspection(parts, atEpochEnd = false) {
    for (const p of parts) inspection.wanted.add(p);
    inspection.atEpochEnd = atEpochEnd; // the latest reason wins: after a model change, score the model itself
    if (inspection.running || !workerUsable()) return;
    inspection.running = true;
    try {
      while (inspection.wanted.size > 0 && workerUsable()) {
        const asked = [...inspection.wanted];
        const atEpochEnd = inspection.atEpochEnd;
        inspection.wanted.clear();
        let reply;
        try {
          reply = await client.request("inspect", { parts: asked, at_epoch_end: atEpochEnd });
        } catch (err) {
          const text = withoutErrorClass(err.message);
          if (!client.dead && err.stage !== "cancelled") confusion.caption.textContent = `Could not inspect the model: ${text}`;
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
  // 90 ms after an epoch, long enough to make the page stutter while training (as the main thread's task timings showed).
  async function showInspection(reply) {
    const description = describeModel(reply);
    const capitalised = description.charAt(0).toUpperCase() + description.slice(1);
    showAnswering(reply);
    const answers = reply.model ? reply.explorer : null; // without a model, nobody has looked at the images
    if (reply.images) explorer.setImages(reply.images.x_test, reply.images.y_test, answers);
    else if (answers !== undefined) explorer.setPredictions(answers);
    if (!reply.model) {
      confusion.show(null);
      weights.show(null);
      return;
    }
    await afterNextFrame();
    if (reply.confusion) confusion.show(reply.confusion, capitalised);
    await afterNextFrame();
    if (reply.weights) weights.show(reply.weights, capitalised);
  }

  bus.addEventListener("ready", () => refreshInspection(["images", ...MODEL_PARTS]));
  bus.addEventListener("model-changed", (event) => {
    // without layer sizes in the event, they come with the next reply (a new model may have other layers)
    showAnswering({ model: event.detail.name, layer_sizes: event.detail.layer_sizes });
    refreshInspection(MODEL_PARTS);
  });
  bus.addEventListener("epoch", () => refreshInspection(MODEL_PARTS, true));
  $("model-answering").textContent = "loading…";

  return {
    /** A copy of the inspection counters and of the explorer's predictions (the test hook's). */
    snapshot: () => ({ count: inspection.count, running: inspection.running }),
    explorerPredictions: () => {
      const p = explorer.predictions;
      return p ? { pred: Array.from(p.pred), proba: Array.from(p.proba) } : null;
    },
  };
}
