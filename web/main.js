// The page's one wiring module. It reads like a script: start the worker, load, build the settings form from
// the table Python sends, then let each part of the page react to the bus.
//
// Events on `bus`: "state" (setAppState), "ready" {load reply} (a fresh worker has loaded), "epoch" {history}
// (training.js), "model-changed" {name, layer_sizes?} (training.js on a run's first slice, model_files.js
// after an import).
import { WorkerClient } from "./protocol.js";
import { LoadingPanel } from "./loading.js";
import { TrainingCharts } from "./charts.js";
import { setAppState } from "./app_state.js";
import { PRESETS, TEST_HOOKS_FLAG, buildRegistry, defaults, readUrl, writeUrl } from "./settings.js";
import { buildForm, showConfig, watchFields } from "./settings_form.js";
import { createTraining, showMessage } from "./training.js";
import { createPrediction } from "./prediction.js";
import { createInspection } from "./inspection.js";
import { createModelFiles } from "./model_files.js";

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
const training = createTraining({ client, bus, charts, registry: () => registry });
const prediction = createPrediction({ client, bus });
const inspection = createInspection({ client, bus, onLoadIntoCanvas: prediction.loadDigit });
createModelFiles({ client, bus });

// --- start-up ---------------------------------------------------------------------------------------------

function showNotice(lines) {
  const el = $("notice");
  el.hidden = lines.length === 0;
  el.textContent = lines.length === 0 ? ""
    : `Some settings in the link were not valid and were replaced by defaults — ${lines.join("; ")}.`;
}

/** Build the form from the table, then fill it: defaults, the Fast preset, then what the link says. */
function setUpSettings(table) {
  registry = buildRegistry(table);
  buildForm($("settings"), registry);
  watchFields(registry, training.fieldChanged);
  // A fixed default seed, so that a shared link and Reset reproduce the same initial weights.
  const base = { ...defaults(registry), ...PRESETS.fast };
  if (base.random_state == null) base.random_state = 1;
  const { values, problems } = readUrl(registry);
  showConfig(registry, { ...base, ...values });
  showNotice(problems);
  writeUrl(registry, { ...base, ...values });
}

let versions = null;
/** The "Runtime versions" line; `products` names what computes the matrix products (nn_impl.matmul). */
function showVersions(v, products = `${v.products}, until OpenBLAS has loaded`) {
  versions = v;
  $("versions").textContent = `Running in this tab: Python ${v.python} · NumPy ${v.numpy} · nn_impl ${v.nn_impl}` +
    ` · matrix products: ${products}`;
}
// The worker loads OpenBLAS after "ready" and says which kernel computes the products from then on.
client.on("kernel", (m) => {
  if (!versions) return;
  showVersions(versions, m.products);
  if (m.failed) showMessage(`OpenBLAS could not be loaded (${m.failed}); training uses einsum, slower.`, "error");
});

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
    return;
  } finally {
    unsubscribe();
  }
  showVersions(info.versions);
  if (registry === null) setUpSettings(info.params); // after a restart the form keeps what was typed
  loading.finish();
  setAppState(bus, "ready");
  bus.dispatchEvent(new CustomEvent("ready", { detail: info }));
  if (chartsError) showMessage(`Charts could not start (${chartsError.message}); the numbers below still update.`);
}

function restart() {
  $("fault").hidden = true;
  training.abandon();
  client.restart();
  start();
}
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
