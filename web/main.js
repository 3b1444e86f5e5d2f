// The page's one wiring module. It reads like a script: start the worker, load, build the settings form from
// the table Python sends, then let each part of the page react to the bus.
//
// Events on `bus`: "state" (setAppState), "ready" {load reply} (a fresh worker has loaded), "epoch" {history}
// (training.js), "model-changed" {name, layer_sizes?} (training.js on a run's first slice, model_files.js
// after an import).
import { WorkerClient, withoutErrorClass } from "./protocol.js";
import { LoadingPanel } from "./loading.js";
import { TrainingCharts } from "./charts.js";
import { setAppState } from "./app_state.js";
import { PRESETS, TEST_HOOKS_FLAG, buildRegistry, defaults, formatValue, readUrl, writeUrl } from "./settings.js";
import { buildForm, showConfig, watchFields } from "./settings_form.js";
import { createTraining, showMessage } from "./training.js";
import { createPrediction } from "./prediction.js";
import { createInspection } from "./inspection.js";
import { createModelFiles } from "./model_files.js";
import { createWorkerRecovery } from "./worker_recovery.js";
import { createBusyTask } from "./busy_task.js";

const $ = (id) => document.getElementById(id);
const bus = new EventTarget();

// ?test-hooks in the page's URL (tests only) is passed on to the worker, which then accepts "debug_crash".
const testHooks = new URLSearchParams(window.location.search).has(TEST_HOOKS_FLAG);
const workerUrl = new URL("./worker.js", import.meta.url);
if (testHooks) workerUrl.search = TEST_HOOKS_FLAG;
const client = new WorkerClient(() => new Worker(workerUrl, { type: "module" }));
const loading = new LoadingPanel($("loading"));

let charts = null;
let chartsError = null;
try {
  charts = new TrainingCharts($("chart-loss"), $("chart-accuracy"), $("previous-run"));
} catch (err) {
  chartsError = err; // the page still trains; the read-outs still move
  console.error("charts unavailable", err);
}

let registry = null; // the settings registry, from the first "load" reply
const recovery = createWorkerRecovery({ client, bus, load: start });
const training = createTraining({
  client, bus, charts, registry: () => registry, cancel: (reason) => recovery.restartAndRestore(reason),
});
const prediction = createPrediction({ client, bus });
const inspection = createInspection({ client, bus, onLoadIntoCanvas: prediction.loadDigit });
createModelFiles({ client, bus });
createBusyTask({
  client,
  elements: { box: $("busy"), text: $("busy-text"), cancelButton: $("btn-cancel-task"), message: $("task-message") },
  cancel: (reason) => recovery.restartAndRestore(reason),
});

// --- start-up ---------------------------------------------------------------------------------------------

function showNotice(lines) {
  const el = $("notice");
  el.hidden = lines.length === 0;
  el.textContent = lines.length === 0 ? ""
    : `Some settings in the link were not valid and were replaced by defaults — ${lines.join("; ")}.`;
}

/**
 * Build the form from the table, then fill it: defaults, the Fast preset, then what the link says. Python checks
 * the link's settings too (each one, then the network they make against the tab's memory): a setting it refuses
 * is left out and reported like one the page's own parser refused.
 */
async function setUpSettings(table) {
  registry = buildRegistry(table);
  buildForm($("settings"), registry);
  watchFields(registry, training.fieldChanged);
  // A fixed default seed, so that a shared link and Reset reproduce the same initial weights.
  const base = { ...defaults(registry), ...PRESETS.fast };
  if (base.random_state == null) base.random_state = 1;
  const { values, problems } = readUrl(registry);
  try {
    const checked = await client.request("check_settings", { config: { ...base, ...values } });
    for (const [name, message] of Object.entries(checked.problems)) {
      if (!(name in values)) continue; // a default cannot be wrong; the link's value made it so
      problems.push(`${name}=${formatValue(registry[name], values[name])}: ${withoutErrorClass(message).replace(`${name}: `, "")}`);
      delete values[name];
    }
  } catch (err) {
    console.error("the link's settings could not be checked by Python", err); // the form still checks on Train
  }
  showConfig(registry, { ...base, ...values });
  showNotice(problems);
  writeUrl(registry, { ...base, ...values });
}

async function start() {
  setAppState(bus, "loading");
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
    setAppState(bus, "error");
    return null;
  } finally {
    unsubscribe();
  }
  const v = info.versions;
  $("versions").textContent = `Running in this tab: Python ${v.python} · NumPy ${v.numpy} · nn_impl ${v.nn_impl}`;
  if (registry === null) await setUpSettings(info.params); // after a restart the form keeps what was typed
  loading.finish();
  setAppState(bus, "ready");
  bus.dispatchEvent(new CustomEvent("ready", { detail: info }));
  if (chartsError) showMessage(`Charts could not start (${chartsError.message}); the numbers below still update.`);
  return info;
}

bus.addEventListener("worker-restarting", () => {
  $("fault").hidden = true;
  training.abandon();
});
const restart = () => recovery.restartAndRestore("restarted on request");
$("retry").addEventListener("click", restart);
$("restart-worker").addEventListener("click", restart);

client.on("dead", (m) => {
  training.abandon();
  $("fault-text").textContent =
    `The Python worker stopped (${m.message}). Your settings are kept; restart it to continue.`;
  $("fault").hidden = false;
  setAppState(bus, "error");
});

// --- the tests' and benchmarks' one window on the page: read-only, every getter returns a copy ---------------

window.nnImplTestHook = Object.freeze({
  /** runs that ended (finished, diverged, stopped, failed or refused) since the page opened */
  runsCompleted: () => training.runsCompleted(),
  /** {inFlight, most}: training slices awaiting their answer now, and the most at once since the page opened */
  trainSlices: () => training.slices(),
  /** the epoch number of every epoch reported since the page opened */
  epochsSeen: () => training.epochsSeen(),
  /** points drawn for the current run {loss, epochs}, and the previous run's loss points (0 if none) */
  chartPoints: () => (charts ? { ...charts.points, previousLoss: charts.previous ? charts.previous.lossX.length : 0 }
    : { loss: 0, epochs: 0, previousLoss: 0 }),
  /** {count, version, shown, inFlight, wanted, strokePending, timings (ms, stroke end -> bars), padEmpty} */
  predictions: () => prediction.snapshot(),
  /** {count, running}: inspect replies shown, and whether one is on its way */
  inspections: () => inspection.snapshot(),
  /** the explorer's predictions {pred: number[], proba: number[] (n × classes, flat)}, or null */
  explorerPredictions: () => inspection.explorerPredictions(),
});

start();
