// The drawing pad: a canvas the visitor draws a digit on with mouse, finger or pen (pointer events), or that
// shows a photo they opened. It knows nothing about the worker: it hands out pixels and says when they changed.
//
// The canvas is transparent with dark ink: Python's preprocessing reads a transparent background as "no ink",
// whatever the ink's colour (nn_impl.preprocess.ink_map), and the page's white shows through.

const INK = "#111";

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas its width/height attributes fix the pixel grid (280×280: MNIST ×10)
   * @param {(reason: "stroke" | "end" | "clear" | "load") => void} onChange called when the picture changes:
   *        "stroke" while a stroke goes on (often: the caller throttles), "end" when the pen lifts
   */
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.onChange = onChange;
    this.empty = true;
    this.photo = null; // {pixels: Uint8ClampedArray, width, height, name} while a photo is shown, not a drawing
    this._pointer = null; // id of the pointer drawing now (one at a time: a palm must not add strokes)
    this._last = null;
    // MNIST strokes are ~2-3 px wide in a digit ~20 px tall. A digit drawn to fill this canvas is scaled
    // down ~10× by the preprocessing, so ~1/14 of the canvas gives MNIST-like strokes; the blur gives the soft
    // anti-aliased edge MNIST's scanning and resampling left.
    this.lineWidth = Math.round(canvas.width / 14);
    canvas.style.touchAction = "none"; // the finger draws instead of scrolling the page
    canvas.addEventListener("pointerdown", (e) => this._down(e));
    canvas.addEventListener("pointermove", (e) => this._move(e));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      canvas.addEventListener(type, (e) => this._up(e));
    }
    // Where pointer capture is unavailable, a pen lifted outside the canvas still ends the stroke.
    window.addEventListener("pointerup", (e) => this._up(e));
  }

  /** The picture to classify: {pixels: Uint8ClampedArray RGBA (height*width*4), shape: [height, width, 4]}. */
  pixels() {
    if (this.photo) return { pixels: this.photo.pixels.slice(), shape: [this.photo.height, this.photo.width, 4] };
    const { width, height } = this.canvas;
    return { pixels: this.ctx.getImageData(0, 0, width, height).data, shape: [height, width, 4] };
  }

  /**
   * The picture as it can be kept and shown again (restore): {canvas: ImageData of the pad (height*width*4
   * RGBA), photo: {pixels, width, height, name} | null}, or null when the pad is empty.
   */
  picture() {
    if (this.empty) return null;
    const { width, height } = this.canvas;
    return { canvas: this.ctx.getImageData(0, 0, width, height), photo: this.photo && { ...this.photo } };
  }

  /** Show a picture that picture() gave (on a pad of the same size); it is then predicted like a drawing. */
  restore({ canvas, photo }) {
    if (canvas.width !== this.canvas.width || canvas.height !== this.canvas.height) return;
    this.clear(false);
    this.ctx.putImageData(canvas, 0, 0);
    this.photo = photo;
    this.empty = false;
    this.onChange("load");
  }

  get drawing() {
    return this._pointer !== null;
  }

  clear(notify = true) {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.empty = true;
    this.photo = null;
    this._pointer = null;
    this._last = null;
    if (notify) this.onChange("clear");
  }

  /**
   * Show a 28×28 MNIST digit (white ink on black, uint8 values, length 784) as ink on the pad, scaled up
   * to the whole canvas, so the visitor can see it and draw over it.
   */
  loadDigit(values) {
    this.clear(false);
    const small = document.createElement("canvas");
    small.width = 28;
    small.height = 28;
    const sctx = small.getContext("2d");
    const image = sctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      image.data[4 * i + 0] = 17; // INK's colour, with the digit's brightness as opacity
      image.data[4 * i + 1] = 17;
      image.data[4 * i + 2] = 17;
      image.data[4 * i + 3] = values[i];
    }
    sctx.putImageData(image, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.empty = false;
    this.onChange("load");
  }

  /**
   * Show a photo (an ImageBitmap or image) and classify its own pixels rather than the pad's: the photo keeps
   * its background (paper), which the preprocessing needs to find the ink. Large photos are scaled so that their
   * longer side is at most `maxSide` pixels (plenty for a 20×20 digit, and quick to send).
   */
  loadPhoto(bitmap, name = "the image", maxSide = 800) {
    this.clear(false);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const full = document.createElement("canvas");
    full.width = width;
    full.height = height;
    const fctx = full.getContext("2d", { willReadFrequently: true });
    fctx.drawImage(bitmap, 0, 0, width, height);
    this.photo = { pixels: fctx.getImageData(0, 0, width, height).data, width, height, name };
    // On the pad, the photo fitted and centred, for the visitor to see what is being classified.
    const fit = Math.min(this.canvas.width / width, this.canvas.height / height);
    const w = width * fit;
    const h = height * fit;
    this.ctx.drawImage(full, (this.canvas.width - w) / 2, (this.canvas.height - h) / 2, w, h);
    this.empty = false;
    this.onChange("load");
  }

  _point(event) {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * this.canvas.width,
      y: ((event.clientY - rect.top) / rect.height) * this.canvas.height,
    };
  }

  _down(event) {
    if (this._pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    if (this.photo) this.clear(false); // drawing replaces a photo: the two do not mix
    this._pointer = event.pointerId;
    try {
      this.canvas.setPointerCapture(event.pointerId); // keep the stroke when the pointer leaves the canvas
    } catch (_) {
      /* synthetic or already released pointers cannot be captured; the stroke still works inside */
    }
    this._last = this._point(event);
    this._dot(this._last);
    this.empty = false;
    this.onChange("stroke");
  }

  _move(event) {
    if (event.pointerId !== this._pointer) return;
    event.preventDefault();
    // Coalesced events: the points the browser merged into this one, so fast strokes stay smooth curves.
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) {
      const p = this._point(e);
      this._segment(this._last, p);
      this._last = p;
    }
    this.onChange("stroke");
  }

  _up(event) {
    if (event.pointerId !== this._pointer) return;
    this._pointer = null;
    this._last = null;
    this.onChange("end");
  }

  _style() {
    const c = this.ctx;
    c.strokeStyle = INK;
    c.fillStyle = INK;
    c.lineWidth = this.lineWidth;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.shadowColor = INK;
    c.shadowBlur = this.lineWidth * 0.35;
  }

  _dot(p) {
    this._style();
    this.ctx.beginPath();
    this.ctx.arc(p.x, p.y, this.lineWidth / 2, 0, 2 * Math.PI);
    this.ctx.fill();
  }

  _segment(a, b) {
    this._style();
    this.ctx.beginPath();
    this.ctx.moveTo(a.x, a.y);
    this.ctx.lineTo(b.x, b.y);
    this.ctx.stroke();
  }
}
