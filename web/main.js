// The page's one wiring module. It reads like a script: take the worker (python_worker.js started it), load, build the settings form from
// the table Python sends, then let each part of the page react to the bus.
//
// Events on `bus`: "state" (setAppState), "ready" {load reply} (a fresh worker has loaded), "epoch" {history}
// (training.js), "model-changed" {name, layer_sizes?} (training.js on a run's first slice, model_files.js
// after an import, worker_recovery.js after a restore, saved_work.js after Forget), "model-kept" {kept}
// (worker_recovery.js), "picture-changed" {reason} (prediction.js), "saved-work-forgotten" (saved_work.js).
import { WorkerClient, withoutErrorClass } from "./protocol.js";
import { createPythonWorker } from "./python_worker.js";
import { LoadingPanel } from "./loading.js";
import { TrainingCharts } from "./charts.js";
import { RunHistory, runName } from "./runs.js";
import { RunsTable } from "./runs_table.js";
import { LayerView } from "./layer_view.js";
import { applyLesson, createLessonEditor } from "./lesson.js";
import { appState, setAppState, workerUsable } from "./app_state.js";
import { describeModel } from "./answering.js";
import {
  FIELD_NAMES, PRESETS, TEACHING_FIELDS, buildRegistry, defaults, formatValue, readUrl, writeUrl,
} from "./settings.js";
import { buildForm, showConfig, watchFields } from "./settings_form.js";
import { createTraining, showMessage } from "./training.js";
import { createPrediction } from "./prediction.js";
import { createInspection } from "./inspection.js";
import { createModelFiles } from "./model_files.js";
import { createOfflineCopy } from "./offline_copy.js";
import { createLearn } from "./learn.js";
import { createReproduce } from "./reproduce.js";
import { createWorkerRecovery } from "./worker_recovery.js";
import { createBusyTask } from "./busy_task.js";
import { createSavedWork } from "./saved_work.js";
import { createInterruptedRun } from "./interrupted_run.js";
import { MyDigits, createGallery } from "./my_digits.js";
import { createCollect } from "./collect.js";
import { createTeaching } from "./teaching.js";
import { createDigitFiles } from "./digit_files.js";

const $ = (id) => document.getElementById(id);
const bus = new EventTarget();

const client = new WorkerClient(createPythonWorker);
const loading = new LoadingPanel($("loading"));

let registry = null; // the settings registry, from the first "load" reply
let savedWork = null; // what this browser keeps of the visitor's work, and the line that says so

// Every run, its charts, the "Runs" table and the layers' view; the charts redraw on the runs' changes.
let charts = null;
let chartsError = null;
let layers = null;
let runsTable = null;
const runs = new RunHistory({
  onChange: (what) => {
    if (what !== "slice" && savedWork) savedWork.runsChanged();
    if (what === "runs") {
      if (charts) charts.rebuild();
      if (layers) layers.runsChanged();
      if (runsTable) runsTable.render();
    } else {
      if (charts) charts.update();
      if (layers) layers.update();
      // the table's rows are rebuilt once an epoch, not with every slice: a button pressed meanwhile stays put
      if (runsTable && what === "points") runsTable.update();
    }
  },
  onStorageProblem: (message) => savedWork && savedWork.couldNotKeep("the runs", message),
});
try {
  charts = new TrainingCharts(runs, { loss: $("chart-loss"), accuracy: $("chart-accuracy"), legend: $("run-legend"),
    xAxis: $("chart-x-axis"), logLoss: $("chart-log-loss") }, () => registry);
  layers = new LayerView(runs, { chart: $("chart-layers"), table: $("layer-stats"), watch: $("layers-watch"),
    statistic: $("layers-statistic"), run: $("layers-run"), hint: $("layers-hint"), xAxis: $("chart-x-axis") });
} catch (err) {
  chartsError = err; // the page still trains; the read-outs still move
  console.error("charts unavailable", err);
}

// My digits: the learner's own labelled digits, kept in the browser (the gallery, collecting and teaching below)
const myDigits = new MyDigits((message) => { $("my-digits-message").textContent = message; });
let teaching = null;

