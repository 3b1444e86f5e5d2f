// Training: the run in progress, the loop that drives it slice by slice, its read-outs and charts, and the run
// buttons (Train, Pause, Resume, Stop, Reset, Step) with the states each one works in.
//
// The worker knows nothing of pausing: the page pauses by not asking for the next slice. Step sends "train"
// with n_batches=1; Reset sends "configure" again (same settings, same seed: the same initial weights).
// Bus events dispatched: "epoch" {history} after each epoch, "model-changed" {name: "training"} on a run's first
// slice.
import { withoutErrorClass } from "./protocol.js";
import { appState, setAppState } from "./app_state.js";
import { PRESETS, writeUrl } from "./settings.js";
import { lockFields, readConfig, showConfig, showPythonError } from "./settings_form.js";

// Slices of at most ~40 ms of Python (Trainer.run's max_seconds; an epoch's validation scoring is split into
// blocks too): the worker answers a drawing, a click or Stop between two slices, so within one slice. A
// request sent during a slice reaches the worker before the page can ask for the next slice (that is only
// sent once this one's reply is in), so a pending prediction is always served first.
const SLICE_SECONDS = 0.04;
// Enough batches to fill a slice however fast the kernel is: the time bound ends it.
const SLICE_MAX_BATCHES = 5000;

// Which buttons work in which state. The form is locked while a run goes on, except its live fields.
const ENABLED = {
  loading: [],
  error: [],
  ready: ["Train", "Reset", "Step"],
  training: ["Pause", "Stop"],
  paused: ["Resume", "Stop", "Reset", "Step"],
};
const BUTTONS = { Train: "btn-train", Pause: "btn-pause", Resume: "btn-resume", Stop: "btn-stop",
  Reset: "btn-reset", Step: "btn-step" };
const READOUTS = ["out-test-accuracy", "out-loss", "out-epoch", "out-sps", "out-elapsed", "out-eta"];

const $ = (id) => document.getElementById(id);
const formatSeconds = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
const accuracyText = (r) => (r.test_accuracy != null ? ` Test accuracy ${(r.test_accuracy * 100).toFixed(2)} %.` : "");

export function showMessage(text, kind = "info") {
  const el = $("run-message");
  el.textContent = text;
  el.dataset.kind = kind;
}

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param charts TrainingCharts, or null when they could not start
 * @param registry () => the settings registry (null until the worker has loaded)
 */
