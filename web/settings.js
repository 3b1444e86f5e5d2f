// The training settings: which ones the form shows (FIELD_NAMES, the one list of them), the presets, and the
// registry built from the table Python exports (nn_impl.params.as_json(n_train), sent in the "load" reply).
// Everything a setting is -- label, default, type, limits, help, whether it may change during a run -- comes
// from that table; this module only turns text into values and back, for the form and for the URL.

import { STAGES } from "./step_stages.js";
import { TEST_HOOKS_FLAG } from "./python_worker.js";

// The settings the form shows, in order (names of nn_impl.params.TABLE and PAGE_TABLE).
export const FIELD_NAMES = [
  "hidden_layer_sizes", "activation", "loss", "solver", "learning_rate", "batch_size", "epochs",
  "train_samples", "training_data", "init", "input_scaling", "schedule", "random_state", "stop_accuracy",
  "replay_share", "teach_batches", "teach_learning_rate",
];
// Those of teaching My digits (nn_impl.params.TEACHING_TABLE): their fields sit by "Teach the network my digits",
// the "teach" request takes them, and "configure" does not.
export const TEACHING_FIELDS = ["replay_share", "teach_batches", "teach_learning_rate"];

/** The settings of a training run in `config` (what "configure" and "reproduce" take): all but the teaching ones. */
export const runSettings = (config) =>
  Object.fromEntries(Object.entries(config).filter(([name]) => !TEACHING_FIELDS.includes(name)));

// Presets set only the settings they name; the rest keep their current values.
export const PRESETS = {
  // The tutorial's network and training, exactly: 784-32-24-10 sigmoid units, MSE on sigmoid outputs,
  // plain SGD at 0.01, one sample per step, weights from U(-0.1, 0.1), pixels scaled to x/128 - 0.5.
  tutorial: {
    hidden_layer_sizes: [32, 24], activation: "sigmoid", loss: "mse", solver: "sgd", learning_rate: 0.01,
    batch_size: 1, epochs: 10, init: "tutorial", input_scaling: "tutorial", schedule: "constant",
    stop_accuracy: null,
  },
  // The tutorial's own 784-32-24-10 network, trained the modern way: ReLU, softmax cross-entropy, Adam with a
  // cosine decay, mini-batches of 64. Measured with bench/bench_web.py: it passes the tutorial's 94.57 % test
  // accuracy well within 30 s of pressing Train. We kept the small net on purpose: in the tab the first layer's
  // matrix products dominate (Pyodide's NumPy has no optimised BLAS), so a 64- or 100-unit layer halves the
  // samples/s and falls behind TensorFlow.js, while 32-24 is about twice as fast as TF.js on the same net.
  fast: {
    hidden_layer_sizes: [32, 24], activation: "relu", loss: "cross_entropy", solver: "adam", learning_rate: 0.003,
    batch_size: 64, epochs: 10, init: "auto", input_scaling: "unit", schedule: "cosine", stop_accuracy: null,
  },
};

// The keys of every entry of the exported table (nn_impl.params.EXPORTED_KEYS), and its types.
const ENTRY_KEYS = [
  "label", "type", "default", "help", "nullable", "live", "page_only", "choices",
  "min", "max", "min_exclusive", "max_exclusive", "min_length", "max_length",
];
const TYPES = ["int", "float", "fraction", "str", "bool", "int_tuple"];

// What a lesson link may fix besides the settings' values (as TensorFlow Playground's HIDABLE_CONTROLS): "lock"
// names settings of FIELD_NAMES whose fields cannot be edited, "hide" names sections of the page (their ids)
// that are not shown. `#learning_rate=0.01&lock=activation,loss&hide=predict` is such a link.
export const HIDABLE_SECTIONS = {
  runs: "Runs", layers: "Inside the network", predict: "Draw and predict", inspect: "Inspect the model",
  carry: "Carry the model", learn: "Learn how it works",
};
const LESSON_KEYS = { lock: FIELD_NAMES, hide: Object.keys(HIDABLE_SECTIONS) };
// A lesson may also open "One training step, taken apart" at one of its stages: `stage=3` (counted from 1, as the
// step view shows it).
export const STAGE_KEY = "stage";
const NO_LESSON = Object.freeze({ lock: [], hide: [], stage: null });
let lesson = NO_LESSON; // the lesson the page was opened with (writeUrl keeps it in the link)

