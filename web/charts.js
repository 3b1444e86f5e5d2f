// Live charts (uPlot): training loss per slice and accuracy per epoch, with the previous run's curves kept
// dashed for comparison. Points are appended to plain arrays; the charts are redrawn at most four times a
// second, in an animation frame, so the cost per slice stays small and the main thread stays free while training.
import uPlot from "./vendor/uplot/uPlot.esm.js";

const DRAW_INTERVAL_MS = 250;
const COLORS = { loss: "#2563eb", train: "#16a34a", test: "#c2410c", previous: "#7c7c8a" };

function emptyRun() {
  return { label: "", lossX: [], lossY: [], epochX: [], trainAcc: [], testAcc: [] };
}

const pct = (u, v) => (v == null ? "–" : `${(v * 100).toFixed(2)} %`);
const num = (u, v) => (v == null ? "–" : v.toPrecision(4));
const epochValue = (u, v) => (v == null ? "–" : `epoch ${v.toFixed(2)}`);

export class TrainingCharts {
  /** @param captionElement where the previous run's configuration is written (the legend stays short) */
  constructor(lossElement, accuracyElement, captionElement = null) {
    this.caption = captionElement;
    this.current = emptyRun();
    this.previous = null;
    this._frame = 0;
    this._timer = 0;
    this._lastDraw = -Infinity;
    const width = () => Math.max(260, lossElement.clientWidth || 400);
    const axes = (yLabel, yValues) => [
      { label: "epoch", stroke: "#555" },
      { label: yLabel, stroke: "#555", size: 56, values: yValues },
    ];
    this.lossPlot = new uPlot(
      {
        width: width(), height: 220,
        scales: { x: { time: false } },
        axes: axes("loss"),
        series: [
          { label: "epoch", value: epochValue },
          { label: "this run", stroke: COLORS.loss, width: 2, value: num, spanGaps: true },
          { label: "previous run", stroke: COLORS.previous, width: 1.5, dash: [6, 4], value: num, spanGaps: true },
        ],
      },
      [[], [], []],
      lossElement,
    );
    this.accuracyPlot = new uPlot(
      {
        width: width(), height: 220,
        scales: { x: { time: false } },
        axes: axes("accuracy", (u, vals) => vals.map((v) => `${Math.round(v * 1000) / 10} %`)),
        series: [
          { label: "epoch", value: epochValue },
          { label: "train", stroke: COLORS.train, width: 2, points: { show: true }, value: pct, spanGaps: true },
          { label: "test", stroke: COLORS.test, width: 2, points: { show: true }, value: pct, spanGaps: true },
          { label: "previous test", stroke: COLORS.previous, dash: [6, 4], width: 1.5, value: pct, spanGaps: true },
        ],
      },
      [[], [], [], []],
      accuracyElement,
    );
    // Draw a throw-away curve once now, while the page loads: the first real points then do not pay for
    // compiling uPlot's path-building code (measured: an 88 ms main-thread task at the start of a run).
    this.lossPlot.setData([[0, 1, 2], [1, 0.5, 0.25], [null, null, null]]);
    this.accuracyPlot.setData([[1, 2], [0.5, 0.6], [0.5, 0.6], [null, null]]);
    this.lossPlot.setData([[], [], []]);
    this.accuracyPlot.setData([[], [], [], []]);
    new ResizeObserver(() => {
      const w = width();
      this.lossPlot.setSize({ width: w, height: 220 });
      this.accuracyPlot.setSize({ width: w, height: 220 });
    }).observe(lossElement);
  }

  /** Begin a new run: the current curves (if any) become the "previous run", labelled with their config. */
  startRun(label) {
    if (this.current.lossX.length > 0) this.previous = this.current;
    this.current = emptyRun();
    this.current.label = label;
    if (this.caption) {
      this.caption.textContent = this.previous ? `Dashed grey: the previous run (${this.previous.label}).` : "";
    }
    this._schedule();
  }

  /** One training slice: x = epochs completed (fractional), y = mean loss of the slice. */
  addLoss(epoch, loss) {
    if (!Number.isFinite(loss)) return;
    this.current.lossX.push(epoch);
    this.current.lossY.push(loss);
    this._schedule();
  }

  /** One finished epoch (its history dict: epoch, train_accuracy, val_accuracy). */
  addEpoch(history) {
    this.current.epochX.push(history.epoch);
    this.current.trainAcc.push(history.train_accuracy ?? null);
    this.current.testAcc.push(history.val_accuracy ?? null);
    this._schedule();
  }

  _schedule() {
    if (this._frame || this._timer) return;
    // At most DRAW_INTERVAL_MS apart (the page promises at least two updates a second): each redraw is a
    // layout, paint and compositor commit, which in software-rendered Chromium costs tens of milliseconds.
    const wait = Math.max(0, this._lastDraw + DRAW_INTERVAL_MS - performance.now());
    this._timer = setTimeout(() => {
      this._timer = 0;
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this._lastDraw = performance.now();
        this._draw();
      });
    }, wait);
  }

  _draw() {
    const cur = this.current;
    const prev = this.previous || emptyRun();
    // uPlot wants one shared, sorted x array per chart: join the two runs on their x values.
    this.lossPlot.setData(uPlot.join([[cur.lossX, cur.lossY], [prev.lossX, prev.lossY]]));
    this.accuracyPlot.setData(uPlot.join([[cur.epochX, cur.trainAcc, cur.testAcc], [prev.epochX, prev.testAcc]]));
  }

  /** Number of points drawn for the current run (tests and the benchmark read this). */
  get points() {
    return { loss: this.current.lossX.length, epochs: this.current.epochX.length };
  }
}
