// Training: the run in progress, the loop that drives it slice by slice, its read-outs and its record among the
// runs (runs.js, which the charts draw), and the run buttons (Train, Pause, Resume, Stop, Reset, Step) with the
// states each one works in.
//
// The worker knows nothing of pausing: the page pauses by not asking for the next slice. Step sends "train"
// with n_batches=1; Reset sends "configure" again (same settings, same seed: the same initial weights).
// Bus events dispatched: "epoch" {history} after each epoch, "model-changed" {name: "training"} on a run's first
// slice; for what keeps a run across a reload (interrupted_run.js): "run-started" {record, continued, resumable}
// when a run is configured, prepared (teaching: not resumable) or continued, "slice" {result, record, samples,
// seconds} after each slice, "run-ended" {status}.
import { withoutErrorClass } from "./protocol.js";
import { announce, epochText } from "./announcer.js";
import { appState, setAppState } from "./app_state.js";
import { PRESETS, runSettings, writeUrl } from "./settings.js";
import { lockFields, readConfig, showConfig, showPythonError, unlockedOnly } from "./settings_form.js";

// Slices of at most ~40 ms of Python (Trainer.run's max_seconds; an epoch's validation scoring is split into
// blocks too): the worker answers a drawing, a click or Stop between two slices, so within one slice. A
// request sent during a slice reaches the worker before the page can ask for the next slice (that is only
// sent once this one's reply is in), so a pending prediction is always served first.
const SLICE_SECONDS = 0.04;
// Enough batches to fill a slice however fast the kernel is: the time bound ends it.
const SLICE_MAX_BATCHES = 5000;
// Stop waits this long for the slice in progress (a wide network's forward pass over a block of the test set can
// take long); then it cancels it by restarting the worker, so Stop always answers within 2 s.
const STOP_WAIT_MS = 1500;

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
 * @param runs RunHistory (runs.js): every run is recorded there
 * @param watchLayers () => whether to ask the worker for the layers' statistics with each slice
 * @param registry () => the settings registry (null until the worker has loaded)
 * @param cancel (reason) => restarts the worker and restores the network that answered (worker_recovery.js)
 * @param beforeConfigure async (config) => void, run before each "configure" (sends what the settings need,
 *   e.g. the learner's digits); its error is shown like a refused setting
 */
export function createTraining({ client, bus, runs, watchLayers, registry, cancel, beforeConfigure = async () => {} }) {
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
    record: null, // this run's entry in `runs`
    loop: Promise.resolve(), // the training loop in progress (a new one starts only after it has ended)
    verb: null, // the button whose work is under way (a second click meanwhile is ignored: a double-click)
    slicesInFlight: 0,
    mostSlicesInFlight: 0,
    onEnd: null, // (status) => void, for a run started by trainPrepared: told once how the run ended
  };
  const epochsSeen = []; // the epoch number of every "epoch" event since the page opened

  const changeState = (s) => setAppState(bus, s);

  function updateControls(state) {
    for (const [label, id] of Object.entries(BUTTONS)) $(id).disabled = !ENABLED[state].includes(label);
    if (registry()) lockFields(registry(), state !== "ready");
    for (const b of document.querySelectorAll("[data-preset]")) b.disabled = state !== "ready";
  }
  bus.addEventListener("state", () => updateControls(appState()));

  function endRecord(status) {
    if (run.record && run.record.status === "running") {
      runs.finish(run.record, status);
      bus.dispatchEvent(new CustomEvent("run-ended", { detail: { status } }));
    }
    const onEnd = run.onEnd;
    run.onEnd = null;
    if (onEnd) onEnd(status);
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
      await beforeConfigure(config);
      const result = await client.request("configure", { config: runSettings(config) });
      startRun(config, result.layer_sizes, result.n_train * config.epochs, config.epochs, { resumable: true });
      showMessage(`New network ${result.layer_sizes.join("-")} ready to train.`);
      return true;
    } catch (err) {
      run.completed++;
      showPythonError(err.message); // marks the field it names, if any
      showMessage(`Check the settings: ${withoutErrorClass(err.message)}`, "error");
      return false;
    }
  }

  /** The run Python has just set up becomes the one the loop, the read-outs and the charts follow. */
  /** A new run: `resumable` when it can be kept and continued after a reload (a run of the form's settings). */
  function startRun(config, layerSizes, samplesTotal, epochs, { resumable, kind = "training" }) {
    Object.assign(run, { samplesTotal, samples: 0, elapsed: 0, epochs, active: true });
    endRecord("stopped"); // a Reset ends the run it replaces
    run.record = runs.start(config, layerSizes, kind);
    bus.dispatchEvent(new CustomEvent("run-started", { detail: { record: run.record, continued: false, resumable } }));
    for (const id of READOUTS) $(id).textContent = "–";
  }

  function showSlice(r) {
    run.samples += r.samples;
    const epoch = r.epoch + (r.status === "epoch_end" ? 0 : r.epoch_progress);
    // a run set up without its length in samples (teaching): the share of its epochs done so far says it
    if (run.samplesTotal === null && epoch > 0) run.samplesTotal = Math.round(run.samples * (run.epochs / epoch));
    if (r.test_accuracy != null) $("out-test-accuracy").textContent = `${(r.test_accuracy * 100).toFixed(2)} %`;
    if (Number.isFinite(r.loss)) $("out-loss").textContent = r.loss.toPrecision(4);
    $("out-epoch").textContent = `${epoch.toFixed(2)} of ${run.epochs}`;
    // The run's rate so far (wall clock, evaluation included): a single short slice would be misleading.
    const rate = run.samples / Math.max(run.elapsed, 1e-6);
    $("out-sps").textContent = Math.round(rate).toLocaleString("en-US");
    $("out-elapsed").textContent = formatSeconds(run.elapsed);
    $("out-eta").textContent = r.status === "done" ? "0 s" : formatSeconds(Math.max(0, run.samplesTotal - run.samples) / rate);
    const where = { samples: run.samples, seconds: run.elapsed };
    runs.addSlice(run.record, { ...where, epoch, loss: r.loss, layerStats: r.layer_stats });
    if (r.history) runs.addEpoch(run.record, r.history, where);
    if (r.history) {
      epochsSeen.push(r.history.epoch);
      announce(epochText(r.history, run.epochs));
      bus.dispatchEvent(new CustomEvent("epoch", { detail: r.history }));
    }
  }

  async function runSlice(nBatches, maxSeconds = null) {
    const t0 = performance.now();
    run.slicesInFlight++;
    run.mostSlicesInFlight = Math.max(run.mostSlicesInFlight, run.slicesInFlight);
    let r;
    try {
      r = await client.request("train", { n_batches: nBatches, max_seconds: maxSeconds, layer_stats: watchLayers() });
    } finally {
      run.slicesInFlight--;
    }
    run.elapsed += (performance.now() - t0) / 1000;
    const first = run.samples === 0;
    showSlice(r);
    bus.dispatchEvent(new CustomEvent("slice", {
      detail: { result: r, record: run.record, samples: run.samples, seconds: run.elapsed } }));
    if (first) bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: "training" } }));
    return r;
  }

  function finishRun(r) {
    run.active = false;
    endRecord(r.status === "diverged" ? "diverged" : "finished");
    run.completed++;
    if (r.status === "diverged") {
      showMessage(`Training diverged: ${r.message || "the loss became NaN or infinite"}. ` +
        "The last good weights are kept; try a smaller learning rate.", "error");
    } else {
      showMessage(`${r.message || "Training finished."}${accuracyText(r)}`);
    }
    changeState("ready");
  }

  /** Start the loop of slices, after the previous loop (paused or stopped, finishing its slice) has ended. */
  function trainLoop() {
    const generation = ++run.generation;
    const previous = run.loop;
    run.loop = previous.then(() => (run.generation === generation ? loopSlices(generation) : undefined));
  }

  async function loopSlices(generation) {
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
      // the worker died ("dead": main.js restarts it and says so) or was restarted by a cancel, which says it
      if (client.dead || err.stage === "cancelled" || err.stage === "worker") return;
      run.active = false;
      endRecord("stopped");
      run.completed++;
      showMessage(`Training stopped: ${err.message}`, "error");
      if (run.generation === generation) changeState("ready");
    }
  }

  /** Run `work` for the button `label` unless another button's work is under way (a double-click, a second
   * button pressed while the first waits for Python): one run, one configure, one slice at a time. */
  async function exclusively(label, work) {
    if (run.verb !== null) return;
    run.verb = label;
    try {
      await work();
    } finally {
      run.verb = null;
    }
  }

  /** Stop the run; if the slice in progress does not end within STOP_WAIT_MS, cancel it (restart). */
  async function stopRun() {
    const stopped = client.request("stop");
    const late = new Promise((resolve) => setTimeout(() => resolve("late"), STOP_WAIT_MS));
    const first = await Promise.race([stopped.then((r) => ({ r }), (err) => ({ err })), late]);
    if (first !== "late") {
      if (first.err) throw first.err;
      return first.r;
    }
    stopped.catch(() => {}); // rejected by the restart below
    showMessage("Stopping: Python is still busy with the last slice, so it is being restarted…");
    const name = await cancel("stopped during a long slice");
    return { test_accuracy: null, restarted: name };
  }

  const verbs = {
    async train() {
      if (appState() !== "ready") return;
      if (!run.active && !(await configure())) return;
      if (appState() !== "ready") return; // the worker went away meanwhile
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
        const r = await stopRun();
        if (r.restarted === undefined) {
          showMessage(`Stopped. The trained network keeps answering predictions.${accuracyText(r)}`);
        } else if (r.restarted !== null) {
          showMessage(`Stopped by restarting Python (it was busy); the ${r.restarted} model answers.`);
        }
      } catch (err) {
        if (client.dead) return;
        showMessage(err.message, "error");
      }
      run.active = false;
      endRecord("stopped");
      run.completed++;
      if (!client.dead && appState() !== "error" && appState() !== "loading") changeState("ready");
    },
    async reset() {
      if (appState() !== "ready" && appState() !== "paused") return;
      run.generation++;
      await run.loop;
      if (await configure()) showMessage("Reset: the network is back at its initial weights.");
      changeState("ready");
    },
    async step() {
      if (appState() !== "ready" && appState() !== "paused") return;
      await run.loop; // a paused loop finishes its slice first: one slice at a time
      if (!run.active && !(await configure())) return;
      try {
        const r = await runSlice(1);
        if (r.status === "done" || r.status === "diverged") finishRun(r);
        else {
          changeState("paused");
          showMessage(`One batch done (loss ${r.loss.toPrecision(4)}). Step again, or Resume to keep training.`);
        }
      } catch (err) {
        if (!client.dead && err.stage !== "cancelled" && err.stage !== "worker") showMessage(err.message, "error");
      }
    },
  };
  // Pause and Stop always act (they end work); the others wait for nothing and refuse to overlap.
  const ALWAYS = ["Pause", "Stop"];
  for (const [label, id] of Object.entries(BUTTONS)) {
    const verb = verbs[label.toLowerCase()];
    $(id).addEventListener("click", () => (ALWAYS.includes(label) ? verb() : exclusively(label, verb)));
  }

  /** Put `values` into the form (except what a lesson locked); the next Train builds a network from them. */
  function applySettings(values) {
    const next = { ...readConfig(registry()).config, ...unlockedOnly(values) };
    showConfig(registry(), next);
    writeUrl(registry(), next);
    run.active = false;
  }

  for (const b of document.querySelectorAll("[data-preset]")) {
    b.addEventListener("click", () => {
      if (appState() !== "ready" || !registry()) return;
      applySettings(PRESETS[b.dataset.preset]);
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
      endRecord("stopped");
    },
    /** Train a new run with an earlier run's settings (those a lesson locked stay as they are). */
    async trainAgain(config, name) {
      if (appState() !== "ready" || !registry()) {
        showMessage("Stop the run in progress first, then train again.", "error");
        return;
      }
      applySettings(config);
      await exclusively("Train", verbs.train); // as a click on Train: never a second loop beside the first
      if (appState() === "training") showMessage(`Training again with the settings of ${name}…`);
    },
    /**
     * Go on with a run the worker has just resumed from a checkpoint (interrupted_run.js): `config` its settings
     * (shown in the form), `record` its entry in `runs` (its curves continue), `samples` and `seconds` where it
     * was, `nTrain` its training images per epoch.
     */
    async continueRun({ config, record, samples, seconds, nTrain }) {
      await exclusively("Train", async () => {
        if (appState() !== "ready") return;
        showConfig(registry(), config);
        writeUrl(registry(), config);
        endRecord("stopped");
        Object.assign(run, { active: true, record, samples, elapsed: seconds, epochs: config.epochs,
          samplesTotal: nTrain * config.epochs });
        bus.dispatchEvent(new CustomEvent("run-started", { detail: { record, continued: true, resumable: true } }));
        changeState("training");
        showMessage("Training… (the interrupted run goes on)");
        trainLoop();
      });
    },
    /**
     * Train a run that Python has already set up (the "teach" request) with the same loop, read-outs, charts and
     * buttons (Pause, Stop) as Train. `setup`: {config (recorded with the run), layerSizes, samplesTotal (null:
     * found from the first slice's share of the epochs), epochs, kind (runs.js), message}. Resolves with how the
     * run ended: "finished", "diverged" or "stopped" (stopped, failed, or the worker went away), or null when it
     * could not start (another button's work was under way).
     */
    trainPrepared(setup) {
      if (appState() !== "ready" || run.verb !== null) return Promise.resolve(null);
      return new Promise((resolve) => {
        startRun(setup.config, setup.layerSizes, setup.samplesTotal, setup.epochs, { resumable: false, kind: setup.kind });
        run.onEnd = resolve;
        changeState("training");
        showMessage(setup.message);
        trainLoop();
      });
    },
    /** Whether Train, Reset, Step or a prepared run may start now (nothing else under way). */
    idle: () => appState() === "ready" && run.verb === null,
    runsCompleted: () => run.completed,
    slices: () => ({ inFlight: run.slicesInFlight, most: run.mostSlicesInFlight }),
    epochsSeen: () => [...epochsSeen],
  };
}