/**
 * The page's registry from the exported table (a JSON string): {name: entry}, each entry exactly as
 * nn_impl.params exports it plus its name. A table in any other shape is an error, not something to guess at.
 */
export function buildRegistry(tableJson) {
  const table = JSON.parse(tableJson);
  const registry = {};
  for (const [name, entry] of Object.entries(table)) {
    const keys = Object.keys(entry);
    if (keys.length !== ENTRY_KEYS.length || !ENTRY_KEYS.every((k) => keys.includes(k))) {
      throw new Error(`parameter table: ${name} has keys ${keys.join(", ")}; expected ${ENTRY_KEYS.join(", ")}`);
    }
    if (!TYPES.includes(entry.type)) throw new Error(`parameter table: ${name} has unknown type ${entry.type}`);
    registry[name] = Object.freeze({ name, ...entry });
  }
  for (const name of FIELD_NAMES) {
    if (!registry[name]) throw new Error(`parameter table: no entry for the form's field ${name}`);
  }
  return Object.freeze(registry);
}

/** The default value of every setting the form shows. */
export function defaults(registry) {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, registry[name].default]));
}

// --- values <-> text --------------------------------------------------------------------------------------

// A fraction is shown and typed as a percentage.
const shown = (spec, x) => (spec.type === "fraction" ? Math.round(x * 1e6) / 1e4 : x);
const unit = (spec) => (spec.type === "fraction" ? " %" : "");

/** The text a field shows for a value. */
export function formatValue(spec, value) {
  if (value === null || value === undefined) return "";
  if (spec.type === "int_tuple") return value.join(", ");
  return String(shown(spec, value));
}

/** Why `x` is outside the entry's range (min/max, each inclusive or exclusive), or null. */
function rangeError(spec, x, what = "") {
  if (spec.min !== null && (spec.min_exclusive ? x <= spec.min : x < spec.min)) {
    return `${what}must be ${spec.min_exclusive ? "greater than" : "at least"} ${shown(spec, spec.min)}${unit(spec)}`;
  }
  if (spec.max !== null && (spec.max_exclusive ? x >= spec.max : x > spec.max)) {
    return `${what}must be ${spec.max_exclusive ? "less than" : "at most"} ${shown(spec, spec.max)}${unit(spec)}`;
  }
  return null;
}

const checked = (spec, x) => {
  const error = rangeError(spec, x);
  return error ? { error } : { value: x };
};

/**
 * Parse what a person typed (or what the URL says) for one setting, with the table's rules.
 * Returns {value} or {error: "a sentence saying what is wrong and what is allowed"}.
 */
export function parseValue(spec, text) {
  const t = String(text ?? "").trim();
  if (spec.type === "int_tuple") return parseLayers(spec, t);
  if (t === "" || t.toLowerCase() === "none" || t.toLowerCase() === "off") {
    return spec.nullable ? { value: null } : { error: "is required" };
  }
  if (spec.choices !== null) {
    const match = spec.choices.find((c) => String(c) === t);
    return match === undefined ? { error: `must be one of: ${spec.choices.join(", ")}` } : { value: match };
  }
  switch (spec.type) {
    case "int":
      return /^[+-]?\d+$/.test(t) ? checked(spec, Number(t)) : { error: "must be a whole number" };
    case "float": {
      const x = Number(t);
      return Number.isFinite(x) ? checked(spec, x) : { error: "must be a number, e.g. 0.001 or 1e-3" };
    }
    case "fraction": {
      const x = Number(t.replace(/%$/, ""));
      return Number.isFinite(x) ? checked(spec, x / 100) : { error: "must be a percentage, e.g. 95" };
    }
    case "bool":
      if (t === "true" || t === "false") return { value: t === "true" };
      return { error: "must be true or false" };
    default:
      return { value: t };
  }
}