const recovery = createWorkerRecovery({ client, bus, load: start });
const training = createTraining({
  client, bus, runs, registry: () => registry, watchLayers: () => (layers ? layers.watching : false),
  cancel: (reason) => recovery.restartAndRestore(reason),
  beforeConfigure: () => teaching.sendDigits(), // a run's Training data may include them
});
runsTable = new RunsTable($("runs-table"), runs, () => registry,
  (run) => training.trainAgain(run.config, runName(run)));
const prediction = createPrediction({ client, bus });
savedWork = createSavedWork({ bus, recovery, prediction, runs,
  elements: { box: $("kept"), text: $("kept-text"), forgetButton: $("btn-forget") } });
// "Learn how it works" runs its own Python (cells_worker.js), started on first use; the explorer opens its step
// view on a test image (learn.showTrainingStep).
const learn = createLearn(bus);
const inspection = createInspection({
  client, bus, onLoadIntoCanvas: prediction.loadDigit,
  onShowTrainingStep: (index) => learn.showTrainingStep({ testImage: index }),
});
createModelFiles({ client, bus });
// a run interrupted by a reload: kept while it goes on, offered again on the next visit
const interruptedRun = createInterruptedRun({ client, bus, runs, training, elements: { box: $("interrupted-run"),
  text: $("interrupted-run-text"), continueButton: $("btn-continue-run"), discardButton: $("btn-discard-run") },
  beforeResume: () => teaching.sendDigits() });
createGallery({ digits: myDigits, elements: {
  gallery: $("my-digits-gallery"), summary: $("my-digits-summary"), heading: $("my-digits-heading"),
  clearButton: $("btn-clear-digits"), confirmBox: $("clear-digits-confirm"), confirmText: $("clear-digits-text"),
  confirmYes: $("btn-clear-digits-yes"), confirmNo: $("btn-clear-digits-no") } });
createCollect({ bus, digits: myDigits, prediction,
  elements: { buttons: $("collect-buttons"), pad: $("pad-column"), message: $("collect-message") } });
teaching = createTeaching({ client, bus, digits: myDigits, training, registry: () => registry, elements: {
  teachButton: $("btn-teach"), undoButton: $("btn-undo-teach"), message: $("teach-message"), result: $("teach-result"),
  mineLabel: $("teach-mine-label"), mineBefore: $("teach-mine-before"), mineAfter: $("teach-mine-after"),
  mnistBefore: $("teach-mnist-before"), mnistAfter: $("teach-mnist-after"), explanation: $("teach-explanation") } });
createDigitFiles({ client, bus, digits: myDigits, elements: {
  exportButton: $("btn-export-digits"), importInput: $("import-digits"), message: $("digit-files-message"),
  review: $("import-review"), reviewText: $("import-review-text"), problems: $("import-problems"),
  addGood: $("btn-import-good"), addNothing: $("btn-import-nothing") } });
const digitsRestored = myDigits.restore();
// another tab may have added or removed digits meanwhile: the browser's copy is the truth
document.addEventListener("visibilitychange", () => { if (!document.hidden) myDigits.restore(); });
// this build's build-info.json: download sizes for the loading list, the build id for the offline copy
const buildInfo = fetch(new URL("./build-info.json", import.meta.url))
  .then((r) => (r.ok ? r.json() : null))
  .catch(() => null); // sizes are a courtesy; without a build id the page simply keeps no offline copy
const offlineCopy = createOfflineCopy({ status: $("offline-status"), buildInfo });
$("load-source").textContent = offlineCopy.loadedFrom === "offline copy"
  ? "From the copy of this page saved on this device (no network needed)." : "";
bus.addEventListener("ready", () => offlineCopy.start(), { once: true });
createReproduce({ client, bus, registry: () => registry });
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
  buildForm($("settings"), registry, FIELD_NAMES.filter((name) => !TEACHING_FIELDS.includes(name)));
  buildForm($("teach-settings"), registry, TEACHING_FIELDS);
  watchFields(registry, training.fieldChanged);
  // A fixed default seed, so that a shared link and Reset reproduce the same initial weights.
  const base = { ...defaults(registry), ...PRESETS.fast };
  if (base.random_state == null) base.random_state = 1;
  const { values, problems, lesson } = readUrl(registry);
  try {
    await digitsRestored;
    await teaching.sendDigits(); // the link's Training data is checked against them
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
  applyLesson(registry, lesson);
  createLessonEditor(registry, lesson);
  if (lesson.stage !== null) {
    // once the page is ready: the learning view's own Python starts after the page's
    bus.addEventListener("ready", () => learn.showTrainingStep({ stage: lesson.stage - 1 }), { once: true });
  }
  writeUrl(registry, { ...base, ...values });
  await runs.restore(); // the runs of earlier visits (an interrupted run continues its record), now labelled
}

