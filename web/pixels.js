// Small images drawn pixel for pixel: MNIST digits (grey) and first-layer weights (a diverging colour map).
// Each becomes a canvas of its true size (28×28); CSS scales it up with `image-rendering: pixelated`.

/**
 * Draw a grey image on `canvas`: `values` (length width*height, row-major) scaled by `max` to 0..255,
 * white ink on black as MNIST stores it (and as the network sees it).
 */
export function drawGrey(canvas, values, width = 28, height = 28, max = 255) {
  const ctx = sized(canvas, width, height);
  const image = ctx.createImageData(width, height);
  const k = 255 / max;
  for (let i = 0; i < width * height; i++) {
    const v = values[i] * k; // the Uint8ClampedArray below clamps and rounds
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

// Diverging map for weights in [-1, 1]: blue for negative, white for 0, red for positive (ColorBrewer RdBu ends),
// so a unit's image shows which pixels push it up and which push it down.
const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];

/** One weight in [-1, 1] -> [r, g, b]. */
export function divergingColour(w) {
  const t = Math.min(1, Math.abs(w));
  const end = w < 0 ? NEGATIVE : POSITIVE;
  return end.map((c) => Math.round(255 + (c - 255) * t));
}

/** Draw weights in [-1, 1] (length width*height) on `canvas` with the diverging map. */
export function drawDiverging(canvas, values, width = 28, height = 28) {
  const ctx = sized(canvas, width, height);
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    // divergingColour inlined: this runs for every pixel of every unit after every epoch
    const w = values[i];
    const t = Math.min(1, Math.abs(w));
    const end = w < 0 ? NEGATIVE : POSITIVE;
    image.data[4 * i] = 255 + (end[0] - 255) * t; // the Uint8ClampedArray rounds
    image.data[4 * i + 1] = 255 + (end[1] - 255) * t;
    image.data[4 * i + 2] = 255 + (end[2] - 255) * t;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** The canvas's 2-D context at width×height; resizing only when needed (a resize resets the canvas). */
function sized(canvas, width, height) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return canvas.getContext("2d");
}
