// Part 1 of the page: start-up, the training loop and the wiring of controls, charts and worker.
// It reads like a script: start the worker, load, show the settings, then react to buttons.
// Events on `bus` (ARCHITECTURE.md): "state", "ready", "epoch", "model-changed".
import { WorkerClient, withoutErrorClass } from "./protocol.js";
import { LoadingPanel } from "./loading.js";
import { TrainingCharts } from "./charts.js";
import { buildRegistry, defaults, readUrl, setAppState, writeUrl } from "./state.js";
import {
  PRESETS, fillMenus, onButtons, readConfig, showConfig, showPythonError, updateControls, watchFields,
} from "./controls.js";

const bus = new EventTarget();
// ?test-hooks in the page's URL (tests only) is passed on to the worker, which then accepts "debug_crash".
const workerUrl = new URL("./worker.js", import.meta.url);
if (new URLSearchParams(window.location.search).has("test-hooks")) workerUrl.search = "test-hooks";
const client = new WorkerClient(() => new Worker(workerUrl, { type: "module" }));
const loading = new LoadingPanel(document.getElementById("loading"));
const $ = (id) => document.getElementById(id);

let registry = null;
let charts = null;
let chartsError = null;
try {
  charts = new TrainingCharts($("chart-loss"), $("chart-accuracy"), $("previous-run"));
} catch (err) {
  chartsError = err; // the page still trains; the read-outs still move
  console.error("charts unavailable", err);
}

// The run in progress. `generation` cancels a stale training loop (as in the TF playground): every
// pause/stop/reset bumps it, and a loop that sees a newer generation ends after its current slice.
const run = {
  active: false, // configured and not finished: Train/Resume continue it
  completed: 0, // runs that ended (finished, diverged, stopped, failed): tests wait on this
  generation: 0,
  batchesPerSlice: 8,
  elapsed: 0, // seconds of training (wall clock, while the loop runs)
  samples: 0,
  samplesTotal: 0,
  epochs: 0,
  config: null,
};

const state = () => document.body.dataset.state;
const changeState = (s) => {
  setAppState(bus, s);
  updateControls(s);
};
bus.addEventListener("state", () => updateControls(state()));
window.nnImpl = { client, bus, charts, run }; // for the tests and the benchmark, which drive the page

// Part 2 (draw, predict, inspect) is loaded dynamically, so that a missing or broken part2.js cannot stop
// part 1 from working.
const part2Ready = import("./part2.js")
  .then((module) => module.initPart2({ client, bus }))
  .catch((err) => console.error("part 2 of the page is unavailable:", err));

// --- start-up ---------------------------------------------------------------------------------------------

function showMessage(text, kind = "info") {
  const el = $("run-message");
  el.textContent = text;
  el.dataset.kind = kind;
}

function showNotice(lines) {
  const el = $("notice");
  if (lines.length === 0) {
    el.hidden = true;
    return;
  }
  el.textContent = `Some settings in the link were not valid and were replaced by defaults — ${lines.join("; ")}.`;
  el.hidden = false;
}

async function start() {
  changeState("loading");
  loading.reset();
  const unsubscribe = client.on("stage", (m) => loading.update(m));
  fetch(new URL("./build-info.json", import.meta.url))
    .then((r) => (r.ok ? r.json() : null))
    .then((info) => loading.showSizes(info))
    .catch(() => {}); // sizes are a courtesy; the download progress shows them anyway
  let info;
  try {
    info = await client.request("load");
  } catch (err) {
    loading.fail(err.stage, err.message);
    changeState("error");
    return;
  } finally {
    unsubscribe();
  }
  const v = info.versions;
  $("versions").textContent = `Running in this tab: Python ${v.python} · NumPy ${v.numpy} · nn_impl ${v.nn_impl}`;
  if (registry === null) {
    registry = buildRegistry(info.params, info.n_train);
    fillMenus(registry);
    watchFields(registry, onFieldChange);
    // A fixed default seed, so that a shared link and Reset reproduce the same initial weights.
    const base = { ...defaults(registry), ...PRESETS.fast };
    if (base.random_state == null) base.random_state = 1;
    const { values, problems } = readUrl(registry);
    showConfig(registry, { ...base, ...values });
    showNotice(problems);
    writeUrl(registry, { ...base, ...values });
  }
  run.active = false;
  loading.finish();
  await Promise.race([part2Ready, new Promise((r) => setTimeout(r, 2000))]);
  changeState("ready");
  bus.dispatchEvent(new CustomEvent("ready", { detail: info }));
  if (info.model) bus.dispatchEvent(new CustomEvent("model-changed", { detail: { name: info.model } }));
  if (chartsError) showMessage(`Charts could not start (${chartsError.message}); the numbers below still update.`);
}

