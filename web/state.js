// The app's state: which phase the page is in (on <body data-state>), and the training settings, described
// by ONE registry that comes from Python (nn_impl.params.as_json(), fetched from the worker after load) plus
// the two page-only settings below. The same registry drives the menus, the inline validation and the URL.

export const APP_STATES = ["loading", "ready", "training", "paused", "error"];

/** Set <body data-state> and tell everyone on the bus ("state" event, detail = the new state). */
export function setAppState(bus, state) {
  if (!APP_STATES.includes(state)) throw new Error(`unknown app state ${state}`);
  if (document.body.dataset.state === state) return;
  document.body.dataset.state = state;
  bus.dispatchEvent(new CustomEvent("state", { detail: state }));
}

// The settings the form shows, in order; all but the last two are MLPClassifier parameters from params.py.
export const FIELD_NAMES = [
  "hidden_layer_sizes", "activation", "loss", "solver", "learning_rate", "batch_size", "epochs",
  "train_samples", "init", "input_scaling", "schedule", "random_state", "stop_accuracy",
];

/** Page-only settings (not model hyper-parameters, so not in nn_impl.params). */
function pageOnlySpecs(nTrain) {
  return {
    train_samples: {
      name: "train_samples", kind: "int", default: nTrain, min: 1, max: nTrain, nullable: false,
      help: `how many of the ${nTrain} bundled training images to train on`,
    },
    stop_accuracy: {
      name: "stop_accuracy", kind: "percent", default: null, min: 0, max: 100, minExclusive: true, nullable: true,
      help: "stop the run once the test accuracy reaches this (empty: never)",
    },
  };
}

// --- the registry ---------------------------------------------------------------------------------------

/**
 * Build the page's registry from the parameter table Python exports (a JSON string or an object; either
 * {name: spec} or [spec with "name"]). Each entry becomes {name, kind, default, choices?, min?, max?,
 * minExclusive?, nullable, help}, kind one of "int", "float", "choice", "int_list", "percent".
 */
export function buildRegistry(paramsTable, nTrain) {
  let table = typeof paramsTable === "string" ? JSON.parse(paramsTable) : paramsTable;
  if (table && Array.isArray(table.params)) table = table.params;
  if (table && !Array.isArray(table) && table.params && typeof table.params === "object") table = table.params;
  const entries = Array.isArray(table) ? table.map((s) => [s.name, s]) : Object.entries(table || {});
  const registry = {};
  for (const [name, raw] of entries) registry[name] = normaliseSpec(name, raw);
  Object.assign(registry, pageOnlySpecs(nTrain));
  return registry;
}

function normaliseSpec(name, raw) {
  const type = String(raw.type || raw.kind || "").toLowerCase();
  const choices = raw.choices || raw.values || null;
  let kind;
  if (choices) kind = "choice";
  else if (/list|tuple|sizes/.test(type) || name === "hidden_layer_sizes") kind = "int_list";
  else if (/int/.test(type)) kind = "int";
  else if (/float|number|real/.test(type)) kind = "float";
  else kind = "text";
  const range = raw.range || raw.bounds || null;
  // bounds may be spelled min/max, low/high, range: [lo, hi], or gt/ge/le (gt: strictly greater)
  const min = raw.min ?? raw.low ?? raw.ge ?? raw.gt ?? (range ? range[0] : null);
  const max = raw.max ?? raw.high ?? raw.le ?? (range ? range[1] : null);
  return {
    name, kind, choices, default: raw.default ?? null, min: min ?? null, max: max ?? null,
    minExclusive: Boolean(raw.min_exclusive ?? raw.exclusive_min ?? raw.minExclusive ?? raw.gt !== undefined),
    nullable: Boolean(raw.nullable ?? raw.optional ?? raw.default === null),
    help: raw.help || raw.doc || "",
  };
}

// --- values <-> text --------------------------------------------------------------------------------------

/** The text a field shows for a value. */
export function formatValue(spec, value) {
  if (value === null || value === undefined) return "";
  if (spec.kind === "int_list") return value.join(", ");
  if (spec.kind === "percent") return String(Math.round(value * 10000) / 100);
  return String(value);
}

