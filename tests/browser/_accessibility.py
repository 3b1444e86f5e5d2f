"""Accessibility checks shared by the browser tests: axe-core (from npm, node_modules/axe-core) run in the page,
and a generic layout check (no horizontal scroll, no two controls or outputs of a section on top of each other)."""

from pathlib import Path

from _support import skip_or_fail

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page):
    """[(rule id, impact, [selector of each failing node])] of axe's serious or critical violations on the page."""
    if not AXE.is_file():
        skip_or_fail("node_modules/axe-core is missing: run `npm ci`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
             const result = await axe.run(document, { resultTypes: ["violations"] });
             return result.violations.map((v) => [v.id, v.impact, v.nodes.slice(0, 3).map((n) => n.target.join(" ") +
               (n.failureSummary ? " — " + n.failureSummary.split("\\n").slice(1, 2).join("") : ""))]);
           }"""
    )
    return [v for v in found if v[1] in SERIOUS]


def assert_no_serious_violations(page, where):
    """axe in the light and in the dark colour scheme: no serious or critical violation."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = axe_violations(page)
        assert not found, f"{where}, {scheme} scheme: {found}"
    page.emulate_media(color_scheme="light")


# Interactive elements and outputs that must not cover one another. A file input hidden inside its label
# (1×1 px, clipped) is left out; the label itself is checked.
LAYOUT_CHECK = """
() => {
  const horizontal = document.documentElement.scrollWidth - window.innerWidth;
  const selector = "button, input, select, textarea, summary, a[href], canvas, output, [role=img], table, pre, " +
                   "label.file-button, .cm-editor";
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && style.visibility !== "hidden" && el.closest("[hidden]") === null;
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    `[${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}]`;
  const overlaps = [];
  for (const section of document.querySelectorAll("header, section")) {
    if (!visible(section)) continue;
    const items = [...section.querySelectorAll(selector)].filter(visible).map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const [a, ra] = items[i];
        const [b, rb] = items[j];
        if (a.contains(b) || b.contains(a)) continue;
        const dx = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const dy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (dx > 1 && dy > 1) overlaps.push(`${section.id || "header"}: ${name(a)} over ${name(b)}`);
      }
    }
  }
  return { horizontal, overlaps: overlaps.slice(0, 20) };
}
"""


def assert_layout_fits(page, where):
    """No horizontal scroll (documentElement.scrollWidth <= innerWidth) and nothing overlapping in any section."""
    found = page.evaluate(LAYOUT_CHECK)
    assert found["horizontal"] <= 0, f"{where}: the page scrolls sideways by {found['horizontal']} px"
    assert not found["overlaps"], f"{where}: {found['overlaps']}"
