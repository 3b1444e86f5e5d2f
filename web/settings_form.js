// The settings form, built from the registry (settings.js): one field per FIELD_NAMES entry, with the table's
// label, help, choices and limits; inline validation as a person types; Python's errors shown on their field.
import { withoutErrorClass } from "./protocol.js";
import { FIELD_NAMES, formatValue, parseValue } from "./settings.js";

const field = (name) => document.getElementById(name);
let lessonLocks = new Set(); // fields a lesson link fixed: they stay disabled whatever the run does

/** One field: <div class="field"><label/> <input|select/> <small class="msg"/></div>. */
function makeField(spec) {
  const wrapper = document.createElement("div");
  wrapper.className = "field";
  const label = document.createElement("label");
  label.htmlFor = spec.name;
  label.textContent = spec.label;
  let control;
  if (spec.choices !== null) {
    control = document.createElement("select");
    control.append(...spec.choices.map((c) => new Option(String(c), String(c))));
  } else {
    control = document.createElement("input");
    control.autocomplete = "off";
    if (spec.type === "int") {
      control.type = "number";
      control.step = "1";
      // the browser's own hints; parseValue is what decides (and knows exclusive limits)
      if (spec.min !== null && !spec.min_exclusive) control.min = String(spec.min);
      if (spec.max !== null && !spec.max_exclusive) control.max = String(spec.max);
    } else {
      control.inputMode = spec.type === "int_tuple" ? "numeric" : "decimal";
    }
    if (spec.type === "int_tuple") control.placeholder = `e.g. ${formatValue(spec, spec.default)}`;
    else if (spec.nullable) control.placeholder = "off";
  }
  control.id = spec.name;
  control.name = spec.name;
  control.title = spec.help;
  control.setAttribute("aria-describedby", `${spec.name}-msg`);
  const message = document.createElement("small");
  message.className = "msg";
  message.id = `${spec.name}-msg`;
  wrapper.append(label, control, message);
  return wrapper;
}

/** Fill the form element with the fields `names` lists, of FIELD_NAMES (once, after the worker has sent the
 * table). The page's fields may sit in several forms: readConfig reads them all, wherever they are. */
export function buildForm(form, registry, names = FIELD_NAMES) {
  form.replaceChildren(...names.map((name) => makeField(registry[name])));
}

function setMessage(name, text) {
  document.getElementById(`${name}-msg`).textContent = text;
  field(name).setAttribute("aria-invalid", text ? "true" : "false");
}

/** Show a config (name -> value) in the form, clearing validation messages. */
export function showConfig(registry, config) {
  for (const name of FIELD_NAMES) {
    if (!(name in config)) continue;
    field(name).value = formatValue(registry[name], config[name]);
    setMessage(name, "");
  }
}

/**
 * Read and validate the whole form. Returns {config, errors: {name: message}}; messages shown inline unless
 * `quietly` (a reader that only looks, like the reproduction, must not clear a message Python gave a field).
 */
export function readConfig(registry, { quietly = false } = {}) {
  const config = {};
  const errors = {};
  for (const name of FIELD_NAMES) {
    const parsed = parseValue(registry[name], field(name).value);
    if (parsed.error) errors[name] = parsed.error;
    else config[name] = parsed.value;
    if (!quietly) setMessage(name, parsed.error || "");
  }
  return { config, errors };
}

/** Show an error Python raised for one field (its message starts with the parameter name). */
export function showPythonError(message) {
  const text = withoutErrorClass(message);
  const name = FIELD_NAMES.find((n) => text.startsWith(n) || text.includes(`'${n}'`));
  if (name) setMessage(name, text.slice(text.startsWith(name) ? name.length : 0).replace(/^[:\s]+/, ""));
  return Boolean(name);
}

/** Validate a field as the person types, without touching the others; then onChange(name, parsed). */
export function watchFields(registry, onChange) {
  for (const name of FIELD_NAMES) {
    const el = field(name);
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => {
      const parsed = parseValue(registry[name], el.value);
      setMessage(name, parsed.error || "");
      onChange(name, parsed);
    });
  }
}

/** Lock the form while a run goes on, except the fields the table marks live (and those a lesson fixed). */
export function lockFields(registry, locked) {
  for (const name of FIELD_NAMES) {
    const el = field(name);
    if (el) el.disabled = lessonLocks.has(name) || (locked && !registry[name].live);
  }
}

/** Fix these fields for a lesson (names of FIELD_NAMES): disabled from now on, marked as fixed. */
export function setLessonLocks(names) {
  lessonLocks = new Set(names);
  for (const name of FIELD_NAMES) {
    const el = field(name);
    if (!el) continue;
    el.closest(".field").classList.toggle("lesson-locked", lessonLocks.has(name));
    if (lessonLocks.has(name)) el.disabled = true;
  }
}

/** `values` without the settings a lesson fixed (what a preset or an earlier run's settings may change). */
export function unlockedOnly(values) {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !lessonLocks.has(name)));
}
