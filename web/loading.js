// The loading panel: one line per named start-up stage (runtime, NumPy, nn_impl, data, pre-trained model)
// with its size and state, a line for the matrix-product kernel (it comes after "ready", off this list's
// progress), a progress bar, and on failure what failed plus a Retry button.

const STAGES = ["runtime", "numpy", "nn_impl", "data", "pre-trained model"];

const formatBytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);

export class LoadingPanel {
  constructor(root) {
    this.root = root;
    this.bar = root.querySelector("#load-progress");
    this.errorBox = root.querySelector("#load-error");
    this.errorText = root.querySelector("#load-error-text");
    this.reset();
  }

  reset() {
    this.done = new Set();
    this.root.hidden = false;
    this.errorBox.hidden = true;
    this.bar.value = 0;
    for (const li of this.root.querySelectorAll("[data-stage]")) {
      li.dataset.status = "waiting";
      li.querySelector(".detail").textContent = "";
    }
  }

  /**
   * Show each stage's download size from build-info.json ({files: {path: {bytes}}}), so the visitor knows
   * what is coming. Optional: without it the sizes appear as the downloads progress.
   */
  showSizes(buildInfo) {
    const files = (buildInfo && buildInfo.files) || {};
    const bytesOf = (test) => Object.entries(files).reduce((n, [path, f]) => n + (test(path) ? f.bytes : 0), 0);
    const sizes = {
      runtime: bytesOf((p) => /^pyodide\/(pyodide\.asm\.(js|wasm)|python_stdlib\.zip|pyodide\.mjs)$/.test(p)),
      numpy: bytesOf((p) => /^pyodide\/numpy-.*\.whl$/.test(p)),
      nn_impl: bytesOf((p) => /^pyodide\/nn_impl-.*\.whl$/.test(p)),
      data: bytesOf((p) => p === "data/mnist-subset.npz"),
      "pre-trained model": bytesOf((p) => p === "data/pretrained.npz"),
      "matrix products": bytesOf((p) => p === "kernels.wasm"),
    };
    for (const [stage, bytes] of Object.entries(sizes)) {
      const li = this._item(stage);
      if (li && bytes > 0 && li.dataset.status === "waiting") li.querySelector(".detail").textContent = formatBytes(bytes);
    }
  }

  _item(stage) {
    return this.root.querySelector(`[data-stage="${CSS.escape(stage)}"]`);
  }

  /** A "stage" message from the worker: {stage, status: start|progress|done|failed, bytes?, total?, ms?}. */
  update(message) {
    const li = this._item(message.stage);
    if (!li) return;
    const detail = li.querySelector(".detail");
    if (message.status === "progress" && message.bytes) {
      li.dataset.status = "running";
      detail.textContent = message.total
        ? `${formatBytes(message.bytes)} of ${formatBytes(message.total)}`
        : formatBytes(message.bytes);
    } else if (message.status === "start") {
      li.dataset.status = "running";
    } else if (message.status === "done") {
      li.dataset.status = "done";
      this.done.add(message.stage);
      const parts = [];
      if (message.bytes) parts.push(formatBytes(message.bytes));
      if (message.ms) parts.push(`ready at ${(message.ms / 1000).toFixed(1)} s`);
      detail.textContent = parts.join(", ");
    } else if (message.status === "failed") {
      li.dataset.status = "failed";
      detail.textContent = message.message || "failed";
      this.done.add(message.stage); // a missing pre-trained model does not block training
    }
    this.bar.value = this.done.size / STAGES.length;
  }

  finish() {
    this.bar.value = 1;
    this.root.hidden = true;
  }

  fail(stage, message) {
    const li = stage && this._item(stage);
    if (li) li.dataset.status = "failed";
    this.errorText.textContent = `Loading failed${stage ? ` at "${stage}"` : ""}: ${message}`;
    this.errorBox.hidden = false;
    this.root.hidden = false;
  }
}
