// The training form and buttons: menus filled from the registry, inline validation, presets, and which
// buttons a person can press in each app state. No worker calls here; main.js wires the verbs.
import { withoutErrorClass } from "./protocol.js";
import { FIELD_NAMES, formatValue, parseValue } from "./state.js";

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

const field = (name) => document.getElementById(name);

/** Fill every <select> from its registry choices; disable fields the registry does not know. */
export function fillMenus(registry) {
  for (const name of FIELD_NAMES) {
    const el = field(name);
    const spec = registry[name];
    if (!el) continue;
    if (!spec) {
      el.disabled = true;
      el.closest(".field").hidden = true;
      continue;
    }
    if (spec.help) el.title = spec.help;
    if (el.tagName === "SELECT") {
      el.replaceChildren(
        ...spec.choices.map((c) => {
          const option = document.createElement("option");
          option.value = String(c);
          option.textContent = String(c);
          return option;
        }),
      );
    }
  }
}

/** Show a config (name -> value) in the form, clearing validation messages. */
export function showConfig(registry, config) {
  for (const name of FIELD_NAMES) {
    const el = field(name);
    if (!el || !registry[name] || !(name in config)) continue;
    el.value = formatValue(registry[name], config[name]);
    setMessage(name, "");
  }
}

function setMessage(name, text) {
  const el = field(name);
  const msg = document.getElementById(`${name}-msg`);
  if (msg) msg.textContent = text;
  if (el) el.setAttribute("aria-invalid", text ? "true" : "false");
}

/** Read and validate the whole form. Returns {config, errors: {name: message}}; messages shown inline. */
export function readConfig(registry) {
  const config = {};
  const errors = {};
  for (const name of FIELD_NAMES) {
    const el = field(name);
    const spec = registry[name];
    if (!el || !spec) continue;
    const parsed = parseValue(spec, el.value);
    if (parsed.error) {
      errors[name] = parsed.error;
      setMessage(name, parsed.error);
    } else {
      config[name] = parsed.value;
      setMessage(name, "");
    }
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

/** Validate a field as the person types (on input), without touching the others. */
export function watchFields(registry, onChange) {
  for (const name of FIELD_NAMES) {
    const el = field(name);
    if (!el || !registry[name]) continue;
    const check = () => {
      const parsed = parseValue(registry[name], el.value);
      setMessage(name, parsed.error || "");
      onChange(name, parsed);
    };
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", check);
  }
}

// Which buttons work in which state. Settings are locked while a run is going (except the learning rate,
// which the trainer takes at the next batch).
const ENABLED = {
  loading: [],
  error: [],
  ready: ["Train", "Reset", "Step"],
  training: ["Pause", "Stop"],
  paused: ["Resume", "Stop", "Reset", "Step"],
};

const BUTTONS = { Train: "btn-train", Pause: "btn-pause", Resume: "btn-resume", Stop: "btn-stop",
  Reset: "btn-reset", Step: "btn-step" };

export function updateControls(state) {
  for (const [label, id] of Object.entries(BUTTONS)) {
    document.getElementById(id).disabled = !ENABLED[state].includes(label);
  }
  const locked = state !== "ready";
  for (const name of FIELD_NAMES) {
    const el = field(name);
    if (el && !el.closest(".field").hidden) el.disabled = locked && name !== "learning_rate";
  }
  for (const b of document.querySelectorAll("[data-preset]")) b.disabled = locked;
}

/** Connect buttons to verbs: handlers = {train, pause, resume, stop, reset, step, preset(name)}. */
export function onButtons(handlers) {
  for (const [label, id] of Object.entries(BUTTONS)) {
    document.getElementById(id).addEventListener("click", () => handlers[label.toLowerCase()]());
  }
  for (const b of document.querySelectorAll("[data-preset]")) {
    b.addEventListener("click", () => handlers.preset(b.dataset.preset));
  }
}
