// Teach the network my digits: fine-tune the network that answers on My digits mixed with MNIST training images
// (Python's "teach" sets the run up and scores the network before; nn_impl.finetune), driven slice by slice by
// training.js's loop with the training view's live progress; then the before/after figures side by side, and
// "Undo teaching", which makes the network from before answer again.
//
// The learner's digits reach the worker with "set_my_digits" before every run that needs them: teaching, and a
// run whose Training data includes them (main.js passes sendDigits to training.js as beforeConfigure).
//
// Bus events listened to: "ready" (a fresh worker has none of the digits). Dispatched: "model-changed"
// {name, layer_sizes} when teaching has ended and after an undo (the pad answers again).
import { withoutErrorClass } from "./protocol.js";
import { appState } from "./app_state.js";
import { readConfig } from "./settings_form.js";
import { TEACHING_FIELDS } from "./settings.js";
import { answeringLayerSizes } from "./answering.js";

const percent = (fraction) => (fraction == null ? "–" : `${(fraction * 100).toFixed(1)} %`);

/** Which of the learner's digits were scored: "the 5 held out, not taught" or "all 12, also taught". */
function scoredOn(setup) {
  return setup.scored_on === "held-out"
    ? `the ${setup.n_held_out} held out, not taught`
    : `all ${setup.n_taught}, also taught: too few to hold some out`;
}

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param digits the MyDigits set
 * @param training what createTraining returns (trainPrepared, idle)
 * @param {() => object|null} registry the settings registry
 * @param elements {teachButton, undoButton, message, result, mineLabel, mineBefore, mineAfter, mnistBefore,
 *   mnistAfter, explanation}
 */
export function createTeaching({ client, bus, digits, training, registry, elements }) {
  const el = elements;
  // the worker holds the set as it was at change number `sent.version` (-1: none; a fresh worker holds none)
  const sent = { changes: 0, version: -1 };
  let teaching = false;
  let undoable = false;

  digits.onChange(() => { sent.changes++; });
  bus.addEventListener("ready", () => {
    sent.version = -1;
    undoable = false; // a fresh worker knows no network from before teaching
    updateButtons();
  });

  /** Send My digits to the worker unless it has them already. */
  async function sendDigits() {
    if (sent.version === sent.changes) return;
    const version = sent.changes;
    const { x, y } = digits.arrays();
    await client.request("set_my_digits", { x, y }, [x.buffer, y.buffer]);
    sent.version = version; // a change made meanwhile is sent next time
  }

  function say(text, kind = "info") {
    el.message.textContent = text;
    el.message.dataset.kind = kind;
  }

  function updateButtons() {
    el.teachButton.disabled = teaching || appState() !== "ready";
    el.undoButton.disabled = teaching || !undoable || appState() !== "ready";
  }
  bus.addEventListener("state", updateButtons);

  function showScores(before, after, scoredOn) {
    el.mineLabel.textContent = `My digits (${scoredOn})`;
    el.mineBefore.textContent = percent(before.mine);
    el.mnistBefore.textContent = percent(before.mnist);
    el.mineAfter.textContent = after ? percent(after.mine) : "…";
    el.mnistAfter.textContent = after ? percent(after.mnist) : "…";
    el.result.hidden = false;
  }

  /** One sentence on what the learner sees when MNIST accuracy falls with no MNIST replayed. */
  function explain(settings, before, after) {
    const forgot = settings.replay_share === 0 && after.mnist < before.mnist;
    el.explanation.textContent = forgot
      ? `This is catastrophic forgetting: trained on your digits alone, the network overwrote weights that held ` +
        `what it knew about MNIST, so its MNIST accuracy fell from ${percent(before.mnist)} to ` +
        `${percent(after.mnist)}; a MNIST share above 0 keeps reminding it while it learns.`
      : "";
  }

  async function teach() {
    if (teaching) return;
    if (digits.size === 0) {
      say("Add some digits first: draw one, then press “It is a …” with its true value.", "error");
      return;
    }
    if (!training.idle()) {
      say("Wait for the run in progress to end (or stop it), then teach.", "error");
      return;
    }
    const { config, errors } = readConfig(registry());
    if (Object.keys(errors).length > 0) {
      say(`Check the settings: ${Object.entries(errors).map(([k, e]) => `${k} ${e}`).join("; ")}`, "error");
      return;
    }
    teaching = true;
    updateButtons();
    try {
      say("Scoring the network before teaching…");
      await sendDigits();
      const settings = Object.fromEntries(TEACHING_FIELDS.map((name) => [name, config[name]]));
      const setup = await client.request("teach", { config: settings });
      showScores(setup.before, null, scoredOn(setup));
      el.explanation.textContent = "";
      // one pass over a mix of the learner's digits and MNIST images (nn_impl.finetune): one epoch, whose
      // length in samples the first slice tells
      const ended = await training.trainPrepared({
        config, layerSizes: answeringLayerSizes(), samplesTotal: null, epochs: 1, kind: "teaching",
        message: `Teaching the network ${setup.n_taught} of your digits (${setup.batches} batches)…`,
      });
      if (ended === null) {
        say("Another run started first; teaching did not run.", "error");
        return;
      }
      if (ended !== "finished") {
        say(ended === "diverged" ? "Teaching diverged; Undo teaching brings back the network from before."
          : "Teaching was stopped part-way; the network answers as it is now. Undo teaching brings back the one " +
            "from before.", "error");
        undoable = true;
        return;
      }
      const result = await client.request("teaching_result");
      // the pad's answer and the network kept for a restart are the taught one's, from its last batch on
      bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: "taught", layer_sizes: setup.layer_sizes } }));
      showScores(result.before, result.after, scoredOn(setup));
      explain(setup.settings, result.before, result.after);
      undoable = true;
      say(`Taught: on your digits ${percent(result.before.mine)} → ${percent(result.after.mine)}, on the MNIST ` +
        `test set ${percent(result.before.mnist)} → ${percent(result.after.mnist)}. The pad answers with the ` +
        "taught network now.");
    } catch (err) {
      if (client.dead || err.stage === "cancelled") return;
      say(`Could not teach: ${withoutErrorClass(err.message)}`, "error");
    } finally {
      teaching = false;
      updateButtons();
    }
  }

  async function undo() {
    if (teaching || !undoable || appState() !== "ready") return;
    try {
      const reply = await client.request("undo_teaching");
      undoable = false;
      updateButtons();
      bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: reply.model, layer_sizes: reply.layer_sizes } }));
      say("Undone: the network from before teaching answers again.");
    } catch (err) {
      if (!client.dead) say(`Could not undo: ${withoutErrorClass(err.message)}`, "error");
    }
  }

  el.teachButton.addEventListener("click", teach);
  el.undoButton.addEventListener("click", undo);
  updateButtons();

  return { sendDigits };
}
