// The test-set explorer: a page of test digits with the model's label and confidence, the wrong ones marked,
// a "Misclassified only" filter, a filter to one cell of the confusion matrix (true i, predicted j) with a way
// back, and a detail view (large image, probabilities, "Load into canvas", "One training step on this image").
import { drawGrey, greyImageURL } from "./pixels.js";
import { ProbabilityBars } from "./probabilities.js";

const PAGE_SIZE = 48;

export class TestSetExplorer {
  /**
   * @param {HTMLElement} root the explorer's section (holds the elements with the ids used below)
   * @param {(pixels: Uint8Array) => void} onLoadIntoCanvas called with a test digit's 784 pixels
   * @param {(index: number) => void} onShowTrainingStep called with a test image's index ("One training step")
   */
  constructor(root, onLoadIntoCanvas, onShowTrainingStep) {
    const $ = (id) => root.querySelector(`#${id}`);
    this.grid = $("explorer-grid");
    this.status = $("explorer-status");
    this.filter = $("explorer-wrong");
    this.previousButton = $("explorer-previous");
    this.nextButton = $("explorer-next");
    this.detail = $("explorer-detail");
    this.detailImage = $("explorer-detail-image");
    this.detailText = $("explorer-detail-text");
    this.detailBars = new ProbabilityBars($("explorer-detail-proba"));
    this.loadButton = $("explorer-load");
    this.allButton = $("explorer-all");
    this.cell = null; // {truth, pred, onBack}: only the images of that confusion-matrix cell are shown
    this.images = null; // {data: Uint8Array (n*784), n}
    this.imageURLs = new Map(); // test image index -> its PNG data: URL (made when first shown; ~1 KB each)
    this.labels = null; // Uint8Array (n,)
    this.predictions = null; // {pred: Int32Array (n,), confidence: Float32Array (n,), proba: Float32Array (n*10)}
    this.shown = []; // indices of the test images the filter lets through
    this.page = 0;
    this.selected = null;
    this.filter.addEventListener("change", () => {
      this.page = 0;
      this.render();
    });
    this.allButton.addEventListener("click", () => {
      const back = this.cell && this.cell.onBack;
      this.showCell(null);
      if (back) back(); // back where the learner came from
    });
    this.previousButton.addEventListener("click", () => this._turn(-1));
    this.nextButton.addEventListener("click", () => this._turn(1));
    this.loadButton.addEventListener("click", () => {
      if (this.selected === null) return;
      onLoadIntoCanvas(this._pixels(this.selected));
    });
    $("explorer-step").addEventListener("click", () => {
      if (this.selected !== null) onShowTrainingStep(this.selected);
    });
  }

  /**
   * The bundled test images ({shape: [n, 28, 28], data: Uint8Array}) and labels ({data: Uint8Array}), and, if
   * given, the model's answers on them (as setPredictions takes them): one rendering for both.
   */
  setImages(xTest, yTest, answers = undefined) {
    this.images = { data: xTest.data, n: xTest.shape[0] };
    this.labels = yTest.data;
    this.imageURLs.clear();
    this.grid.replaceChildren(); // new images: no cell of the old ones is kept
    if (answers !== undefined) this.predictions = unpackPredictions(answers);
    this.render();
  }

  /** The current model's answers on those images (Session.inspect's "explorer" part), or null: no model. */
  setPredictions(answers) {
    this.predictions = unpackPredictions(answers);
    this.render();
  }

  /**
   * Show only the test images labelled `cell.truth` that the model predicted as `cell.pred` (a confusion-matrix
   * cell), or everything again with null. `cell.onBack` runs when the learner presses "Show all test images".
   */
  showCell(cell) {
    this.cell = cell;
    this.page = 0;
    this.allButton.hidden = cell === null;
    this.filter.disabled = cell !== null;
    this.render();
  }

  _pixels(index) {
    return this.images.data.subarray(index * 784, (index + 1) * 784);
  }

  _isWrong(index) {
    return this.predictions !== null && this.predictions.pred[index] !== this.labels[index];
  }

  _turn(step) {
    const pages = Math.max(1, Math.ceil(this.shown.length / PAGE_SIZE));
    this.page = Math.min(pages - 1, Math.max(0, this.page + step));
    this.render();
  }