export function createTraining({ client, bus, charts, registry }) {
  // `generation` cancels a stale training loop (as in the TF playground): every pause/stop/reset bumps it,
  // and a loop that sees a newer generation ends after its current slice.
  const run = {
    active: false, // configured and not finished: Train/Resume continue it
    completed: 0, // runs that ended (finished, diverged, stopped, failed, refused)
    generation: 0,
    elapsed: 0, // seconds of training (wall clock, while the loop runs)
    samples: 0,
    samplesTotal: 0,
    epochs: 0,
  };
  const epochsSeen = []; // the epoch number of every "epoch" event since the page opened

  const changeState = (s) => setAppState(bus, s);

  function updateControls(state) {
    for (const [label, id] of Object.entries(BUTTONS)) $(id).disabled = !ENABLED[state].includes(label);
    if (registry()) lockFields(registry(), state !== "ready");
    for (const b of document.querySelectorAll("[data-preset]")) b.disabled = state !== "ready";
  }
  bus.addEventListener("state", () => updateControls(appState()));

  function describe(config, layerSizes) {
    return `${layerSizes.join("-")} ${config.activation}, ${config.loss}, ${config.solver} ${config.learning_rate}, ` +
      `batch ${config.batch_size}, ${config.train_samples} samples, seed ${config.random_state}`;
  }

  /** Validate the form and build a fresh model and trainer in the worker. Returns false if invalid. */
  async function configure() {
    const { config, errors } = readConfig(registry());
    if (Object.keys(errors).length > 0) {
      run.completed++; // nothing will run: a waiting test or benchmark must not hang
      showMessage(`Check the settings: ${Object.entries(errors).map(([k, e]) => `${k} ${e}`).join("; ")}`, "error");
      return false;
    }
    writeUrl(registry(), config);
    try {
      const result = await client.request("configure", { config });
      Object.assign(run, {
        samplesTotal: result.n_train * config.epochs, samples: 0, elapsed: 0, epochs: config.epochs, active: true,
      });
      if (charts) charts.startRun(describe(config, result.layer_sizes));
      for (const id of READOUTS) $(id).textContent = "–";
      showMessage(`New network ${result.layer_sizes.join("-")} ready to train.`);
      return true;
    } catch (err) {
      run.completed++;
      showPythonError(err.message); // marks the field it names, if any
      showMessage(`Check the settings: ${withoutErrorClass(err.message)}`, "error");
      return false;
    }
  }

  function showSlice(r) {
    run.samples += r.samples;
    const epoch = r.epoch + (r.status === "epoch_end" ? 0 : r.epoch_progress);
    if (r.test_accuracy != null) $("out-test-accuracy").textContent = `${(r.test_accuracy * 100).toFixed(2)} %`;
    if (Number.isFinite(r.loss)) $("out-loss").textContent = r.loss.toPrecision(4);
    $("out-epoch").textContent = `${epoch.toFixed(2)} of ${run.epochs}`;
    // The run's rate so far (wall clock, evaluation included): a single short slice would be misleading.
    const rate = run.samples / Math.max(run.elapsed, 1e-6);
    $("out-sps").textContent = Math.round(rate).toLocaleString("en-US");
    $("out-elapsed").textContent = formatSeconds(run.elapsed);
    $("out-eta").textContent = r.status === "done" ? "0 s" : formatSeconds(Math.max(0, run.samplesTotal - run.samples) / rate);
    if (charts) {
      charts.addLoss(epoch, r.loss);
      if (r.history) charts.addEpoch(r.history);
    }
    if (r.history) {
      epochsSeen.push(r.history.epoch);
      bus.dispatchEvent(new CustomEvent("epoch", { detail: r.history }));
    }
  }

  async function runSlice(nBatches, maxSeconds = null) {
    const t0 = performance.now();
    const r = await client.request("train", { n_batches: nBatches, max_seconds: maxSeconds });
    run.elapsed += (performance.now() - t0) / 1000;
    const first = run.samples === 0;
    showSlice(r);
    if (first) bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: "training" } }));
    return r;
  }

  function finishRun(r) {
    run.active = false;
    run.completed++;
    if (r.status === "diverged") {
      showMessage(`Training diverged: ${r.message || "the loss became NaN or infinite"}. ` +
        "The last good weights are kept; try a smaller learning rate.", "error");
    } else {
      showMessage(`${r.message || "Training finished."}${accuracyText(r)}`);
    }
    changeState("ready");
  }

  async function trainLoop() {
    const generation = ++run.generation;
    try {
      while (run.generation === generation) {
        const r = await runSlice(SLICE_MAX_BATCHES, SLICE_SECONDS);
        if (r.status === "done" || r.status === "diverged") {
          if (run.generation === generation) finishRun(r);
          else run.active = false;
          return;
        }
        // No timer or animation frame between slices: the reply arrives as a task of its own (clicks and
        // painting run between slices anyway), and a hidden tab, which throttles timers to one a second and
        // paints no frames, goes on training at full speed.
      }
    } catch (err) {
      if (client.dead) return; // the "dead" handler has said what happened
      run.active = false;
      run.completed++;
      showMessage(`Training stopped: ${err.message}`, "error");
      if (run.generation === generation) changeState("ready");
    }
  }

  const verbs = {
    async train() {
      if (appState() !== "ready") return;
      if (!run.active && !(await configure())) return;
      changeState("training");
      showMessage("Training…");
      trainLoop();
    },
    pause() {
      if (appState() !== "training") return;
      run.generation++;
      changeState("paused");
      showMessage("Paused. Resume continues the same run; Step runs one batch.");
    },
    resume() {
      if (appState() !== "paused") return;
      if (!run.active) {
        changeState("ready");
        return;
      }
      changeState("training");
      showMessage("Training…");
      trainLoop();
    },
    async stop() {
      if (appState() !== "training" && appState() !== "paused") return;
      run.generation++;
      try {
        const r = await client.request("stop");
        showMessage(`Stopped. The trained network keeps answering predictions.${accuracyText(r)}`);
      } catch (err) {
        if (client.dead) return;
        showMessage(err.message, "error");
      }
      run.active = false;
      run.completed++;
      changeState("ready");
    },
    async reset() {
      if (appState() !== "ready" && appState() !== "paused") return;
      run.generation++;
      if (await configure()) showMessage("Reset: the network is back at its initial weights.");
      changeState("ready");
    },
    async step() {
      if (appState() !== "ready" && appState() !== "paused") return;
      if (!run.active && !(await configure())) return;
      try {
        const r = await runSlice(1);
        if (r.status === "done" || r.status === "diverged") finishRun(r);
        else {
          changeState("paused");
          showMessage(`One batch done (loss ${r.loss.toPrecision(4)}). Step again, or Resume to keep training.`);
        }
      } catch (err) {
        if (!client.dead) showMessage(err.message, "error");
      }
    },
  };
  for (const [label, id] of Object.entries(BUTTONS)) $(id).addEventListener("click", () => verbs[label.toLowerCase()]());

  for (const b of document.querySelectorAll("[data-preset]")) {
    b.addEventListener("click", () => {
      if (appState() !== "ready" || !registry()) return;
      const next = { ...readConfig(registry()).config, ...PRESETS[b.dataset.preset] };
      showConfig(registry(), next);
      writeUrl(registry(), next);
      run.active = false; // the next Train builds the preset's network
      showMessage(`"${b.textContent}" preset applied. Press Train.`);
    });
  }

  updateControls(appState());

  return {
    /** A field changed (already parsed): new settings start a new network; a live one changes the run. */
    fieldChanged(name, parsed) {
      if (appState() === "ready") run.active = false; // the next Train builds a new network
      if (parsed.error) return;
      const { config, errors } = readConfig(registry());
      if (Object.keys(errors).length === 0) writeUrl(registry(), config); // the link always holds valid settings
      if (registry()[name].live && run.active && (appState() === "training" || appState() === "paused")) {
        // the trainer takes it at the next batch; the request is set_<name> (nn_impl/worker_requests.py)
        client.request(`set_${name}`, { [name]: parsed.value }).catch((err) => showMessage(err.message, "error"));
      }
    },
    /** The worker died or was restarted: the run is gone. */
    abandon() {
      run.generation++;
      run.active = false;
    },
    runsCompleted: () => run.completed,
    epochsSeen: () => [...epochsSeen],
  };
}
