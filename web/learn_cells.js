// The tutorial's code as live cells: one editor per cell (CodeMirror, loaded on first use), Run buttons,
// outputs as a notebook shows them (what the cell printed, then the repr of its last expression, or Python's
// traceback), "Run all cells", "Restore the tutorial's code", "Interrupt", and a last cell for the learner.
// The code comes from tutorial_cells.json (built from nn_impl.reference) and is shown as plain text at once;
// the editors replace it when their module has loaded, so nothing waits for Python to read the code.

const EDITOR_MODULE = "./vendor/codemirror/code_editor.js";

/**
 * @param {HTMLElement} root the cells' container (#cells)
 * @param {object} python createLessonPython(...)'s object
 * @param {{cells: {title: string, code: string}[]}} tutorial the parsed tutorial_cells.json
 * @param {(text: string, kind?: string) => void} say the section's status line
 * @returns {{loadEditors: () => Promise, runAll: () => Promise<boolean>}}
 */
export function createCells(root, python, tutorial, say) {
  const $ = (id) => document.getElementById(id);
  const cells = tutorial.cells.map((cell, i) => makeCell(`Cell ${i + 1}`, `${i + 1}. ${cell.title}`, cell.code, {
    code: `Code cell ${i + 1}`, run: `Run cell ${i + 1}`, output: `Output of cell ${i + 1}`,
  }));
  cells.push(makeCell("Your code", "Your own code (it shares the cells' names)", "", {
    code: "Your code", run: "Run your code", output: "Output of your code",
  }));
  const byName = new Map(cells.map((c) => [c.name, c]));
  for (const cell of cells) root.append(cell.element);

  let chain = Promise.resolve(); // runs one after another, in the order asked
  let current = null; // {cell, promise} of the request running now
  let editorsLoading = null;
  const interruptButton = $("cells-interrupt");
  const rerunButton = $("cells-rerun");

  python.on("output", (m) => {
    const cell = byName.get(m.name);
    if (cell) cell.printed.textContent += m.text;
  });

  function makeCell(name, title, code, labels) {
    const element = document.createElement("article");
    element.className = "cell";
    const heading = document.createElement("h4");
    heading.textContent = title;
    const holder = document.createElement("div");
    holder.className = "cell-code";
    const plain = document.createElement("pre");
    plain.setAttribute("role", "textbox");
    plain.setAttribute("aria-readonly", "true");
    plain.setAttribute("aria-multiline", "true");
    plain.setAttribute("aria-label", labels.code);
    plain.tabIndex = 0; // a read-only textbox that may scroll: the keyboard must reach it
    plain.textContent = code || " ";
    holder.append(plain);
    const run = document.createElement("button");
    run.type = "button";
    run.textContent = labels.run;
    const output = document.createElement("output");
    output.className = "cell-output";
    output.setAttribute("aria-label", labels.output);
    const printed = document.createElement("span");
    const result = document.createElement("span");
    result.className = "cell-result";
    output.append(printed, result);
    element.append(heading, holder, run, output);
    const cell = {
      name, labels, original: code, element, holder, plain, printed, result, output, editor: null,
      text: () => (cell.editor ? cell.editor.text() : code),
    };
    run.addEventListener("click", () => runCell(cell));
    return cell;
  }

  function loadEditors() {
    if (!editorsLoading) {
      editorsLoading = import(EDITOR_MODULE).then(({ createEditor }) => {
        for (const cell of cells) {
          const text = cell.text();
          cell.plain.remove();
          cell.editor = createEditor(cell.holder, { doc: text, label: cell.labels.code, onRun: () => runCell(cell) });
        }
      });
      editorsLoading.catch((err) => say(`The code editor could not load (${err.message}).`, "error"));
    }
    return editorsLoading;
  }

  function show(cell, reply) {
    cell.result.className = "cell-result";
    if (reply.error) {
      cell.result.classList.add("traceback");
      cell.result.textContent = reply.error;
    } else {
      cell.result.textContent = reply.value === null ? "" : reply.value;
    }
    cell.output.dataset.state = reply.error ? "error" : "done";
  }

  /** Run one cell after those already asked for; resolves true when it ran without an error. */
  function runCell(cell) {
    cell.printed.textContent = "";
    cell.result.textContent = "";
    cell.output.dataset.state = "queued";
    const code = cell.text();
    const turn = chain.then(async () => {
      cell.output.dataset.state = "running";
      const promise = python.request("run", { code, name: cell.name });
      current = { cell, promise };
      interruptButton.disabled = false;
      say(`Running ${cell.name === "Your code" ? "your code" : cell.name.toLowerCase()}…`);
      try {
        const reply = await promise;
        show(cell, reply);
        say(reply.interrupted ? `Interrupted ${cell.name}: Python raised KeyboardInterrupt; every name defined `
          + "so far is kept." : "");
        return !reply.error;
      } catch (err) {
        cell.output.dataset.state = "error";
        // "cancelled": Interrupt restarted the worker (protocol.js); "worker": it died on its own and was restarted
        cell.result.textContent = err.stage === "cancelled" || err.stage === "worker"
          ? "Stopped: the cells' Python was restarted." : `Not run: ${err.message}`;
        return false;
      } finally {
        current = null;
        interruptButton.disabled = true;
      }
    });
    chain = turn.catch(() => false);
    return turn;
  }

  async function runAll() {
    rerunButton.hidden = true;
    for (const cell of cells.slice(0, -1)) {
      if (!(await runCell(cell))) return false; // a failed cell stops the run, as in a notebook
    }
    return true;
  }

  $("cells-run-all").addEventListener("click", runAll);
  rerunButton.addEventListener("click", runAll);
  $("cells-restore").addEventListener("click", () => {
    for (const cell of cells.slice(0, -1)) {
      if (cell.editor) cell.editor.setText(cell.original);
    }
    say("The tutorial's code is back in every cell (your own cell is kept).");
  });
  interruptButton.addEventListener("click", async () => {
    if (!current) return;
    const { promise } = current;
    interruptButton.disabled = true;
    const how = await python.interrupt(promise);
    if (how === "restarted") {
      say("Stopped by restarting the cells' Python (this page is not cross-origin isolated, so a running cell "
        + "cannot be interrupted in place): the namespace was rebuilt and every name the cells defined is gone. "
        + "Rerun the cells to define them again.", "notice");
      rerunButton.hidden = false;
    }
  });

  return { loadEditors, runAll };
}
