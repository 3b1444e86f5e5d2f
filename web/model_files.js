// Carry the model: "Export model" downloads the current model as the .npz file nn_impl.load reads on CPython;
// "Import model" loads such a file (saved by the CLI or by this page). Python checks every file
// (nn_impl.load) before anything changes, so a bad file only produces a message.
//
// Clicks are never lost: exports and imports run one after another, in the order asked. Only an import that
// is still waiting when a newer file is chosen is dropped (the newer choice is what the person wants), and the
// page says which file it dropped.
import { withoutErrorClass } from "./protocol.js";
import { appState, workerUsable } from "./app_state.js";
import { downloadBytes, formatBytes } from "./download.js";

export class ModelIO {
  /**
   * @param {{exportButton: HTMLButtonElement, importInput: HTMLInputElement, message: HTMLElement}} elements
   * @param client the WorkerClient
   * @param {(reply: object, fileName: string) => void} onImported called after a successful import
   */
  constructor({ exportButton, importInput, message }, client, onImported) {
    this.exportButton = exportButton;
    this.importInput = importInput;
    this.message = message;
    this.client = client;
    this.onImported = onImported;
    this.queue = Promise.resolve(); // the export or import in progress, then those asked after it
    this.waitingImport = null; // {file, dropped: [names of older files it replaced]} until its turn comes
    // The largest model file the page reads into the tab (nn_impl.persist.MAX_FILE_BYTES): the load reply's
    // limits.model_file_bytes, set by createModelFiles on "ready"; null before the first load.
    this.maxFileBytes = null;
    exportButton.addEventListener("click", () => this.exportModel());
    importInput.addEventListener("change", () => {
      const file = importInput.files && importInput.files[0];
      importInput.value = ""; // choosing the same file again must fire "change" again
      if (file) this.importModel(file);
    });
  }

  say(text, kind = "info") {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }

  /** Run `job` after everything asked before it (its failure is its own: the queue goes on). */
  enqueue(job) {
    const done = this.queue.then(job);
    this.queue = done.catch(() => {});
    return done;
  }

  exportModel() {
    return this.enqueue(() => this.exportNow());
  }

  async exportNow() {
    try {
      const reply = await this.client.request("export");
      const bytes = reply.bytes.data;
      downloadBytes(bytes, reply.filename);
      this.say(`Exported ${reply.filename} (${formatBytes(bytes.byteLength)}). ` +
        "Load it on CPython with nn_impl.load(path).");
    } catch (err) {
      this.say(`Export failed: ${withStop(withoutErrorClass(err.message))}`, "error");
    }
  }

  importModel(file) {
    const keep = "The current model keeps answering.";
    if (this.maxFileBytes === null) { // the input is disabled until then; a file given anyway is not lost silently
      this.say(`Could not import ${file.name} yet: the page is still loading. Choose it again once it has loaded.`,
        "error");
      return Promise.resolve();
    }
    if (file.size > this.maxFileBytes) { // refused at once, whatever is under way
      this.say(`Could not import ${file.name}: it is ${formatBytes(file.size)}, larger than the ` +
        `${this.maxFileBytes / 2 ** 20} MiB a model file may have; is it a model file? ${keep}`, "error");
      return Promise.resolve();
    }
    const job = { file, dropped: [] };
    const older = this.waitingImport;
    if (older) job.dropped.push(...older.dropped, older.file.name);
    this.waitingImport = job;
    if (older) this.say(`Waiting to import ${file.name}; ${this.droppedNote(job)}`);
    else this.say(`Importing ${file.name}…`);
    return this.enqueue(() => {
      if (this.waitingImport !== job) return undefined; // a newer file was chosen: this one is dropped
      this.waitingImport = null;
      return this.importNow(job);
    });
  }

  droppedNote(job) {
    const names = job.dropped.join(", ");
    return job.dropped.length === 0 ? ""
      : `dropped ${names}: chosen before ${job.file.name} and not yet started.`;
  }

  async importNow(job) {
    const { file } = job;
    const keep = "The current model keeps answering.";
    const dropped = job.dropped.length ? ` (${this.droppedNote(job)})` : "";
    try {
      this.say(`Importing ${file.name}…${dropped}`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const reply = await this.client.request("import", { data: bytes }, [bytes.buffer]);
      const layers = reply.layer_sizes.join("-");
      const accuracy = reply.test_accuracy == null ? "" : `, ${(reply.test_accuracy * 100).toFixed(2)} % on the test images`;
      this.say(`Imported ${file.name}: a ${layers} network${accuracy}. It answers predictions now.${dropped}`);
      this.onImported(reply, file.name);
    } catch (err) {
      if (err.stage === "cancelled") {
        this.say(`Import of ${file.name} cancelled; the network that answered before answers again.${dropped}`);
        return;
      }
      // Python's message names the problem (truncated, not an npz, shapes, NaN, pickle...); "model file:"
      // is its generic name for the bytes, the visitor knows the file by its own name.
      const text = withStop(withoutErrorClass(err.message).replace(/^model file: /, ""));
      this.say(`Could not import ${file.name}: ${text} ${keep}${dropped}`, "error");
    }
  }
}

/** A sentence ends with a full stop (Python's messages often do not). */
export function withStop(text) {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}


/**
 * The "Carry the model" panel: Export and Import, enabled when the page's state allows them. After an import
 * it dispatches "model-changed" {name: "imported", layer_sizes} on the bus.
 */
export function createModelFiles({ client, bus }) {
  const $ = (id) => document.getElementById(id);
  const files = new ModelIO(
    { exportButton: $("btn-export"), importInput: $("import-file"), message: $("model-io-message") },
    client,
    (reply) => bus.dispatchEvent(
      new CustomEvent("model-changed", { detail: { name: "imported", layer_sizes: reply.layer_sizes } })),
  );
  function updateButtons() {
    $("btn-export").disabled = !workerUsable();
    // Import replaces the answering model; during a run the trainer would take over again at the next
    // slice, so importing waits until the run has stopped or finished.
    const importInput = $("import-file");
    importInput.disabled = appState() !== "ready";
    importInput.closest("label").classList.toggle("disabled", importInput.disabled);
  }
  bus.addEventListener("ready", (event) => { files.maxFileBytes = event.detail.limits.model_file_bytes; });
  bus.addEventListener("state", updateButtons);
  updateButtons();
  return files;
}