$("retry").addEventListener("click", () => {
  $("fault").hidden = true;
  client.restart();
  start();
});

client.on("dead", (m) => {
  run.generation++;
  run.active = false;
  $("fault-text").textContent =
    `The Python worker stopped (${m.message}). Your settings are kept; restart it to continue.`;
  $("fault").hidden = false;
  changeState("error");
});

$("restart-worker").addEventListener("click", () => {
  $("fault").hidden = true;
  client.restart();
  start();
});

// --- settings ---------------------------------------------------------------------------------------------

function onFieldChange(name, parsed) {
  if (state() === "ready") run.active = false; // new settings: the next Train builds a new network
  if (parsed.error) return;
  const { config, errors } = readConfig(registry);
  if (Object.keys(errors).length === 0) writeUrl(registry, config); // the link always holds valid settings
  // The learning rate may change during a run: the trainer takes it at the next batch.
  if (name === "learning_rate" && run.active && (state() === "training" || state() === "paused")) {
    client.request("set_learning_rate", { learning_rate: parsed.value }).catch((err) => showMessage(err.message, "error"));
  }
}

function describe(config) {
  const layers = [784, ...config.hidden_layer_sizes, 10].join("-");
  return `${layers} ${config.activation}, ${config.loss}, ${config.solver} ${config.learning_rate}, ` +
    `batch ${config.batch_size}, ${config.train_samples} samples, seed ${config.random_state}`;
}

/** Validate the form and build a fresh model and trainer in the worker. Returns false if invalid. */
async function configure() {
  const { config, errors } = readConfig(registry);
  if (Object.keys(errors).length > 0) {
    run.completed++; // nothing will run: a waiting test or benchmark must not hang
    showMessage(`Check the settings: ${Object.entries(errors).map(([k, e]) => `${k} ${e}`).join("; ")}`, "error");
    return false;
  }
  writeUrl(registry, config);
  try {
    const result = await client.request("configure", { config });
    run.config = config;
    run.samplesTotal = config.train_samples * config.epochs;
    run.samples = 0;
    run.elapsed = 0;
    run.epochs = config.epochs;
    run.active = true;
    run.batchesPerSlice = Math.max(1, Math.round(256 / config.batch_size));
    if (charts) charts.startRun(describe(config));
    resetReadouts(result.layer_sizes);
    return true;
  } catch (err) {
    run.completed++;
    showPythonError(err.message); // marks the field it names, if any
    showMessage(`Check the settings: ${withoutErrorClass(err.message)}`, "error");
    return false;
  }
}

// --- read-outs --------------------------------------------------------------------------------------------

const formatSeconds = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function resetReadouts(layerSizes) {
  for (const id of ["out-test-accuracy", "out-loss", "out-epoch", "out-sps", "out-elapsed", "out-eta"]) {
    $(id).textContent = "–";
  }
  showMessage(`New network ${layerSizes.join("-")} ready to train.`);
}

