// The runs: every training run since the page was opened, and those kept from earlier visits (saved_state.js),
// each with its settings, its curves (loss per slice, accuracy per epoch, the layers' statistics per slice),
// its best test accuracy and its speed. No DOM here: the charts, the "Runs" table and the layer view read it.
//
// A run is labelled by what differs from the newest run ("learning rate 0.01 → 0.003, activation sigmoid →
// relu"), with the settings' names and values exactly as the form shows them (settings.js).
import { FIELD_NAMES, formatValue } from "./settings.js";
import { deleteItem, loadItems, saveItem } from "./saved_state.js";

/** Runs kept; beyond this the oldest is dropped (the charts stay readable). */
export const MAX_RUNS = 12;
const KEY_PREFIX = "run:";
// Distinct, colour-blind-aware colours (Okabe-Ito, then a few more), each readable on white.
const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#6b7280", "#7c3aed",
  "#b91c1c", "#15803d", "#a16207", "#0e7490"];

// Each run is saved under a key of its own, made from when it started and a random part: two tabs that both
// number their next run "Run 4" still save two items (numbers are only names; a restore renumbers clashes).
const newRunKey = () =>
  `${KEY_PREFIX}${Date.now().toString(36).padStart(9, "0")}-${Math.random().toString(36).slice(2, 8)}`;

function emptyRun(id, color, config, layerSizes, kind) {
  return {
    id, key: newRunKey(), color, config, layerSizes, visible: true,
    kind, // "training" (a network trained from the form's settings) or "teaching" (My digits taught to a network)
    startedAt: Date.now(),
    status: "running", // running | finished | stopped | diverged
    seconds: 0, // training time (wall clock while the loop ran)
    samples: 0, // training samples seen
    loss: { epoch: [], samples: [], value: [] }, // one point per slice
    epochs: { epoch: [], samples: [], train: [], test: [] }, // one point per epoch
    layers: { epoch: [], samples: [], stats: [] }, // one point per slice when the layers are watched
    best: null, // {accuracy, epoch, seconds}: the best test accuracy and when it was reached
  };
}

export class RunHistory {
  /**
   * @param onChange (what) => void: "runs" when runs were added, removed, shown or hidden; "slice" when a run
   *   got a slice's points; "points" when it finished an epoch or ended
   * @param onStorageProblem (message) => void: saving or restoring failed (the runs still work in this tab)
   */
  constructor({ onChange, onStorageProblem }) {
    this.runs = []; // oldest first
    this.nextId = 1;
    this.onChange = onChange;
    this.onStorageProblem = onStorageProblem;
  }

  /** The newest run (the one the others are compared with), or null. */
  get current() {
    return this.runs.length ? this.runs[this.runs.length - 1] : null;
  }

  /** Bring back the runs saved by earlier visits (after the settings registry exists). */
  async restore() {
    let items;
    try {
      items = await loadItems(KEY_PREFIX);
    } catch (err) {
      this.onStorageProblem(err.message);
      return;
    }
    const known = new Set(this.runs.map((r) => r.key));
    const restored = items
      .filter((item) => item.value && Number.isInteger(item.value.id) && !known.has(item.key))
      .map((item) => ({ ...item.value, key: item.key }))
      .sort((a, b) => a.startedAt - b.startedAt);
    // Runs of other tabs may share a number: the later one gets the next free number (its saved item is its own).
    const used = new Set(this.runs.map((r) => r.id));
    for (const r of restored) {
      if (r.status === "running") r.status = "stopped"; // its tab went away mid-run
      if (used.has(r.id)) r.id = Math.max(...used, ...restored.map((q) => q.id)) + 1;
      used.add(r.id);
    }
    this.runs = [...restored, ...this.runs].sort((a, b) => a.id - b.id);
    this.nextId = Math.max(this.nextId, ...this.runs.map((r) => r.id + 1));
    this.onChange("runs");
  }

  /**
   * A new run with these settings and layer sizes; an empty newest run (nothing trained yet) is replaced.
   * `kind`: "training", or "teaching" for My digits taught to the network that answered (teaching.js).
   */
  start(config, layerSizes, kind = "training") {
    const newest = this.current;
    if (newest && newest.loss.value.length === 0 && newest.epochs.epoch.length === 0) this.remove(newest.id, false);
    while (this.runs.length >= MAX_RUNS) this.remove(this.runs[0].id, false);
    const used = new Set(this.runs.map((r) => r.color));
    const color = PALETTE.find((c) => !used.has(c)) || PALETTE[this.nextId % PALETTE.length];
    const run = emptyRun(this.nextId++, color, { ...config }, [...layerSizes], kind);
    this.runs.push(run);
    this.onChange("runs");
    return run;
  }

  /** One training slice of `run`: where it ended (epochs, samples seen, seconds) and its mean loss. */
  addSlice(run, { epoch, samples, seconds, loss, layerStats }) {
    run.samples = samples;
    run.seconds = seconds;
    if (Number.isFinite(loss)) {
      run.loss.epoch.push(epoch);
      run.loss.samples.push(samples);
      run.loss.value.push(loss);
    }
    if (layerStats) {
      run.layers.epoch.push(epoch);
      run.layers.samples.push(samples);
      run.layers.stats.push(layerStats);
    }
    this.onChange("slice");
  }