  render() {
    if (!this.images) return;
    const n = this.images.n;
    const cell = this.predictions !== null ? this.cell : null;
    const wrongOnly = this.filter.checked && this.predictions !== null && cell === null;
    this.shown = [];
    let nWrong = 0;
    for (let i = 0; i < n; i++) {
      const wrong = this._isWrong(i);
      if (wrong) nWrong++;
      if (cell) {
        if (this.labels[i] === cell.truth && this.predictions.pred[i] === cell.pred) this.shown.push(i);
      } else if (!wrongOnly || wrong) this.shown.push(i);
    }
    const pages = Math.max(1, Math.ceil(this.shown.length / PAGE_SIZE));
    this.page = Math.min(this.page, pages - 1);
    const first = this.page * PAGE_SIZE;
    const onPage = this.shown.slice(first, first + PAGE_SIZE);
    // After each epoch only the predictions change: the same page keeps its cells (and their images) and has
    // its captions rewritten, rather than being rebuilt.
    const cells = [...this.grid.children];
    const samePage = cells.length === onPage.length &&
      cells.every((cell, k) => Number(cell.dataset.index) === onPage[k]);
    if (!samePage) this.grid.replaceChildren(...onPage.map((i) => this._cell(i)));
    for (const cell of this.grid.children) this._describe(cell);
    const fmt = (v) => v.toLocaleString("en-US");
    const range = onPage.length ? `${fmt(first + 1)}–${fmt(first + onPage.length)}` : "none";
    let text = `Showing ${range} of ${fmt(this.shown.length)}`;
    if (!this.predictions) text += " test images; no model has looked at them yet.";
    else if (cell) text += ` test images labelled ${cell.truth} that the model predicted as ${cell.pred} (a cell of the confusion matrix).`;
    else if (wrongOnly) text += ` misclassified test images (of ${fmt(n)}).`;
    else text += ` test images; ${fmt(nWrong)} misclassified.`;
    this.status.textContent = text;
    this.previousButton.disabled = this.page === 0;
    this.nextButton.disabled = this.page >= pages - 1;
    if (this.selected !== null) this._showDetail(this.selected);
  }

  /** A new grid cell for test image `index`: a button holding the image and a caption (see _describe). */
  _cell(index) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "digit-cell";
    button.dataset.index = String(index);
    button.dataset.true = String(this.labels[index]);
    const image = document.createElement("img");
    image.alt = ""; // the button's label says what it shows
    image.width = 28;
    image.height = 28;
    image.src = this._imageURL(index);
    const caption = document.createElement("span");
    caption.className = "digit-caption";
    button.append(image, caption);
    button.addEventListener("click", () => {
      this._showDetail(index);
      // on a narrow screen the detail sits below the grid: bring it into view
      this.detail.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
    return button;
  }

  _imageURL(index) {
    let url = this.imageURLs.get(index);
    if (!url) {
      url = greyImageURL(this._pixels(index));
      this.imageURLs.set(index, url);
    }
    return url;
  }

  /** Write a cell's caption, accessible label and "wrong" mark for the current predictions (if any). */
  _describe(button) {
    const index = Number(button.dataset.index);
    const truth = this.labels[index];
    // the caption is words of the label (what a voice-control user says is what they see)
    let text = `labelled ${truth}`;
    let label = `Test image ${index + 1}, labelled ${truth}`;
    let wrong = false;
    if (this.predictions) {
      const pred = this.predictions.pred[index];
      const confidence = Math.round(this.predictions.confidence[index] * 100);
      wrong = pred !== truth;
      text = `${pred} (${confidence} %)`;
      label += `: predicted ${pred} (${confidence} %)${wrong ? ", wrong" : ""}`;
    }
    // Most captions stay the same from one epoch to the next: rewriting them anyway would lay them out again.
    if (button.getAttribute("aria-label") === label) return;
    const caption = button.querySelector(".digit-caption");
    caption.textContent = text;
    // a wrong answer's mark, "✗ is 3", is a symbol and words, not colour alone; style.css writes it from
    // data-true, so that it is shown but not part of the text (the label already says "labelled 3 ... wrong")
    if (this.predictions) button.dataset.pred = String(this.predictions.pred[index]);
    else delete button.dataset.pred;
    button.classList.toggle("wrong", wrong);
    button.setAttribute("aria-label", label);
  }

  _showDetail(index) {
    this.selected = index;
    this.detail.hidden = false;
    drawGrey(this.detailImage, this._pixels(index));
    const truth = this.labels[index];
    if (this.predictions) {
      const pred = this.predictions.pred[index];
      const k = this.predictions.nClasses;
      const verdict = pred === truth ? "right" : "wrong";
      this.detailText.textContent =
        `Test image ${index + 1}: labelled ${truth}, the model says ${pred} (${verdict}).`;
      this.detailBars.show(this.predictions.proba.subarray(index * k, (index + 1) * k));
    } else {
      this.detailText.textContent = `Test image ${index + 1}: labelled ${truth}. No model has looked at it yet.`;
      this.detailBars.show(null);
    }
  }
}

/** Session.inspect's "explorer" part ({pred, confidence, proba}, each an ndarray) as plain typed arrays. */
function unpackPredictions(answers) {
  return answers
    ? { pred: answers.pred.data, confidence: answers.confidence.data, proba: answers.proba.data,
      nClasses: answers.proba.shape[1] }
    : null;
}