function showSlice(r) {
  run.samples += r.samples;
  if (r.test_accuracy != null) $("out-test-accuracy").textContent = `${(r.test_accuracy * 100).toFixed(2)} %`;
  if (Number.isFinite(r.loss)) $("out-loss").textContent = r.loss.toPrecision(4);
  $("out-epoch").textContent = `${(r.epoch + (r.status === "epoch_end" ? 0 : r.epoch_progress)).toFixed(2)} of ${run.epochs}`;
  // The run's rate so far (wall clock, evaluation included): a single short slice would be misleading.
  $("out-sps").textContent = Math.round(run.samples / Math.max(run.elapsed, 1e-6)).toLocaleString("en-US");
  $("out-elapsed").textContent = formatSeconds(run.elapsed);
  const rate = run.samples / Math.max(run.elapsed, 1e-6);
  $("out-eta").textContent = r.status === "done" ? "0 s" : formatSeconds(Math.max(0, run.samplesTotal - run.samples) / rate);
  if (charts) {
    charts.addLoss(r.epoch + (r.status === "epoch_end" ? 0 : r.epoch_progress), r.loss);
    if (r.history) charts.addEpoch(r.history);
  }
  if (r.history) bus.dispatchEvent(new CustomEvent("epoch", { detail: r.history }));
}

// --- the training loop ------------------------------------------------------------------------------------

// Aim for slices of ~0.12 s of Python: the worker answers pause/stop/predict between slices, and the chart
// and read-outs update several times a second.
const SLICE_SECONDS = 0.12;

async function runSlice(nBatches) {
  const t0 = performance.now();
  const r = await client.request("train", { n_batches: nBatches });
  run.elapsed += (performance.now() - t0) / 1000;
  if (r.seconds > 0 && r.batches > 0) {
    const perBatch = r.seconds / r.batches;
    run.batchesPerSlice = Math.min(5000, Math.max(1, Math.round(SLICE_SECONDS / perBatch)));
  }
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
    const acc = r.test_accuracy != null ? ` Test accuracy ${(r.test_accuracy * 100).toFixed(2)} %.` : "";
    showMessage(`${r.message || "Training finished."}${acc}`);
  }
  changeState("ready");
}

async function trainLoop() {
  const generation = ++run.generation;
  try {
    while (run.generation === generation) {
      const r = await runSlice(run.batchesPerSlice);
      if (r.status === "done" || r.status === "diverged") {
        if (run.generation === generation) finishRun(r);
        else run.active = false;
        return;
      }
      // Yield to the event loop between slices so clicks and rendering are handled promptly.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (err) {
    if (client.dead) return; // the "dead" handler has said what happened
    run.active = false;
    run.completed++;
    showMessage(`Training stopped: ${err.message}`, "error");
    if (run.generation === generation) changeState("ready");
  }
}

onButtons({
  async train() {
    if (state() !== "ready") return;
    if (!run.active && !(await configure())) return;
    changeState("training");
    showMessage("Training…");
    trainLoop();
  },
  pause() {
    if (state() !== "training") return;
    run.generation++;
    changeState("paused");
    showMessage("Paused. Resume continues the same run; Step runs one batch.");
  },
  resume() {
    if (state() !== "paused") return;
    if (!run.active) {
      changeState("ready");
      return;
    }
    changeState("training");
    showMessage("Training…");
    trainLoop();
  },
  async stop() {
    if (state() !== "training" && state() !== "paused") return;
    run.generation++;
    try {
      const r = await client.request("stop");
      const acc = r.test_accuracy != null ? ` Test accuracy ${(r.test_accuracy * 100).toFixed(2)} %.` : "";
      showMessage(`Stopped. The trained network keeps answering predictions.${acc}`);
    } catch (err) {
      if (client.dead) return;
      showMessage(err.message, "error");
    }
    run.active = false;
    run.completed++;
    changeState("ready");
  },
  async reset() {
    if (state() !== "ready" && state() !== "paused") return;
    run.generation++;
    // Same settings, same seed: the worker rebuilds the same initial weights.
    if (await configure()) showMessage("Reset: the network is back at its initial weights.");
    changeState("ready");
  },
  async step() {
    if (state() !== "ready" && state() !== "paused") return;
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
  preset(name) {
    if (state() !== "ready" || !registry) return;
    const { config } = readConfig(registry);
    const next = { ...config, ...PRESETS[name] };
    showConfig(registry, next);
    writeUrl(registry, next);
    run.active = false; // the next Train builds the preset's network
    showMessage(`"${name === "fast" ? "Fast" : "Tutorial"}" preset applied. Press Train.`);
  },
});

updateControls("loading");
start();
