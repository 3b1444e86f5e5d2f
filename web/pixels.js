// Small images drawn pixel for pixel: MNIST digits (grey) and first-layer weights (a diverging colour map).
//
// Chromium composites every <canvas> on the page as a layer of its own and hands each one to the compositor at
// every frame. With a canvas per test digit and per hidden unit (about 180) one frame took 40-60 ms while
// training (traced in headless Chromium): long tasks on the main thread. So the page keeps few canvases:
//  - drawGrey(canvas, ...) paints one digit on a canvas of its true size (28×28; CSS scales it up with
//    `image-rendering: pixelated`): what the network sees, the selected test digit;
//  - greyImageURL(...) turns a digit into a PNG `data:` URL for an <img> (about 0.1 ms): the explorer's grid,
//    whose images do not change while the network learns;
//  - drawWeightSheet(canvas, ...) tiles all first-layer units onto one canvas, redrawn after every epoch.

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

// Never attached to the page, so never composited: it only turns pixels into PNG files. Kept in plain memory
// (willReadFrequently), so making a PNG never waits for a read-back from the GPU process.
const scratch = document.createElement("canvas");
scratch.getContext("2d", { willReadFrequently: true });

/** The grey image of drawGrey as a PNG `data:` URL (for an <img>). */
export function greyImageURL(values, width = 28, height = 28, max = 255) {
  drawGrey(scratch, values, width, height, max);
  return scratch.toDataURL("image/png");
}

// Diverging map for weights in [-1, 1]: blue for negative, white for 0, red for positive (ColorBrewer RdBu ends),
// so a unit's image shows which pixels push it up and which push it down. A weight w goes from white (0) towards
// the end colour of its sign, all the way there at |w| = 1.
const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];
const GUTTER = [208, 213, 221]; // the page's border grey: tiles stay apart even where their weights are 0 (white)

/** [r, g, b] as one 32-bit pixel in ImageData's byte order (RGBA in memory, whatever the machine's endianness). */
function pixelWord([r, g, b]) {
  return new Uint32Array(new Uint8ClampedArray([r, g, b, 255]).buffer)[0];
}

// The map as a table of 511 colours, for w = -1, -1 + 1/255, ..., +1: every first-layer weight is drawn after
// every epoch, and a look-up per weight keeps that to a few milliseconds. 255 steps per sign is as fine as the
// 8-bit colour channels can show.
const WEIGHT_COLOURS = Uint32Array.from({ length: 511 }, (_, i) => {
  const w = i / 255 - 1;
  const end = w < 0 ? NEGATIVE : POSITIVE;
  return pixelWord(end.map((c) => 255 + (c - 255) * Math.abs(w))); // the Uint8ClampedArray rounds
});
const GUTTER_WORD = pixelWord(GUTTER);

/** Where unit `unit`'s tile starts in a sheet of `columns` tiles of width×height with 1-px gutters: [x, y]. */
export function tileOrigin(unit, columns, width = 28, height = 28) {
  return [(unit % columns) * (width + 1), Math.floor(unit / columns) * (height + 1)];
}

/**
 * Many weight images on one canvas: `data` holds `nUnits` images of width×height (values in [-1, 1], each
 * image's pixels row-major, one image after the other), tiled `columns` to a row in the diverging colours,
 * 1-px gutters between them. The canvas becomes columns*(width+1)-1 pixels wide (and as high as the rows need).
 */
export function drawWeightSheet(canvas, data, nUnits, columns, width = 28, height = 28) {
  const rows = Math.ceil(nUnits / columns);
  const sheetWidth = columns * (width + 1) - 1;
  const sheetHeight = rows * (height + 1) - 1;
  const ctx = sized(canvas, sheetWidth, sheetHeight);
  const image = ctx.createImageData(sheetWidth, sheetHeight);
  const pixels = new Uint32Array(image.data.buffer); // one word per pixel, all transparent
  for (let unit = 0; unit < nUnits; unit++) {
    const [x0, y0] = tileOrigin(unit, columns, width, height);
    // the gutter above and left of the tile (a short last row leaves the rest of the sheet transparent)
    if (y0 > 0) pixels.fill(GUTTER_WORD, (y0 - 1) * sheetWidth + Math.max(0, x0 - 1), (y0 - 1) * sheetWidth + x0 + width);
    if (x0 > 0) for (let y = y0; y < y0 + height; y++) pixels[y * sheetWidth + x0 - 1] = GUTTER_WORD;
    for (let y = 0; y < height; y++) {
      const from = unit * width * height + y * width; // this row of the unit's image in `data`
      const to = (y0 + y) * sheetWidth + x0; // and on the sheet
      for (let x = 0; x < width; x++) {
        const w = Math.max(-1, Math.min(1, data[from + x]));
        pixels[to + x] = WEIGHT_COLOURS[Math.round((w + 1) * 255)];
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** The canvas's 2-D context at width×height; resizing only when needed (a resize resets the canvas). */
function sized(canvas, width, height) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return canvas.getContext("2d");
}
