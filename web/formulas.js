// Formulas typeset by KaTeX (self-hosted, from npm), loaded with its stylesheet on the first formula shown.
// Until it has loaded (or if it cannot), the formula's TeX source is shown as text.

let katex = null;

function loadKatex() {
  if (!katex) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("./vendor/katex/katex.min.css", import.meta.url).href;
    document.head.append(css);
    katex = import("./vendor/katex/katex.js").then((m) => m.default);
  }
  return katex;
}

/** Show `tex` typeset in `element` (display style); the last call for an element wins. */
export function showFormula(element, tex) {
  element.dataset.tex = tex;
  element.textContent = tex;
  loadKatex().then(
    (k) => {
      if (element.dataset.tex === tex) k.render(tex, element, { displayMode: true, throwOnError: false });
    },
    () => {}, // the TeX source stays: readable, if not pretty
  );
}
