// The confusion matrix as a table: rows are the true digit, columns the predicted one, each cell the count of
// test images, shaded by that count's share of its row (so a rare class's mistakes show as clearly as a
// common one's). The diagonal (right answers) is blue, the mistakes red; counts are written in every cell.
// Each count is a button ("true 3, predicted 5: 12 images") that shows those images in the explorer.

export class ConfusionView {
  /**
   * @param {HTMLTableElement} table filled in place  @param {HTMLElement} caption the summary line
   * @param onCell (truth, pred, button) => void: a cell's button was pressed
   */
  constructor(table, caption, onCell = () => {}) {
    this.table = table;
    this.caption = caption;
    this.onCell = onCell;
    this.counts = null;
    this.size = 0; // k of the k×k table now built (0: none)
  }

  /** `matrix`: {shape: [k, k], data: Int32Array} (Session.inspect's "confusion"), or null for "no model". */
  show(matrix, modelDescription) {
    if (!matrix) {
      this.counts = null;
      this.size = 0;
      this.table.replaceChildren();
      this.caption.textContent = "No model yet: train one or import one.";
      return;
    }
    const k = matrix.shape[0];
    const counts = Array.from({ length: k }, (_, r) => Array.from(matrix.data.subarray(r * k, (r + 1) * k)));
    this.counts = counts;
    // The table is built once per size and refilled after each epoch: no layout of new rows every time.
    if (this.size !== k) this._build(k);
    const rows = this.table.tBodies[0].rows;
    let total = 0;
    let right = 0;
    for (let r = 0; r < k; r++) {
      const rowTotal = counts[r].reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) {
        const n = counts[r][c];
        total += n;
        if (r === c) right += n;
        const td = rows[r].cells[c + 1]; // cell 0 is the row's header
        const button = td.firstChild;
        if (td.dataset.count !== String(n)) {
          button.textContent = String(n); // only counts that changed: new text means new layout
          td.dataset.count = String(n);
        }
        const share = rowTotal ? n / rowTotal : 0;
        const label = `true ${r}, predicted ${c}: ${n} image${n === 1 ? "" : "s"}`;
        button.setAttribute("aria-label", label);
        td.title = `${label} (${(share * 100).toFixed(1)} % of the ${r}s)`;
        const { background, dark } = shade(share, r === c);
        td.style.background = background;
        td.classList.toggle("dark", dark); // dark cells get white text (style.css), light ones dark text
      }
    }
    const accuracy = total ? ((100 * right) / total).toFixed(2) : "–";
    this.caption.textContent =
      `${modelDescription}: ${right.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} test images ` +
      `right (${accuracy} %). Rows: true digit; columns: predicted digit.`;
  }

  /** An empty k×k table: a header row of predicted digits, then one row per true digit. */
  _build(k) {
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    headRow.append(cornerCell());
    for (let c = 0; c < k; c++) headRow.append(headerCell(String(c), "col"));
    head.append(headRow);
    const body = document.createElement("tbody");
    for (let r = 0; r < k; r++) {
      const row = document.createElement("tr");
      row.append(headerCell(String(r), "row"));
      for (let c = 0; c < k; c++) {
        const td = document.createElement("td");
        if (r === c) td.classList.add("diagonal");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cell-count";
        button.addEventListener("click", () => this.onCell(r, c, button));
        td.append(button);
        row.append(td);
      }
      body.append(row);
    }
    this.table.replaceChildren(head, body);
    this.size = k;
  }
}

function cornerCell() {
  const th = document.createElement("th");
  th.className = "corner";
  th.innerHTML = '<span class="visually-hidden">true digit ↓, predicted digit →</span><span aria-hidden="true">true ↓ pred →</span>';
  return th;
}

function headerCell(text, scope) {
  const th = document.createElement("th");
  th.scope = scope;
  th.textContent = text;
  return th;
}

/** Background for a cell holding `share` of its row: blue on the diagonal, red off it, white at 0; `dark`:
 * whether it takes white text. Shades whose luminance leaves neither white nor dark text WCAG AA contrast
 * (4.5:1) are darkened until white text has it. */
function shade(share, diagonal) {
  // Mistakes are usually a few percent: a square root makes 1-5 % visible without saturating at 50 %.
  let t = diagonal ? share : Math.min(1, Math.sqrt(share));
  const [r, g, b] = diagonal ? [29, 78, 216] : [190, 18, 60];
  const mix = (c, k) => Math.round(255 + (c - 255) * k);
  const luminance = (k) => {
    const lin = (c) => { const v = mix(c, k) / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  // text #1b1b1f (luminance 0.0116) needs L >= 0.227; white text needs L <= 0.183
  while (t < 1 && luminance(t) < 0.227 && luminance(t) > 0.183) t = Math.min(1, t + 0.01);
  return { background: `rgb(${mix(r, t)}, ${mix(g, t)}, ${mix(b, t)})`, dark: luminance(t) <= 0.183 };
}
