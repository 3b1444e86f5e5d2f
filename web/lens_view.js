// "Why the Jacobian, and is the gradient right?": the tutorial's n×n Jacobian product against the engine's
// element-wise product (agreement, memory, time measured in this tab), and backprop against a centred finite
// difference. Both are computed by the cells' Python (nn_impl.jacobian_lens, nn_impl.gradient_check).

const kib = (bytes) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB`
  : `${(bytes / 1024).toFixed(1)} KiB`);
const ms = (s) => (s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : `${(s * 1000).toFixed(2)} ms`);

function cell(row, text, header = false) {
  const el = document.createElement(header ? "th" : "td");
  el.textContent = text;
  row.append(el);
}

/**
 * @param {object} python createLessonPython(...)'s object
 * @param {() => {seed: number, index: number}} chosen the step view's seed and test image
 */
export function createLensView(python, chosen) {
  const $ = (id) => document.getElementById(id);

  $("lens-run").addEventListener("click", async () => {
    const n = Number($("lens-units").value);
    const out = $("lens-result");
    out.textContent = "Timing both products in Python…";
    try {
      const r = await python.request("jacobian_lens", { n });
      const table = document.createElement("table");
      table.setAttribute("aria-label", "The two products compared");
      const head = table.createTHead().insertRow();
      for (const h of ["way", "memory for the derivative", "time per call in this tab"]) cell(head, h, true);
      const body = table.createTBody();
      const full = body.insertRow();
      for (const t of [`full Jacobian (dLdz @ np.diagflat(z·(1−z)))`, `${kib(r.full_bytes)} (n² numbers)`,
        ms(r.full_seconds)]) cell(full, t);
      const fast = body.insertRow();
      for (const t of ["element-wise (dLdz * z·(1−z))", `${kib(r.elementwise_bytes)} (n numbers)`,
        ms(r.elementwise_seconds)]) cell(fast, t);
      const note = document.createElement("p");
      note.textContent = `For ${r.n} units both give the same dL/dy: largest difference `
        + `${r.max_difference.toExponential(2)}`
        + `. The full product is ${(r.full_seconds / r.elementwise_seconds).toFixed(0)}× slower here.`;
      out.replaceChildren(table, note);
    } catch (err) {
      out.textContent = `Could not compare: ${err.message}`;
    }
  });

  $("gradcheck-run").addEventListener("click", async () => {
    const out = $("gradcheck-result");
    const { seed, index } = chosen();
    out.textContent = "Computing finite differences in Python…";
    try {
      const { rows } = await python.request("gradient_check", { seed, index });
      const table = document.createElement("table");
      table.setAttribute("aria-label", "Gradient check");
      const head = table.createTHead().insertRow();
      for (const h of ["layer", "weight W[row, column]", "backprop dL/dW", "finite difference", "relative error"]) {
        cell(head, h, true);
      }
      const body = table.createTBody();
      for (const r of rows) {
        const row = body.insertRow();
        for (const t of [String(r.layer + 1), `[${r.row}, ${r.column}]`, r.backprop.toExponential(8),
          r.numeric.toExponential(8), r.relative_error.toExponential(1)]) cell(row, t);
      }
      const note = document.createElement("p");
      note.textContent = `Seed ${seed}, test image ${index}, the three weights of largest gradient in each layer. `
        + "In float64 with a centred step of 1e-5, a right gradient agrees to a relative error of about 1e-7 or "
        + "less; a bug (say, dL/dx taken with the weights already updated) shows as errors near 1.";
      out.replaceChildren(table, note);
    } catch (err) {
      out.textContent = `Could not check: ${err.message}`;
    }
  });
}
