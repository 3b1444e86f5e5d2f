// The section "Learn how it works": the tutorial's cells (learn_cells.js), one training step taken apart
// (step_view.js) and the Jacobian lens with the gradient check (lens_view.js), all run by the section's own
// Python (lesson_python.js -> cells_worker.js). To keep the page's start as fast as before, only the cells'
// text (tutorial_cells.json, a few kB) is fetched at once; the editor loads when the section comes near the
// viewport, KaTeX with the first formula, and its Python when the section is in view or first used.
import { createLessonPython } from "./lesson_python.js";
import { createCells } from "./learn_cells.js";
import { createStepView } from "./step_view.js";
import { createLensView } from "./lens_view.js";

/**
 * Build the section inside #learn (`bus`: the page's, for its "ready" event).
 * Returns {showTrainingStep({testImage, seed?}), stepSnapshot(), stepTimings()}.
 * showTrainingStep is for other views (e.g. the explorer): it scrolls to the step view and shows that image.
 */
export function createLearn(bus) {
  const $ = (id) => document.getElementById(id);
  const section = $("learn");
  const statusLine = $("cells-status");
  const say = (text, kind = "") => {
    statusLine.textContent = text;
    statusLine.dataset.kind = kind;
  };
  const python = createLessonPython((state, detail) => {
    if (state === "loading") say("Starting the section's own Python (Pyodide, NumPy, nn_impl)…");
    else if (state === "ready") say(`The section's Python is ready: Python ${detail.versions.python}, NumPy `
      + `${detail.versions.numpy}. ${detail.interruptible ? "Interrupt stops a cell in place."
        : "Interrupt restarts this Python (the page is not cross-origin isolated)."}`);
    else say(`The section's Python could not start: ${detail.message}`, "error");
  });

  let step = null;
  const tutorialReady = fetch(new URL("./tutorial_cells.json", import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`tutorial_cells.json: HTTP ${r.status}`);
      return r.json();
    })
    .then((tutorial) => {
      const cells = createCells($("cells"), python, tutorial, say);
      step = createStepView(python, tutorial);
      createLensView(python, () => ({ seed: Number($("step-seed").value), index: Number($("step-image").value) }));
      return cells;
    });
  tutorialReady.catch((err) => say(`The tutorial's cells could not load: ${err.message}`, "error"));

  // First use: the editors when the section comes near the viewport; its Python when the section is in view
  // (once the page is ready: the page's own start comes first) or the learner works in it.
  new IntersectionObserver((entries, observer) => {
    if (entries.some((e) => e.isIntersecting)) {
      observer.disconnect();
      tutorialReady.then((cells) => cells.loadEditors()).catch(() => {});
    }
  }, { rootMargin: "300px" }).observe(section);
  new IntersectionObserver((entries, observer) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    if (document.body.dataset.state === "loading") {
      bus.addEventListener("ready", () => python.warm(), { once: true });
    } else {
      python.warm();
    }
  }).observe(section);
  // The test set's size, from the page's own load reply (the step view's "Test image number" goes up to it).
  bus.addEventListener("ready", (event) => {
    $("step-image").max = String(event.detail.n_test - 1);
  });
  const firstUse = () => {
    section.removeEventListener("focusin", firstUse);
    section.removeEventListener("pointerdown", firstUse);
    python.warm();
  };
  section.addEventListener("focusin", firstUse);
  section.addEventListener("pointerdown", firstUse);

  return {
    async showTrainingStep({ testImage, seed, stage } = {}) {
      await tutorialReady;
      $("step-view").scrollIntoView({ block: "start" });
      return step.show({ testImage, seed, stage });
    },
    stepSnapshot: () => (step ? step.snapshot() : null),
    stepTimings: () => (step ? step.timings() : []),
  };
}
