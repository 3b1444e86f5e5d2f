// My digits in and out of the browser: "Export my digits" downloads them as an .npz in the package's dataset
// layout (Python's write_digits); "Import digits" reads an .npz, a Kaggle-layout .csv or a .zip of label folders
// (Python's read_digits, which enforces the limits and names every bad row or file). When a file has problems,
// the first few are listed with their count, and the learner adds the good digits or nothing.
import { withoutErrorClass } from "./protocol.js";
import { workerUsable } from "./app_state.js";
import { downloadBytes, formatBytes } from "./download.js";
import { withStop } from "./model_files.js";
import { PIXELS } from "./my_digits.js";

/**
 * @param client the WorkerClient
 * @param bus the page's EventTarget
 * @param digits the MyDigits set
 * @param elements {exportButton, importInput, message, review, reviewText, problems, addGood, addNothing}
 */
export function createDigitFiles({ client, bus, digits, elements }) {
  const { exportButton, importInput, message, review, reviewText, problems, addGood, addNothing } = elements;
  let pending = null; // {name, x, n}: the good digits of the file under review
  let busy = false; // one export or import at a time
  // The largest digit set the page reads into the tab (nn_impl.digit_sets.MAX_FILE_BYTES), from the load reply:
  // a larger file is refused before a byte of it is read. Kept across worker restarts (the same Python).
  let maxFileBytes = null;
  bus.addEventListener("ready", (event) => { maxFileBytes = event.detail.limits.digit_file_bytes; });

  function say(text, kind = "info") {
    message.textContent = text;
    message.dataset.kind = kind;
  }

  async function exportDigits() {
    if (busy) return;
    if (digits.size === 0) {
      say("Nothing to export yet: add some digits first.", "error");
      return;
    }
    busy = true;
    try {
      const { x, y } = digits.arrays();
      const reply = await client.request("write_digits", { x, y }, [x.buffer, y.buffer]);
      downloadBytes(reply.bytes.data, reply.filename);
      say(`Exported ${digits.size} digits as ${reply.filename} (${formatBytes(reply.bytes.data.byteLength)}). ` +
        "Read it on CPython with nn_impl.data.");
    } catch (err) {
      say(`Export failed: ${withStop(withoutErrorClass(err.message))}`, "error");
    } finally {
      busy = false;
    }
  }

  async function importFile(file) {
    closeReview();
    if (maxFileBytes === null) { // the input is disabled until then; a file given anyway is not lost silently
      say(`Could not import ${file.name} yet: the page is still loading. Choose it again once it has loaded. ` +
        "Nothing was added.", "error");
      return;
    }
    if (file.size > maxFileBytes) { // refused before a byte is read
      say(`Could not import ${file.name}: it is ${Math.round(file.size / 2 ** 20).toLocaleString("en-US")} MB, more than the ` +
        `${maxFileBytes / 2 ** 20} MB a digit set may have; split it into smaller files. Nothing was added.`, "error");
      return;
    }
    if (busy) {
      say(`Wait for the file in progress, then import ${file.name} again.`, "error");
      return;
    }
    busy = true;
    say(`Reading ${file.name}…`);
    try {
      const data = new Uint8Array(await file.arrayBuffer());
      const reply = await client.request("read_digits", { data, filename: file.name }, [data.buffer]);
      offer(file.name, reply);
    } catch (err) {
      // Python names the file at the start of its message; the page has just said its name
      const text = err.stage === "cancelled" ? "cancelled."
        : withStop(withoutErrorClass(err.message).replace(`${file.name}: `, ""));
      say(`Could not import ${file.name}: ${text} Nothing was added.`, "error");
    } finally {
      busy = false;
    }
  }

  /** Add a clean file's digits at once; show a file with problems for the learner to decide. */
  function offer(name, reply) {
    const n = reply.n_good;
    if (reply.problems.length === 0) {
      add(name, reply);
      return;
    }
    // Python lists the first problems one by one and counts the rest in a last line
    problems.replaceChildren(...reply.problems.map((p) => Object.assign(document.createElement("li"), { textContent: p })));
    reviewText.textContent = `${name} (${reply.format}): ${n} good digit${n === 1 ? "" : "s"}, ` +
      `${reply.n_bad} bad ${reply.n_bad === 1 ? "entry" : "entries"}:`;
    addGood.textContent = n === 1 ? "Add the 1 good one" : `Add the ${n} good ones`;
    addGood.hidden = n === 0;
    pending = n > 0 ? { name, reply } : null;
    review.hidden = false;
    say(n > 0 ? `${name} has problems: add its ${n} good digits, or nothing.` : `Nothing in ${name} can be added.`,
      n > 0 ? "info" : "error");
    (n > 0 ? addGood : addNothing).focus();
  }

  function add(name, reply) {
    const x = reply.x.data;
    const y = reply.y.data;
    digits.add(Array.from(y, (label, i) => ({ label, pixels: x.subarray(i * PIXELS, (i + 1) * PIXELS) })));
    say(`Added ${y.length} digit${y.length === 1 ? "" : "s"} from ${name} to My digits.`);
  }

  function closeReview() {
    review.hidden = true;
    pending = null;
  }

  addGood.addEventListener("click", () => {
    if (pending) add(pending.name, pending.reply);
    closeReview();
    importInput.focus();
  });
  addNothing.addEventListener("click", () => {
    if (pending) say(`Nothing was added from ${pending.name}.`);
    closeReview();
    importInput.focus();
  });
  exportButton.addEventListener("click", exportDigits);
  importInput.addEventListener("change", () => {
    const file = importInput.files && importInput.files[0];
    importInput.value = ""; // choosing the same file again must fire "change" again
    if (file) importFile(file);
  });

  function updateControls() {
    exportButton.disabled = !workerUsable();
    importInput.disabled = !workerUsable();
    importInput.closest("label").classList.toggle("disabled", importInput.disabled);
  }
  bus.addEventListener("state", updateControls);
  updateControls();
}
