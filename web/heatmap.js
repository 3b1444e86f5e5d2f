// Numbers drawn as coloured cells on one canvas, with the value under the pointer read out in words: the step
// view's strips (a vector as one row), matrices (the Jacobian) and tiled images (dL/dW of the first layer).
// Signed values use a diverging map (blue < 0 < red, white at 0), scaled by the largest magnitude shown.

/** [r, g, b] for v in [-1, 1]: blue for negative, white at 0, red for positive. */
function diverging(v) {
  const a = Math.min(1, Math.abs(v));
  const fade = Math.round(255 * (1 - a));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

function largestMagnitude(values) {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m || 1;
}

/**
 * Draw `values` (row-major, rows × cols) on `canvas`, one canvas pixel per value, in tiles: `tiles` is
 * {count, rows, cols, across} when each of `count` rows of `values` is itself a tile (e.g. 32 units × 784 pixels
 * as 28×28 images, `across` per line), else null. Returns the function mapping a pointer position to
 * {index (into values), row, col, tile?} or null.
 */
export function drawHeatmap(canvas, values, rows, cols, tiles = null) {
  const scale = largestMagnitude(values);
  const gap = 1;
  let width = cols;
  let height = rows;
  if (tiles) {
    const down = Math.ceil(tiles.count / tiles.across);
    width = tiles.across * (tiles.cols + gap) - gap;
    height = down * (tiles.rows + gap) - gap;
  }
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  image.data.fill(255);
  const put = (x, y, v) => {
    const [r, g, b] = diverging(v / scale);
    const p = 4 * (y * width + x);
    image.data[p] = r;
    image.data[p + 1] = g;
    image.data[p + 2] = b;
  };
  const tileOrigin = (t) => [(t % tiles.across) * (tiles.cols + gap),
    Math.floor(t / tiles.across) * (tiles.rows + gap)];
  for (let i = 0; i < values.length; i++) {
    if (tiles) {
      const t = Math.floor(i / (tiles.rows * tiles.cols));
      const within = i % (tiles.rows * tiles.cols);
      const [x0, y0] = tileOrigin(t);
      put(x0 + (within % tiles.cols), y0 + Math.floor(within / tiles.cols), values[i]);
    } else {
      put(i % cols, Math.floor(i / cols), values[i]);
    }
  }
  ctx.putImageData(image, 0, 0);
  return (event) => {
    const box = canvas.getBoundingClientRect();
    const x = Math.floor(((event.clientX - box.left) / box.width) * width);
    const y = Math.floor(((event.clientY - box.top) / box.height) * height);
    if (x < 0 || y < 0 || x >= width || y >= height) return null;
    if (!tiles) return { index: y * cols + x, row: y, col: x };
    const tx = Math.floor(x / (tiles.cols + gap));
    const ty = Math.floor(y / (tiles.rows + gap));
    const t = ty * tiles.across + tx;
    const [x0, y0] = tileOrigin(t);
    const px = x - x0;
    const py = y - y0;
    if (t >= tiles.count || px >= tiles.cols || py >= tiles.rows) return null;
    return { index: t * tiles.rows * tiles.cols + py * tiles.cols + px, row: t, col: py * tiles.cols + px, tile: t };
  };
}

/**
 * A captioned heatmap figure whose hovered value is written to `readout` (a role=status element) as
 * `describe(hit, value)`. Returns the <figure>.
 */
export function heatmapFigure({ caption, values, rows, cols, tiles = null, readout, describe, className = "" }) {
  const figure = document.createElement("figure");
  figure.className = `heat ${className}`;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption);
  const locate = drawHeatmap(canvas, values, rows, cols, tiles);
  canvas.addEventListener("mousemove", (event) => {
    const hit = locate(event);
    if (hit) readout.textContent = describe(hit, values[hit.index]);
  });
  const text = document.createElement("figcaption");
  text.textContent = caption;
  figure.append(canvas, text);
  return figure;
}
