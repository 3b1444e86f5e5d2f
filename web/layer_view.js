// Inside the network while it trains: for each layer, the gradient norm of its weights, the update-to-weight
// ratio and the share of its units saturated (sigmoid, tanh) or dead (ReLU). Python measures them
// (nn_impl/layer_stats.py) on the last batch of each training slice when the page asks ("Watch the layers");
// this module draws one statistic per layer over the run (a chart) and the latest numbers (the table
// "Layer statistics"), for the newest run or one chosen from the runs kept.
import { ResizingPlot, Throttle, X_AXES } from "./charts.js";
import { runName } from "./runs.js";
import { axisColors } from "./theme.js";

const LAYER_COLORS = ["#1d4ed8", "#c2410c", "#15803d", "#7c3aed", "#be123c", "#0e7490", "#a16207", "#64748b"];

// statistic -> how the chart shows it and the one sentence on what to look for
export const STATISTICS = {
  gradient_norm: {
    label: "Gradient norm ‖dW‖", log: true, format: (v) => v.toExponential(2),
    hint: "Look for the first layer's line far below the last one's (orders of magnitude, as with the Tutorial " +
      "preset's sigmoid units): vanishing gradients, the early layers barely learn.",
  },
  update_ratio: {
    label: "Update-to-weight ratio ‖ΔW‖ / ‖W‖", log: true, format: (v) => v.toExponential(2),
    hint: "Look for ratios near 1e-3: far below, a layer hardly moves; above 1e-2, its steps are probably too large.",
  },
  inactive_share: {
    label: "Units saturated (sigmoid, tanh) or dead (ReLU)", log: false, format: (v) => `${(v * 100).toFixed(1)} %`,
    hint: "Look for a share climbing towards 100 %: saturated or dead units pass almost no gradient back and stop learning.",
  },
};

export class LayerView {
  /**
   * @param history RunHistory (runs.js)
   * @param elements {chart, table, watch (checkbox), statistic (select), run (select), hint, xAxis (select)}
   */
  constructor(history, elements) {
    this.history = history;
    this.el = elements;
    this.plot = new ResizingPlot(elements.chart);
    this.throttle = new Throttle(() => this._draw());
    this.key = null; // what the plot was built for: run id, statistic, layer count, x axis
    elements.statistic.replaceChildren(...Object.entries(STATISTICS).map(([name, s]) => new Option(s.label, name)));
    for (const el of [elements.statistic, elements.run, elements.xAxis]) el.addEventListener("change", () => this._draw());
    this._draw();
  }

  /** Whether the page asks Python for the statistics with each slice (not when a lesson hid them). */
  get watching() {
    return this.el.watch.checked && !this.el.chart.closest("[hidden]");
  }

  /** The runs changed (added, deleted): refresh the run menu and the view. */
  runsChanged() {
    const chosen = this.el.run.value;
    const options = [new Option("the newest run", "")];
    for (const run of [...this.history.runs].reverse()) options.push(new Option(runName(run), String(run.id)));
    this.el.run.replaceChildren(...options);
    this.el.run.value = options.some((o) => o.value === chosen) ? chosen : "";
    this.update(); // in a frame of its own: a run's start also rebuilds the training charts
  }

  update() {
    this.throttle.schedule();
  }

  _run() {
    const id = this.el.run.value;
    return id === "" ? this.history.current : this.history.runs.find((r) => String(r.id) === id) || null;
  }

  _draw() {
    const run = this._run();
    const name = this.el.statistic.value in STATISTICS ? this.el.statistic.value : "gradient_norm";
    const stat = STATISTICS[name];
    this.el.hint.textContent = stat.hint;
    const layers = run && run.layers.stats.length ? run.layers.stats[run.layers.stats.length - 1] : [];
    const shown = layers.filter((s) => name !== "inactive_share" || s.inactive_share != null);
    const xAxis = X_AXES[this.el.xAxis.value] || X_AXES.epochs;
    const key = `${run ? run.id : ""}|${name}|${shown.length}|${xAxis.key}`;
    const xs = run ? run.layers[xAxis.key] : [];
    const data = [xs, ...shown.map((s) => run.layers.stats.map((step) => positive(step[s.layer - 1][name], stat.log)))];
    if (key !== this.key) {
      this.key = key;
      this.plot.rebuild({
        scales: { x: { time: false }, y: stat.log ? { distr: 3, log: 10 } : { range: [0, 1] } },
        axes: [
          { label: xAxis.label, ...axisColors() },
          { label: stat.log ? `${name.replace("_", " ")} (log)` : "share", ...axisColors(), size: 60,
            values: stat.log ? undefined : (u, vals) => vals.map((v) => `${Math.round(v * 100)} %`) },
        ],
        series: [{ label: xAxis.label }, ...shown.map((s, i) => ({
          label: `layer ${s.layer}`, stroke: LAYER_COLORS[i % LAYER_COLORS.length], width: 2, spanGaps: true,
        }))],
        legend: { show: true, live: true },
      }, data);
    } else {
      this.plot.plot.setData(data);
    }
    this._table(run, layers);
  }

  /** The table: one row per layer, the latest numbers of the run shown. */
  _table(run, layers) {
    const caption = document.createElement("caption");
    caption.textContent = run
      ? `${runName(run)}, ${layers.length ? `after ${run.layers.epoch[run.layers.epoch.length - 1].toFixed(2)} epochs` : "not measured yet"}`
      : "No run yet";
    const head = document.createElement("thead");
    const headRow = head.insertRow();
    for (const heading of ["Layer", "Units", STATISTICS.gradient_norm.label, STATISTICS.update_ratio.label,
      "Saturated or dead"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = heading;
      headRow.append(th);
    }
    const body = document.createElement("tbody");
    for (const s of layers) {
      const row = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = s.inactive_kind == null ? `${s.layer} (output)` : String(s.layer);
      row.append(th);
      row.insertCell().textContent = String(s.units);
      row.insertCell().textContent = STATISTICS.gradient_norm.format(s.gradient_norm);
      row.insertCell().textContent = STATISTICS.update_ratio.format(s.update_ratio);
      row.insertCell().textContent = s.inactive_share == null ? "–"
        : `${STATISTICS.inactive_share.format(s.inactive_share)} ${s.inactive_kind}`;
    }
    this.el.table.replaceChildren(caption, head, body);
  }
}

/** A log axis cannot show 0 or less (a layer that did not move): such points are left out. */
function positive(v, log) {
  return log && !(v > 0) ? null : v;
}
