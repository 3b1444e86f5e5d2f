// "One training step, taken apart": the tutorial's network on one test image, stage by stage (step_stages.js),
// with the code lines that compute each stage highlighted and its formula typeset. The numbers are the cells'
// Python's (nn_impl.training_step via the "step" request); this module only draws and formats them.
import { STAGES } from "./step_stages.js";
import { heatmapFigure } from "./heatmap.js";
import { drawGrey } from "./pixels.js";
import { showFormula } from "./formulas.js";

const fmt = (v) => v.toFixed(8);
const list = (a) => Array.from(a.data, fmt).join(", ");

/**
 * @param {object} python createLessonPython(...)'s object
 * @param {{methods: object}} tutorial the parsed tutorial_cells.json (its "methods": code to highlight)
 * @returns {{show: ({testImage?, seed?, stage?}) => Promise, snapshot: () => object | null, timings: () => number[]}}
 */
export function createStepView(python, tutorial) {
  const $ = (id) => document.getElementById(id);
  const seedInput = $("step-seed");
  const imageInput = $("step-image");
  const stagePanel = $("step-stage");
  const status = $("step-status");
  const hover = $("step-hover");
  let stage = 0;
  let step = null; // the latest "step" reply
  let asked = 0; // requests sent; a reply to an older one is dropped
  const renderTimes = []; // ms per stage change (the benchmark reads them through the test hook)

  function readInt(input, what) {
    // input.max is set once the page knows the test set's size; until then Python checks the upper end.
    const v = Number(input.value);
    const max = input.max === "" ? Infinity : Number(input.max);
    if (input.value.trim() === "" || !Number.isInteger(v) || v < Number(input.min) || v > max) {
      input.setAttribute("aria-invalid", "true");
      status.textContent = `${what} must be a whole number from ${input.min}${max === Infinity ? "" : ` to ${max}`}.`;
      return null;
    }
    input.removeAttribute("aria-invalid");
    return v;
  }

  async function compute() {
    const seed = readInt(seedInput, "Initial weights seed");
    const index = readInt(imageInput, "Test image number");
    if (seed === null || index === null) return;
    const mine = ++asked;
    status.textContent = python.started() ? "Computing the step in Python…"
      : "Starting the section's Python (first use), then computing the step…";
    try {
      const reply = await python.request("step", { seed, index });
      if (mine !== asked) return;
      step = reply;
      render();
    } catch (err) {
      if (mine === asked) status.textContent = `The step could not be computed: ${err.message}`;
    }
  }

  function codeListing(stageDef) {
    const method = tutorial.methods[stageDef.method];
    const pre = document.createElement("pre");
    pre.className = "stage-code";
    pre.setAttribute("aria-label", `${stageDef.method} in nn_impl/reference.py`);
    method.code.split("\n").forEach((line, k) => {
      const number = `${String(method.first_line + k).padStart(3)}  `;
      const lit = stageDef.lines.some((fragment) => line.includes(fragment));
      const el = document.createElement(lit ? "mark" : "span");
      el.textContent = `${number}${line}\n`;
      pre.append(el);
    });
    return pre;
  }

  function drawPart(part) {
    const caption = part.caption;
    if (part.kind === "image") {
      const figure = document.createElement("figure");
      figure.className = "heat image";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", caption);
      drawGrey(canvas, step.image.data);
      const text = document.createElement("figcaption");
      text.textContent = caption;
      figure.append(canvas, text);
      return figure;
    }
    const data = part.values.data;
    const shape = part.values.shape;
    const common = { caption, values: data, readout: hover };
    if (part.kind === "strip" || part.kind === "column") {
      const vertical = part.kind === "column";
      return heatmapFigure({ ...common, rows: vertical ? data.length : 1, cols: vertical ? 1 : data.length,
        className: part.kind, describe: (hit, v) => `${part.name}[${hit.index}] = ${fmt(v)}` });
    }
    if (part.kind === "tiles") {
      return heatmapFigure({ ...common, rows: shape[0], cols: shape[1], className: "tiles",
        tiles: { count: shape[0], rows: 28, cols: 28, across: 8 },
        describe: (hit, v) => `${part.name}[unit ${hit.row}, pixel ${hit.col}] = ${v.toExponential(4)}` });
    }
    return heatmapFigure({ ...common, rows: shape[0], cols: shape[1], className: "matrix",
      describe: (hit, v) => `${part.name}[${hit.row}, ${hit.col}] = ${v === 0 ? "0" : v.toExponential(4)}` });
  }

  function render() {
    if (!step) return;
    const started = performance.now();
    const def = STAGES[stage];
    $("step-stage-title").textContent = `Stage ${stage + 1} of ${STAGES.length}: ${def.title(step)}`;
    showFormula($("step-formula"), def.tex);
    $("step-figures").replaceChildren(...def.parts(step).map(drawPart));
    $("step-code").replaceChildren(codeListing(def));
    hover.textContent = "Point at a coloured cell to read its value.";
    for (const [id, off] of [["step-prev", stage === 0], ["step-next", stage === STAGES.length - 1]]) {
      const button = $(id);
      // A focused button that gets disabled would drop the focus to <body>, out of reach of the arrow keys.
      if (off && document.activeElement === button) stagePanel.focus();
      button.disabled = off;
    }
    $("step-output").textContent = list(step.output);
    $("step-target").textContent = list(step.target);
    $("step-loss").textContent = fmt(step.loss);
    $("step-printed-loss").textContent = fmt(step.printed_loss);
    $("step-loss-after").textContent = fmt(step.loss_after);
    status.textContent = `Seed ${step.seed}, test image ${step.index} (a ${step.label}); the network says `
      + `${step.prediction} before the step and ${step.prediction_after} after it.`;
    renderTimes.push(performance.now() - started);
  }

  function go(delta) {
    const next = Math.min(STAGES.length - 1, Math.max(0, stage + delta));
    if (next === stage) return;
    stage = next;
    render();
  }

  $("step-prev").addEventListener("click", () => go(-1));
  $("step-next").addEventListener("click", () => go(1));
  // Arrow keys walk the stages from anywhere in the view but its number fields (where they change the number).
  $("step-view").addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") go(1);
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") go(-1);
    else if (event.key === "Home") go(-stage);
    else if (event.key === "End") go(STAGES.length);
    else return;
    event.preventDefault();
  });
  for (const input of [seedInput, imageInput]) input.addEventListener("change", compute);
  $("step-compute").addEventListener("click", compute);

  return {
    /** Show the step for a test image (and optionally a seed), at `stage` (from 0; default the first). */
    show({ testImage, seed, stage: first = 0 } = {}) {
      if (testImage !== undefined) imageInput.value = String(testImage);
      if (seed !== undefined) seedInput.value = String(seed);
      stage = Math.min(STAGES.length - 1, Math.max(0, first));
      return compute();
    },
    /** Copies of the numbers shown (full precision), or null before the first step. */
    snapshot: () => (step ? {
      seed: step.seed, index: step.index, stage, output: Array.from(step.output.data),
      target: Array.from(step.target.data), loss: step.loss, printed_loss: step.printed_loss,
      loss_after: step.loss_after,
    } : null),
    timings: () => renderTimes.slice(),
    panel: stagePanel,
  };
}