/** Layer sizes: "32, 24" -> [32, 24]; "" -> [] (no hidden layer). */
function parseLayers(spec, t) {
  const parts = t.split(/[\s,;]+/).filter(Boolean);
  const sizes = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return { error: `"${p}" is not a whole number; write sizes like 32, 24` };
    const error = rangeError(spec, Number(p), "each layer ");
    if (error) return { error };
    sizes.push(Number(p));
  }
  if (sizes.length < spec.min_length || sizes.length > spec.max_length) {
    return { error: `${spec.min_length} to ${spec.max_length} hidden layers, got ${sizes.length}` };
  }
  return { value: sizes };
}

// --- the URL ----------------------------------------------------------------------------------------------

/**
 * Read settings from the URL (the hash, or else the query string): `#activation=relu&learning_rate=0.01`.
 * Returns {values: {name: value}, problems: ["learning_rate=abc: must be a number ..."], lesson: {lock: [names],
 * hide: [section ids]}}; a bad or unknown entry is left out (the caller keeps the default) and reported.
 */
export function readUrl(registry, location = window.location) {
  const text = location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1);
  const values = {};
  const problems = [];
  const found = { lock: [], hide: [], stage: null };
  for (const [name, raw] of new URLSearchParams(text)) {
    if (name === TEST_HOOKS_FLAG) continue;
    if (name === STAGE_KEY) {
      const stage = Number(raw);
      if (raw.trim() !== "" && Number.isInteger(stage) && stage >= 1 && stage <= STAGES.length) found.stage = stage;
      else problems.push(`${name}=${raw}: the training step has stages 1 to ${STAGES.length}`);
      continue;
    }
    if (name in LESSON_KEYS) {
      for (const item of raw.split(",").map((t) => t.trim()).filter(Boolean)) {
        if (LESSON_KEYS[name].includes(item)) found[name].push(item);
        else problems.push(`${name}=${item}: not one of ${LESSON_KEYS[name].join(", ")}`);
      }
      continue;
    }
    if (!FIELD_NAMES.includes(name)) {
      problems.push(`${name}: not a setting of this page`);
      continue;
    }
    const parsed = parseValue(registry[name], raw);
    if (parsed.error) problems.push(`${name}=${raw}: ${parsed.error}`);
    else values[name] = parsed.value;
  }
  if (found.stage !== null && found.hide.includes("learn")) {
    problems.push(`${STAGE_KEY}=${found.stage}: the lesson hides ${HIDABLE_SECTIONS.learn}, where the stages are`);
    found.stage = null;
  }
  return { values, problems, lesson: found };
}

/** The lesson the page follows from now on ({lock: [...], hide: [...], stage}): writeUrl keeps it in the link. */
export function setLesson(value) {
  lesson = { lock: [...value.lock], hide: [...value.hide], stage: value.stage ?? null };
}

/** The link's hash for these settings and this lesson: "#activation=relu&...&lock=loss&hide=predict&stage=3". */
export function settingsHash(registry, config, withLesson = lesson) {
  const params = new URLSearchParams();
  for (const name of FIELD_NAMES) {
    if (config[name] === undefined) continue;
    const value = config[name];
    params.set(name, registry[name].type === "int_tuple" ? value.join(",") : formatValue(registry[name], value));
  }
  for (const key of Object.keys(LESSON_KEYS)) if (withLesson[key].length) params.set(key, withLesson[key].join(","));
  if (withLesson.stage != null) params.set(STAGE_KEY, String(withLesson.stage));
  return "#" + params.toString().replace(/%2C/g, ",");
}

/**
 * Put the settings into the URL's hash (replacing history, so Back still leaves the page). Settings given in the
 * query string move to the hash: the address bar then holds only the settings in use, never a refused one.
 */
export function writeUrl(registry, config) {
  const hash = settingsHash(registry, config);
  const search = new URLSearchParams(window.location.search).has(TEST_HOOKS_FLAG) ? `?${TEST_HOOKS_FLAG}` : "";
  if (window.location.hash !== hash || window.location.search !== search) {
    history.replaceState(null, "", window.location.pathname + search + hash);
  }
}