let versions = null;
/** The "Runtime versions" line; `products` names what computes the matrix products (nn_impl.matmul). */
function showVersions(v, products = `${v.products}, until the fast kernel has loaded`) {
  versions = v;
  $("versions").textContent = `Running in this tab: Python ${v.python} · NumPy ${v.numpy} · nn_impl ${v.nn_impl}` +
    ` · matrix products: ${products}`;
}
// The worker loads the SIMD kernel (else OpenBLAS) after "ready" and says which computes the products from then on.
client.on("kernel", (m) => {
  if (!versions) return;
  showVersions(versions, m.products);
  if (m.failed) showMessage(`The fast matrix products could not be loaded (${m.failed}); training uses ${m.products}, slower.`, "error");
});

async function start() {
  setAppState(bus, "loading");
  loading.reset();
  const unsubscribe = client.on("stage", (m) => loading.update(m));
  buildInfo.then((info) => loading.showSizes(info));
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
  showVersions(info.versions);
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

// A worker that dies (out of memory, a crash) is restarted with the network that answered, and that is said;
// one that dies while loading or again soon after is left stopped, with the fault box's Restart button.
client.on("dead", async (m) => {
  const wasUsable = workerUsable();
  training.abandon();
  setAppState(bus, "error");
  if (wasUsable) showMessage(`The Python worker stopped (${m.message}); restarting it…`, "error");
  const name = await recovery.restartAfterCrash(m.message, wasUsable).catch(() => null); // died again: below
  if (name !== null) {
    showMessage(`The Python worker stopped (${m.message}) and was restarted: ${describeModel({ model: name })} ` +
      "answers again. A run that was going on has ended.", "error");
    return;
  }
  if (appState() !== "error") { // restarted, but the restore failed
    showMessage(`The Python worker stopped (${m.message}) and was restarted, but the network that answered could ` +
      "not be restored.", "error");
    return;
  }
  $("fault-text").textContent =
    `The Python worker stopped (${m.message}). Your settings are kept; restart it to continue.`;
  $("fault").hidden = false;
});

// --- the tests' and benchmarks' one window on the page: read-only, every getter returns a copy ---------------

window.nnImplTestHook = Object.freeze({
  /** runs that ended (finished, diverged, stopped, failed or refused) since the page opened */
  runsCompleted: () => training.runsCompleted(),
  /** {inFlight, most}: training slices awaiting their answer now, and the most at once since the page opened */
  trainSlices: () => training.slices(),
  /** the epoch number of every epoch reported since the page opened */
  epochsSeen: () => training.epochsSeen(),
  /** points of the newest run {loss, epochs}, the previous run's loss points (0 if none), and the charts'
   * runsShown, xAxis ("epochs" | "samples"), xMax (the x scale's end) and logLoss */
  chartPoints: () => (charts ? charts.points : { loss: 0, epochs: 0, previousLoss: 0 }),
  /** {count, version, shown, inFlight, wanted, strokePending, timings (ms, stroke end -> bars), padEmpty} */
  predictions: () => prediction.snapshot(),
  /** {count, running}: inspect replies shown, and whether one is on its way */
  inspections: () => inspection.snapshot(),
  /** the explorer's predictions {pred: number[], proba: number[] (n × classes, flat)}, or null */
  explorerPredictions: () => inspection.explorerPredictions(),
  /** {saves, savedSamples, offered, refused, lastCost}: the interrupted run's checkpoints kept; whether one is offered */
  interruptedRun: () => interruptedRun.snapshot(),
  /** the step view's numbers as Python sent them {seed, index, stage, output, target, loss, ...}, or null */
  trainingStep: () => learn.stepSnapshot(),
  /** ms each stage change of the step view took to render */
  stepRenderTimes: () => learn.stepTimings(),
});

start();
