// The ten class probabilities as a bar chart made of plain elements: each row reads "3  ▇▇▇▇  92.1 %", so a
// screen reader gets the numbers as text, and the most probable class is marked.

export class ProbabilityBars {
  /** @param {HTMLElement} container emptied and filled with one row per class */
  constructor(container, nClasses = 10) {
    this.container = container;
    this.container.replaceChildren();
    this.rows = [];
    for (let k = 0; k < nClasses; k++) {
      const row = document.createElement("div");
      row.className = "prob-row";
      row.setAttribute("role", "listitem");
      const digit = document.createElement("span");
      digit.className = "prob-digit";
      digit.textContent = String(k);
      const track = document.createElement("span");
      track.className = "prob-track";
      track.setAttribute("aria-hidden", "true");
      const bar = document.createElement("span");
      bar.className = "prob-bar";
      track.append(bar);
      const value = document.createElement("span");
      value.className = "prob-value";
      row.append(digit, track, value);
      this.container.append(row);
      this.rows.push({ row, bar, value });
    }
    this.container.setAttribute("role", "list");
    this.show(null);
  }

  /** Show probabilities (an array-like of nClasses numbers summing to 1), or nothing when `proba` is null. */
  show(proba) {
    let best = -1;
    if (proba) {
      best = 0;
      for (let k = 1; k < proba.length; k++) if (proba[k] > proba[best]) best = k;
    }
    this.rows.forEach(({ row, bar, value }, k) => {
      const p = proba ? proba[k] : 0;
      bar.style.width = `${(p * 100).toFixed(1)}%`;
      value.textContent = proba ? `${(p * 100).toFixed(1)} %` : "–";
      row.dataset.p = proba ? String(p) : "";
      row.classList.toggle("best", k === best);
      row.setAttribute("aria-label", proba ? `${k}: ${(p * 100).toFixed(1)} %` : `${k}: no prediction`);
    });
  }
}
