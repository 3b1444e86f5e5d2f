// "What the first layer learned": each first-hidden-layer unit's 784 incoming weights as a 28×28 image
// (Session.inspect's "weights": each image scaled by its own largest |weight|, so 0 is white, +1 red, -1 blue).
import { drawDiverging } from "./pixels.js";

// Enough to see the patterns; a very wide first layer would otherwise add thousands of canvases to the page.
const MAX_UNITS = 256;

export class WeightsView {
  /** @param {HTMLElement} grid filled with one small canvas per unit  @param {HTMLElement} caption */
  constructor(grid, caption) {
    this.grid = grid;
    this.caption = caption;
    this.units = 0;
  }

  /** `weights`: {shape: [n_units, 28, 28], data: Float32Array}, or null (no model). */
  show(weights, modelDescription) {
    if (!weights) {
      this.units = 0;
      this.grid.replaceChildren();
      this.caption.textContent = "No model yet.";
      return;
    }
    const [nUnits, h, w] = weights.shape;
    const shown = Math.min(nUnits, MAX_UNITS);
    // Reuse the canvases when the layer keeps its size (every epoch of a run): no layout churn.
    if (this.grid.children.length !== shown) {
      const cells = [];
      for (let j = 0; j < shown; j++) {
        const canvas = document.createElement("canvas");
        canvas.className = "weight-cell";
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `hidden unit ${j + 1}`);
        cells.push(canvas);
      }
      this.grid.replaceChildren(...cells);
    }
    for (let j = 0; j < shown; j++) {
      drawDiverging(this.grid.children[j], weights.data.subarray(j * h * w, (j + 1) * h * w), w, h);
    }
    this.units = nUnits;
    const more = nUnits > shown ? ` (the first ${shown} of ${nUnits} shown)` : "";
    this.caption.textContent = `${modelDescription}: ${nUnits} units in the first hidden layer${more}. ` +
      "Red pixels excite a unit, blue ones inhibit it; each image is scaled by its own strongest weight.";
  }
}
