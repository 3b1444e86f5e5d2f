// Live charts (uPlot) of every run (runs.js): the training loss of each slice and the accuracy of each epoch,
// one colour per run, each run shown or hidden from the legend. The x axis counts epochs or samples seen; the
// loss axis is linear or logarithmic; the raw loss of every slice is drawn thin under a thicker smoothed line.
// Hovering a chart writes each run's value at that x into the legend.
//
// Points are appended to plain arrays in runs.js; the charts are redrawn at most four times a second, in an
// animation frame, so the cost per slice stays small and the main thread stays free while training. The plots
// are rebuilt only when the set of runs shown or an axis changes.
import uPlot from "./vendor/uplot/uPlot.esm.js";
import { runLabel, runName, smoothed } from "./runs.js";
import { axisColors, onSchemeChange } from "./theme.js";
import { afterNextFrame, drawInTurn } from "./frames.js";

const DRAW_INTERVAL_MS = 250;
const HEIGHT = 220;
/** Weight of the loss's moving average (TensorBoard's default): how much of the smoothed line is history. */
export const SMOOTHING = 0.6;
// The x axis: what each run's arrays call it, and how the axis and the hover say it.
export const X_AXES = {
  epochs: { key: "epoch", label: "epoch", text: (x) => `epoch ${x.toFixed(2)}` },
  samples: { key: "samples", label: "samples seen", text: (x) => `${Math.round(x).toLocaleString("en-US")} samples` },
};

const pct = (v) => (v == null ? "–" : `${(v * 100).toFixed(2)} %`);
const num = (v) => (v == null ? "–" : v.toPrecision(4));
const compact = (u, vals) => vals.map((v) => (Math.abs(v) >= 1e4 ? `${Math.round(v / 1000)}k` : String(+v.toPrecision(6))));

/** Schedules `draw` at most every DRAW_INTERVAL_MS, each in its turn after a frame (frames.js `drawInTurn`). */
export class Throttle {
  constructor(draw) {
    this.draw = draw;
    this.queued = false; // waiting for its turn (drawInTurn)
    this.timer = 0;
    this.last = -Infinity;
  }

  schedule() {
    if (this.queued || this.timer) return;
    // each redraw is a layout, paint and compositor commit: tens of milliseconds in software-rendered Chromium
    const wait = Math.max(0, this.last + DRAW_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = 0;
      this.queued = true;
      drawInTurn(() => {
        this.queued = false;
        this.last = performance.now();
        this.draw();
      });
    }, wait);
  }
}

/** The index of the last x in the sorted `xs` that is <= x, or -1. */
export function lastAtOrBefore(xs, x) {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x + 1e-9) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A uPlot chart in `element` that follows the element's width; `make(width)` builds its options. */
export class ResizingPlot {
  constructor(element) {
    this.element = element;
    this.plot = null;
    this.knownWidth = 0; // the element's width at the last layout the observer reported (0: none yet)
    new ResizeObserver(() => {
      this.knownWidth = this.element.clientWidth; // just laid out: reading it costs nothing now
      if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
    }).observe(element);
  }

  // Read from the observer when it has reported: asking the element while a run starts (after the form's fields
  // were disabled) would lay out the page then and there, inside the task.
  width() {
    return Math.max(260, this.knownWidth || this.element.clientWidth || 400);
  }

  /** Replace the chart: `options` without width/height, `data` as uPlot takes it. */
  rebuild(options, data) {
    if (this.plot) this.plot.destroy();
    this.plot = new uPlot({ width: this.width(), height: HEIGHT, legend: { show: false }, ...options }, data, this.element);
  }
}

export class TrainingCharts {
  /**
   * @param history RunHistory (runs.js)
   * @param elements {loss, accuracy, legend, xAxis (select), logLoss (checkbox)}
   * @param registry () => the settings registry (for "what differs" labels), or null before it exists
   */
  constructor(history, elements, registry) {
    this.history = history;
    this.el = elements;
    this.registry = registry;
    this.xAxis = elements.xAxis.value in X_AXES ? elements.xAxis.value : "epochs";
    this.logLoss = elements.logLoss.checked;
    this.loss = new ResizingPlot(elements.loss);
    this.accuracy = new ResizingPlot(elements.accuracy);
    this.throttle = new Throttle(() => this._setData());
    this.shown = []; // the runs drawn, in series order
    this.rebuilds = 0; // counts rebuilds: an accuracy chart waiting for its frame is built only for the latest
    this.accuracyPending = false; // rebuilt in the frame after the loss chart's (see rebuild)
    this.accuracyDrawn = ""; // the accuracy points drawn (their count per run): unchanged ones are not redrawn
    elements.xAxis.addEventListener("change", () => {
      this.xAxis = elements.xAxis.value;
      this.rebuild();
    });
    elements.logLoss.addEventListener("change", () => {
      this.logLoss = elements.logLoss.checked;
      this.rebuild();
    });
    // Draw a throw-away curve once now, while the page loads: the first real points then do not pay for
    // compiling uPlot's path-building code (measured: an 88 ms main-thread task at the start of a run).
    this.loss.rebuild({ scales: { x: { time: false } }, series: [{}, { stroke: "#000" }] }, [[0, 1, 2], [1, 0.5, 0.25]]);
    this.rebuild();
    onSchemeChange(() => this.rebuild());
  }