  /** One finished epoch of `run` (its history dict: epoch, train_accuracy, val_accuracy). */
  addEpoch(run, history, { samples, seconds }) {
    const test = history.val_accuracy ?? null;
    run.epochs.epoch.push(history.epoch);
    run.epochs.samples.push(samples);
    run.epochs.train.push(history.train_accuracy ?? null);
    run.epochs.test.push(test);
    if (test !== null && (!run.best || test > run.best.accuracy)) {
      run.best = { accuracy: test, epoch: history.epoch, seconds };
    }
    this.onChange("points");
    this.save(run);
  }

  /** The run ended: "finished", "stopped" or "diverged". */
  finish(run, status) {
    run.status = status;
    this.onChange("points");
    this.save(run);
  }

  /**
   * `run` goes on from where it had seen `samples` training samples after `seconds` (a run continued after a
   * reload): points recorded after that are dropped, and it is running again.
   */
  continueFrom(run, { samples, seconds }) {
    const keep = (series, keys) => {
      const n = series.samples.findIndex((s) => s > samples);
      if (n >= 0) for (const key of keys) series[key].length = n;
    };
    keep(run.loss, ["epoch", "samples", "value"]);
    keep(run.epochs, ["epoch", "samples", "train", "test"]);
    keep(run.layers, ["epoch", "samples", "stats"]);
    Object.assign(run, { samples, seconds, status: "running" });
    if (run.best && !run.epochs.epoch.includes(run.best.epoch)) run.best = null; // reached after `samples`
    this.onChange("runs");
  }

  remove(id, announce = true) {
    const index = this.runs.findIndex((r) => r.id === id);
    if (index < 0) return;
    const [run] = this.runs.splice(index, 1);
    deleteItem(run.key).catch((err) => this.onStorageProblem(err.message));
    if (announce) this.onChange("runs");
  }

  /** Remove every run that has ended, here and from this browser's storage (Forget); a run going on stays. */
  forgetEnded() {
    const ended = this.runs.filter((r) => r.status !== "running");
    for (const r of ended) this.remove(r.id, false);
    if (ended.length) this.onChange("runs");
  }

  setVisible(id, visible) {
    const run = this.runs.find((r) => r.id === id);
    if (!run || run.visible === visible) return;
    run.visible = visible;
    this.onChange("runs");
    this.save(run);
  }

  save(run) {
    if (!this.runs.includes(run)) return; // deleted meanwhile
    saveItem(run.key, run).catch((err) => this.onStorageProblem(err.message));
  }

  /**
   * What differs between `run`'s settings and the newest run's, as ["learning rate 0.01 → 0.003", ...]
   * (this run's value first), in the form's order. Empty for the newest run itself or identical settings.
   * @param registry the settings registry (labels and how values are written)
   */
  differences(run, registry) {
    const current = this.current;
    if (!current || current === run || !registry) return [];
    const text = (name, value) => (value === null || value === undefined ? "none"
      : formatValue(registry[name], value) + (registry[name].type === "fraction" ? " %" : ""));
    const out = [];
    for (const name of FIELD_NAMES) {
      const a = text(name, run.config[name]);
      const b = text(name, current.config[name]);
      if (a !== b) out.push(`${registry[name].label.toLowerCase()} ${a} → ${b}`);
    }
    return out;
  }
}

/** A run's settings in a line: "784-32-24-10 relu, cross_entropy, adam 0.003, batch 64, 3000 samples, 2 epochs, seed 1". */
export function describeRun(run) {
  const c = run.config;
  if (run.kind === "teaching") {
    return `${run.layerSizes.join("-")} taught My digits: ${Math.round(c.replay_share * 100)} % MNIST, ` +
      `${c.teach_batches} batches, adam ${c.teach_learning_rate}`;
  }
  return `${run.layerSizes.join("-")} ${c.activation}, ${c.loss}, ${c.solver} ${c.learning_rate}, ` +
    `batch ${c.batch_size}, ${c.train_samples} samples, ${c.epochs} epochs, seed ${c.random_state}`;
}

/** Run `run`'s name: "Run 3". */
export const runName = (run) => `Run ${run.id}`;

/** A short label for legends: "this run" for the newest, else what differs (at most `most` of them). */
export function runLabel(history, run, registry, most = 3) {
  if (run === history.current) return "this run";
  const diffs = history.differences(run, registry);
  if (diffs.length === 0) return "same settings";
  const shown = diffs.slice(0, most).join(", ");
  return diffs.length > most ? `${shown} and ${diffs.length - most} more` : shown;
}

/** Exponential moving average with bias correction (TensorBoard's smoothing): `weight` in [0, 1). */
export function smoothed(values, weight) {
  const out = new Array(values.length);
  let average = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    average = weight * average + (1 - weight) * values[i];
    norm = weight * norm + (1 - weight);
    out[i] = average / norm;
  }
  return out;
}
