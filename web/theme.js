// Colours that JavaScript draws with (chart axes and grids), read from the page's CSS variables (style.css) so
// that they follow the colour scheme (light or dark, `prefers-color-scheme`) like the rest of the page.

const DARK = window.matchMedia("(prefers-color-scheme: dark)");

/** The value of CSS variable `name` (e.g. "--muted") on the document, as the browser computes it now. */
export function cssColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** uPlot axis options for a chart: labels and ticks in the muted text colour, a grid in the border colour. */
export function axisColors() {
  const line = { stroke: cssColor("--border") };
  return { stroke: cssColor("--muted"), grid: line, ticks: line };
}

/** Call `redraw` whenever the visitor's colour scheme changes (charts rebuild with the new colours). */
export function onSchemeChange(redraw) {
  DARK.addEventListener("change", redraw);
}