  /** The runs or their visibility changed: new series, new legend. */
  rebuild() {
    this.shown = this.history.runs.filter((r) => r.visible);
    const x = X_AXES[this.xAxis];
    const axes = (yLabel, values) => [
      { label: x.label, ...axisColors(), values: compact },
      { label: yLabel, ...axisColors(), size: 60, values },
    ];
    const hooks = { setCursor: [(u) => this._hover(u)] };
    const lossSeries = [{ label: x.label }];
    const accuracySeries = [{ label: x.label }];
    for (const run of this.shown) {
      const name = runName(run);
      // raw under smoothed: the raw line is thin and pale, never hidden
      lossSeries.push({ label: `${name} raw`, stroke: `${run.color}55`, width: 1, spanGaps: true });
      lossSeries.push({ label: `${name} smoothed`, stroke: run.color, width: 2, spanGaps: true });
      accuracySeries.push({ label: `${name} test`, stroke: run.color, width: 2, spanGaps: true, points: { show: true, size: 5 } });
      accuracySeries.push({ label: `${name} train`, stroke: run.color, width: 1, dash: [5, 4], spanGaps: true });
    }
    this.loss.rebuild({
      scales: { x: { time: false }, y: this.logLoss ? { distr: 3, log: 10 } : {} },
      axes: axes(this.logLoss ? "loss (log)" : "loss"),
      series: lossSeries,
      hooks,
    }, this._lossData());
    this._legend();
    // A new chart is drawn whole, axes and labels included: two of them in one task took 40-70 ms when a run
    // started, so the accuracy chart follows in the next frame.
    const accuracyOptions = {
      scales: { x: { time: false } },
      axes: axes("accuracy", (u, vals) => vals.map((v) => `${Math.round(v * 1000) / 10} %`)),
      series: accuracySeries,
      hooks,
    };
    const rebuild = ++this.rebuilds;
    this.accuracyPending = true;
    afterNextFrame().then(() => {
      if (rebuild !== this.rebuilds) return; // a later rebuild builds it
      this.accuracyPending = false;
      this.accuracy.rebuild(accuracyOptions, this._accuracyData());
      this.accuracyDrawn = this._accuracyPoints();
    });
  }

  /** New points: redraw soon (at most four times a second). */
  update() {
    this.throttle.schedule();
  }

  _lossData() {
    const key = X_AXES[this.xAxis].key;
    if (this.shown.length === 0) return [[]];
    return uPlot.join(this.shown.map((r) => {
      const values = r.loss.value;
      // a log axis cannot show 0 or less: such points are left out of it rather than bending the scale
      const raw = this.logLoss ? values.map((v) => (v > 0 ? v : null)) : values;
      return [r.loss[key], raw, smoothed(values, SMOOTHING)];
    }));
  }

  _accuracyData() {
    const key = X_AXES[this.xAxis].key;
    if (this.shown.length === 0) return [[]];
    return uPlot.join(this.shown.map((r) => [r.epochs[key], r.epochs.test, r.epochs.train]));
  }

  /** How many accuracy points each shown run has: the accuracy chart changes only once an epoch. */
  _accuracyPoints() {
    return this.shown.map((r) => r.epochs.epoch.length).join(",");
  }

  _setData() {
    this.loss.plot.setData(this._lossData());
    const points = this._accuracyPoints();
    if (this.accuracyPending || points === this.accuracyDrawn) return;
    this.accuracy.plot.setData(this._accuracyData());
    this.accuracyDrawn = points;
  }

  /** The legend: one entry per run, a checkbox to show or hide it, its label and (while hovering) its value. */
  _legend() {
    const registry = this.registry();
    const items = this.history.runs.map((run) => {
      const li = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = run.visible;
      box.addEventListener("change", () => this.history.setVisible(run.id, box.checked));
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = run.color;
      swatch.setAttribute("aria-hidden", "true");
      label.append(box, swatch, `${runName(run)}: ${runLabel(this.history, run, registry)}`);
      const value = document.createElement("span");
      value.className = "run-value";
      value.dataset.run = String(run.id);
      li.append(label, value);
      return li;
    });
    this.el.legend.replaceChildren(...items);
  }

  /** The cursor moved over a chart: each shown run's value at that x (its last point at or before it). */
  _hover(u) {
    const idx = u.cursor.idx;
    const spans = this.el.legend.querySelectorAll(".run-value");
    if (idx == null) {
      for (const s of spans) s.textContent = "";
      return;
    }
    const x = u.data[0][idx];
    const key = X_AXES[this.xAxis].key;
    const isLoss = u === this.loss.plot;
    for (const span of spans) {
      const run = this.shown.find((r) => String(r.id) === span.dataset.run);
      if (!run) {
        span.textContent = "";
        continue;
      }
      const xs = isLoss ? run.loss[key] : run.epochs[key];
      const i = lastAtOrBefore(xs, x);
      const at = X_AXES[this.xAxis].text(x);
      if (i < 0) span.textContent = `— at ${at}`;
      else if (isLoss) span.textContent = `loss ${num(run.loss.value[i])} (smoothed ${num(smoothed(run.loss.value.slice(0, i + 1), SMOOTHING)[i])}) at ${at}`;
      else span.textContent = `test ${pct(run.epochs.test[i])}, train ${pct(run.epochs.train[i])} at ${at}`;
    }
  }

  /** What is drawn (the test hook's): the newest run's points, the previous run's, the axes. */
  get points() {
    const runs = this.history.runs;
    const current = runs[runs.length - 1];
    const previous = runs[runs.length - 2];
    const xScale = this.loss.plot.scales.x;
    return {
      loss: current ? current.loss.value.length : 0,
      epochs: current ? current.epochs.epoch.length : 0,
      previousLoss: previous ? previous.loss.value.length : 0,
      runsShown: this.shown.length,
      xAxis: this.xAxis,
      xMax: xScale.max,
      logLoss: this.loss.plot.scales.y.distr === 3,
    };
  }
}
