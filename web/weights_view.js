// "What the first layer learned": each first-hidden-layer unit's 784 incoming weights as a 28×28 image
// (Session.inspect's "weights": each image scaled by its own largest |weight|, so 0 is white, +1 red, -1 blue).
// All units are tiled onto one canvas (see pixels.js for why not a canvas per unit); hovering a tile names its
// unit.
import { drawWeightSheet, tileOrigin } from "./pixels.js";

// Enough to see the patterns; a very wide first layer would otherwise make a huge picture to redraw every epoch.
const MAX_UNITS = 256;
const MAX_COLUMNS = 16;
const SCALE = 2; // at most this many screen pixels per weight (narrow screens shrink the picture)

export class WeightsView {
  /** @param {HTMLCanvasElement} sheet shows the tiles  @param {HTMLElement} caption */
  constructor(sheet, caption) {
    this.sheet = sheet;
    this.caption = caption;
    this.units = 0; // in the first hidden layer (the sheet shows at most MAX_UNITS of them)
    this.columns = 1; // tiles per row on the sheet
    this.tile = [28, 28]; // each unit's image: width, height
    this.sheet.addEventListener("mousemove", (event) => {
      const unit = this.unitAt(event.offsetX / this.sheet.clientWidth, event.offsetY / this.sheet.clientHeight);
      this.sheet.title = unit === null ? "" : `hidden unit ${unit + 1}`;
    });
  }

  /** `weights`: {shape: [n_units, 28, 28], data: Float32Array}, or null (no model). */
  show(weights, modelDescription) {
    if (!weights) {
      this.units = 0;
      this.sheet.hidden = true;
      this.caption.textContent = "No model yet.";
      return;
    }
    const [nUnits, h, w] = weights.shape;
    const shown = Math.min(nUnits, MAX_UNITS);
    this.columns = gridColumns(shown);
    drawWeightSheet(this.sheet, weights.data, shown, this.columns, w, h);
    this.sheet.style.maxWidth = `${this.sheet.width * SCALE + 2}px`; // + its 1-px border (box-sizing)
    this.sheet.hidden = false;
    this.sheet.dataset.units = String(shown);
    this.sheet.dataset.columns = String(this.columns);
    this.units = nUnits;
    this.tile = [w, h];
    const more = nUnits > shown ? ` (the first ${shown} of ${nUnits} shown)` : "";
    this.sheet.setAttribute("aria-label", `First-layer weights of ${shown} hidden units, one 28×28 image each`);
    this.caption.textContent = `${modelDescription}: ${nUnits} units in the first hidden layer${more}. ` +
      "Red pixels excite a unit, blue ones inhibit it; each image is scaled by its own strongest weight.";
  }

  /** The unit (0-based) whose tile is at (fx, fy), fractions of the picture's width and height; or null. */
  unitAt(fx, fy) {
    if (!this.units || !(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
    const [w, h] = this.tile;
    const shown = Number(this.sheet.dataset.units);
    const x = Math.floor(fx * this.sheet.width);
    const y = Math.floor(fy * this.sheet.height);
    const unit = Math.floor(y / (h + 1)) * this.columns + Math.floor(x / (w + 1));
    const [x0, y0] = tileOrigin(unit, this.columns, w, h);
    const onGutter = x - x0 >= w || y - y0 >= h;
    return unit < shown && !onGutter ? unit : null;
  }
}

/** Tiles per row for n units: a squarish grid, at most MAX_COLUMNS wide, with full rows when a width allows
 * it (8×4 for 32, 16×8 for 128; 7 to a row for 37, the last row short). */
function gridColumns(n) {
  const squarish = Math.min(MAX_COLUMNS, Math.ceil(Math.sqrt(n)));
  for (let c = squarish; c <= MAX_COLUMNS; c++) if (n % c === 0) return c;
  return squarish;
}
