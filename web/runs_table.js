// The "Runs" table: one row per run (runs.js) with its settings, best test accuracy and when it was reached,
// its training time and speed; sortable by any column; each row can delete its run or train again with its
// settings. Redrawn at most four times a second while a run adds points.
import { Throttle } from "./charts.js";
import { describeRun, runName } from "./runs.js";

const formatSeconds = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

// column -> [heading, value to sort by, text shown]
const COLUMNS = {
  run: ["Run", (r) => r.id, (r) => runName(r)],
  settings: ["Settings", (r) => describeRun(r), null], // a cell of its own (below)
  best: ["Best test accuracy", (r) => (r.best ? r.best.accuracy : -1),
    (r) => (r.best ? `${(r.best.accuracy * 100).toFixed(2)} %` : "–")],
  reached: ["Reached at", (r) => (r.best ? r.best.seconds : Infinity),
    (r) => (r.best ? `epoch ${r.best.epoch}, ${formatSeconds(r.best.seconds)}` : "–")],
  time: ["Time", (r) => r.seconds, (r) => formatSeconds(r.seconds)],
  speed: ["Samples/s", (r) => (r.seconds > 0 ? r.samples / r.seconds : 0),
    (r) => (r.seconds > 0 ? Math.round(r.samples / r.seconds).toLocaleString("en-US") : "–")],
};

export class RunsTable {
  /**
   * @param table the <table> (its accessible name is "Runs")
   * @param history RunHistory
   * @param registry () => the settings registry, or null
   * @param onTrainAgain (run) => void: "Train again with these settings" was pressed
   */
  constructor(table, history, registry, onTrainAgain) {
    this.table = table;
    this.history = history;
    this.registry = registry;
    this.onTrainAgain = onTrainAgain;
    this.sort = { column: "run", descending: true }; // newest first
    this.throttle = new Throttle(() => this.render());
    this.render();
  }

  update() {
    this.throttle.schedule();
  }

  render() {
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    for (const [column, [heading]] of Object.entries(COLUMNS)) {
      const th = document.createElement("th");
      th.scope = "col";
      const sorted = this.sort.column === column;
      th.setAttribute("aria-sort", sorted ? (this.sort.descending ? "descending" : "ascending") : "none");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = heading + (sorted ? (this.sort.descending ? " ▼" : " ▲") : "");
      button.setAttribute("aria-label", `Sort by ${heading.toLowerCase()}`);
      button.addEventListener("click", () => {
        this.sort = { column, descending: sorted ? !this.sort.descending : column !== "run" && column !== "settings" };
        this.render();
      });
      th.append(button);
      headRow.append(th);
    }
    const actions = document.createElement("th");
    actions.scope = "col";
    actions.textContent = "Actions";
    headRow.append(actions);
    head.append(headRow);

    const key = COLUMNS[this.sort.column][1];
    const runs = [...this.history.runs].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return this.sort.descending ? -order : order;
    });
    const body = document.createElement("tbody");
    const registry = this.registry();
    for (const run of runs) body.append(this._row(run, registry));
    if (runs.length === 0) {
      const row = body.insertRow();
      const cell = row.insertCell();
      cell.colSpan = Object.keys(COLUMNS).length + 1;
      cell.textContent = "No runs yet: press Train.";
    }
    this.table.replaceChildren(head, body);
  }

  _row(run, registry) {
    const row = document.createElement("tr");
    for (const [column, [, , text]] of Object.entries(COLUMNS)) {
      const cell = document.createElement(column === "run" ? "th" : "td");
      if (column === "run") {
        cell.scope = "row";
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = run.color;
        swatch.setAttribute("aria-hidden", "true");
        cell.append(swatch, runName(run), run.status === "running" ? "" : ` (${run.status})`);
      } else if (column === "settings") {
        const diffs = this.history.differences(run, registry);
        cell.append(describeRun(run));
        if (diffs.length) {
          const small = document.createElement("small");
          small.className = "differences";
          small.textContent = `Differs from this run: ${diffs.join(", ")}`;
          cell.append(small);
        }
      } else {
        cell.textContent = text(run);
      }
      row.append(cell);
    }
    const actions = document.createElement("td");
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "Train again with these settings";
    again.addEventListener("click", () => this.onTrainAgain(run));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete ${runName(run)}`);
    remove.addEventListener("click", () => this.history.remove(run.id));
    actions.append(again, " ", remove);
    row.append(actions);
    return row;
  }
}