function rangeError(spec, x, unit = "") {
  const low = spec.min, high = spec.max;
  if (low !== null && (spec.minExclusive ? x <= low : x < low)) {
    return `must be ${spec.minExclusive ? "greater than" : "at least"} ${low}${unit}`;
  }
  if (high !== null && x > high) return `must be at most ${high}${unit}`;
  return null;
}

/**
 * Parse what a person typed (or what the URL says) for one setting.
 * Returns {value} or {error: "a sentence saying what is wrong and what is allowed"}.
 */
export function parseValue(spec, text) {
  const t = String(text ?? "").trim();
  if (t === "" || t.toLowerCase() === "none" || t.toLowerCase() === "off") {
    if (spec.nullable) return { value: null };
    return { error: "is required" };
  }
  switch (spec.kind) {
    case "choice": {
      const match = spec.choices.find((c) => String(c) === t);
      return match === undefined ? { error: `must be one of: ${spec.choices.join(", ")}` } : { value: match };
    }
    case "int": {
      if (!/^[+-]?\d+$/.test(t)) return { error: "must be a whole number" };
      const x = Number(t);
      const err = rangeError(spec, x);
      return err ? { error: err } : { value: x };
    }
    case "float": {
      const x = Number(t);
      if (!Number.isFinite(x)) return { error: "must be a number, e.g. 0.001 or 1e-3" };
      const err = rangeError(spec, x);
      return err ? { error: err } : { value: x };
    }
    case "percent": {
      const x = Number(t.replace(/%$/, ""));
      if (!Number.isFinite(x)) return { error: "must be a percentage, e.g. 95" };
      const err = rangeError(spec, x, " %");
      return err ? { error: err } : { value: x / 100 };
    }
    case "int_list": {
      const parts = t.split(/[\s,;]+/).filter(Boolean);
      if (parts.length === 0) return { error: "give at least one layer size, e.g. 32, 24" };
      const sizes = [];
      for (const p of parts) {
        if (!/^\d+$/.test(p)) return { error: `"${p}" is not a whole number; write sizes like 32, 24` };
        const x = Number(p);
        if (x < 1) return { error: "every layer needs at least 1 unit" };
        const high = spec.max ?? 4096;
        if (x > high) return { error: `at most ${high} units per layer (the tab's memory and patience)` };
        sizes.push(x);
      }
      if (sizes.length > 8) return { error: "at most 8 hidden layers" };
      return { value: sizes };
    }
    default:
      return { value: t };
  }
}

/** The default value of every setting the page shows. */
export function defaults(registry) {
  const config = {};
  for (const name of FIELD_NAMES) if (registry[name]) config[name] = registry[name].default;
  return config;
}

// --- the URL ----------------------------------------------------------------------------------------------

/**
 * Read settings from the URL (the hash, or else the query string): `#activation=relu&learning_rate=0.01`.
 * Returns {values: {name: value}, problems: ["learning_rate=abc: must be a number ..."]}; a bad or unknown
 * entry is left out (the caller keeps the default) and reported.
 */
export function readUrl(registry, location = window.location) {
  const text = location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1);
  const params = new URLSearchParams(text);
  const values = {};
  const problems = [];
  for (const [name, raw] of params) {
    const spec = registry[name];
    if (name === "test-hooks") continue; // the tests' flag, not a setting
    if (!spec || !FIELD_NAMES.includes(name)) {
      problems.push(`${name}: not a setting of this page`);
      continue;
    }
    const parsed = parseValue(spec, raw);
    if (parsed.error) problems.push(`${name}=${raw}: ${parsed.error}`);
    else values[name] = parsed.value;
  }
  return { values, problems };
}

/** Put the settings into the URL's hash (replacing history, so Back still leaves the page). */
export function writeUrl(registry, config) {
  const params = new URLSearchParams();
  for (const name of FIELD_NAMES) {
    const spec = registry[name];
    if (!spec || config[name] === undefined) continue;
    const value = config[name];
    params.set(name, spec.kind === "int_list" && value ? value.join(",") : formatValue(spec, value));
  }
  const hash = "#" + params.toString().replace(/%2C/g, ",");
  if (window.location.hash !== hash) history.replaceState(null, "", hash);
}
