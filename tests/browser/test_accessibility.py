"""Usable by everyone: axe-core finds nothing serious in any section and state, in the light and the dark colour
scheme; the keyboard alone reaches a prediction and trains; screen readers hear training once per epoch and the
prediction once per finished picture, while the fast read-outs stay quiet."""

import re

import pytest
from playwright.sync_api import expect

from _accessibility import assert_no_serious_violations
from _page_helpers import (
    button, draw_and_wait, fill, open_inspected, predicted_digit, train_to_end, wait_state,
)
from test_confusion_cells import cell_buttons
from test_offline import wait_saved

pytestmark = pytest.mark.browser

PYTHON_START_MS = 120_000
EPOCH_TEXT = re.compile(r"^Epoch (\d+) of (\d+): test accuracy \d+\.\d %$")


def announcer(page):
    """The page's one polite live region (it has no name of its own: it only speaks)."""
    return page.locator("#announcer")


def record_live_regions(page):
    """Count, from now on, the changes of every live region (aria-live polite/assertive, role status/alert/log,
    and <output>, which is role status unless aria-live="off"), and keep the announcer's texts."""
    page.evaluate(
        """() => {
             const live = (el) => {
               const mode = el.getAttribute("aria-live");
               if (mode) return mode !== "off";
               return ["status", "alert", "log"].includes(el.getAttribute("role")) || el.tagName === "OUTPUT";
             };
             window.liveChanges = new Map();
             window.announced = [];
             const observer = new MutationObserver((mutations) => {
               const seen = new Set();
               for (const m of mutations) {
                 const target = m.target.nodeType === 1 ? m.target : m.target.parentElement;
                 const region = target && [target, ...ancestors(target)].find(live);
                 if (region && !seen.has(region)) {
                   seen.add(region);
                   const key = region.id || region.getAttribute("aria-label") || region.tagName;
                   window.liveChanges.set(key, (window.liveChanges.get(key) || 0) + 1);
                   if (region.id === "announcer" && region.textContent) window.announced.push(region.textContent);
                 }
               }
             });
             function ancestors(el) { const out = []; while ((el = el.parentElement)) out.push(el); return out; }
             observer.observe(document.body, { subtree: true, childList: true, characterData: true });
           }"""
    )


def live_changes(page):
    return page.evaluate("Object.fromEntries(window.liveChanges)")


def announced(page):
    return page.evaluate("window.announced")


def test_axe_finds_nothing_serious_in_every_section_and_state_in_both_colour_schemes(app):
    page = app
    assert_no_serious_violations(page, "ready, first inspection shown")

    # training running (the read-outs and charts moving), then finished with the charts and the Runs table
    fill(page, "Epochs", 2)
    button(page, "Train").click()
    page.wait_for_function("window.nnImplTestHook.chartPoints().loss > 2", timeout=60_000)
    assert page.evaluate("document.body.dataset.state") == "training"
    assert_no_serious_violations(page, "training running")
    page.wait_for_function("window.nnImplTestHook.runsCompleted() > 0", timeout=180_000)
    wait_state(page, "ready", 10_000)
    expect(page.get_by_label("Runs", exact=True).get_by_role("row")).to_have_count(2)
    assert_no_serious_violations(page, "after training, charts and Runs table")

    # a prediction shown, then said to be right: My digits holds it
    assert draw_and_wait(page, 3) == "3"
    assert_no_serious_violations(page, "a prediction shown")
    button(page, "It is a 3").click()
    expect(page.get_by_role("button", name="Digit 3, number 1: remove")).to_be_visible()
    assert_no_serious_violations(page, "a digit in My digits")

    # the explorer filtered by a confusion-matrix cell
    wrong = [b for t, p, n, b in cell_buttons(page) if t != p and n > 0]
    wrong[0].click()
    expect(page.get_by_role("button", name="Show all test images")).to_be_visible()
    page.get_by_role("group", name="Test-set explorer").get_by_role("button").first.click()
    expect(page.get_by_role("button", name="Load into canvas")).to_be_visible()
    assert_no_serious_violations(page, "explorer filtered by a confusion cell, an image selected")

    # the learning section: cells run, the step view shown
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    button(page, "Run all cells").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of cell 8\"]').dataset.state === 'done'",
                           timeout=PYTHON_START_MS + 120_000)
    button(page, "Take the step apart").click()
    page.wait_for_function("window.nnImplTestHook.trainingStep() !== null", timeout=PYTHON_START_MS)
    button(page, "Next stage").click()
    assert_no_serious_violations(page, "cells run, step view shown")

    # the offline copy saved and said
    wait_saved(page)
    assert_no_serious_violations(page, "offline status shown")


# What the keyboard must reach: every visible control that is not disabled (file inputs hide inside their label)
CONTROLS = ("button, input, select, textarea, summary, a[href], [tabindex='0'], [contenteditable='true']")


def tab_through_the_page(page, limit=800):
    """Tab from the top of the page until focus comes back round; returns (controls never reached, stops without
    a visible focus ring): a focus ring is a 2 px or wider outline on the element or on the label/editor holding it."""
    page.evaluate(
        """(selector) => {
             window.tabStops = new Set();
             window.noRing = [];
             document.addEventListener("focusin", (event) => {
               const el = event.target;
               window.tabStops.add(el);
               const ring = [el, el.parentElement, el.parentElement && el.parentElement.parentElement]
                 .filter(Boolean).some((e) => { const s = getComputedStyle(e);
                   return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; });
               if (!ring) window.noRing.push(el.outerHTML.slice(0, 80));
             });
             document.activeElement.blur();
             window.scrollTo(0, 0);
           }""",
        CONTROLS,
    )
    for presses in range(limit):
        page.keyboard.press("Tab")
        if presses > 2 and page.evaluate("document.activeElement === document.body"
                                         " || document.activeElement === [...window.tabStops][0]"):
            break
    return page.evaluate(
        """(selector) => {
             const shown = (el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest("[hidden]") &&
               !(el.closest("details:not([open])") && el.tagName !== "SUMMARY");
             const missed = [...document.querySelectorAll(selector)]
               .filter((el) => !el.disabled && shown(el) && !window.tabStops.has(el))
               .map((el) => el.getAttribute("aria-label") || el.outerHTML.slice(0, 80));
             return [missed, window.noRing];
           }""",
        CONTROLS,
    )


def test_the_keyboard_alone_reaches_a_prediction_and_trains_with_focus_always_visible(page, site_url):
    open_inspected(page, site_url)
    wait_saved(page)  # its "Remove the offline copy" button appears then, in the header
    # the code editors replace the cells' plain text when the section first comes near: load them before the walk
    page.get_by_role("region", name="Learn how it works").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.cell pre[role=textbox]').length === 0"
                           " && document.querySelectorAll('.cell .cm-content').length > 0", timeout=60_000)
    missed, no_ring = tab_through_the_page(page)
    assert not missed, f"controls Tab never reaches: {missed}"
    assert not no_ring, f"focus without a visible ring: {no_ring}"
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    note = page.get_by_text("No mouse, finger or pen?")
    expect(note).to_contain_text("Load into canvas")
    assert "pad-keyboard-note" in page.get_by_label("Draw a digit", exact=True).get_attribute("aria-describedby")
    record_live_regions(page)

    reached = []

    def tab_to(name, limit=400):
        """Press Tab until the focused element has accessible name `name`; every stop shows its focus."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                     const el = document.activeElement;
                     const label = el.getAttribute("aria-label") || (el.labels && el.labels[0] &&
                       el.labels[0].textContent.trim()) || el.textContent.trim();
                     // the outline is on the element, or on the label/editor that holds it
                     const ring = [el, el.parentElement, el.parentElement && el.parentElement.parentElement]
                       .filter(Boolean).some((e) => { const s = getComputedStyle(e);
                         return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; });
                     return { label, ring, tag: el.tagName };
                   }"""
            )
            reached.append(focused["label"])
            assert focused["ring"], f"no visible focus on {focused}"
            if focused["label"] == name:
                return
        raise AssertionError(f"Tab never reached {name!r}: {reached[-20:]}")

    # keyboard-only training: set the epochs, press Train with the space bar; the read-outs move
    tab_to("Epochs")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to("Train")
    page.keyboard.press("Space")
    page.wait_for_function("window.nnImplTestHook.runsCompleted() > 0", timeout=180_000)
    wait_state(page, "ready", 10_000)
    assert re.match(r"\d+\.\d+ %", page.get_by_label("Test accuracy", exact=True).inner_text())
    assert page.get_by_label("Epoch", exact=True).inner_text().startswith("2")

    # training is heard once per epoch; the read-outs that change with every slice are not live regions
    for label in ("Test accuracy", "Training loss", "Epoch", "Samples per second", "Elapsed time", "Time left"):
        assert page.get_by_label(label, exact=True).get_attribute("aria-live") == "off", label
    said = announced(page)
    assert [EPOCH_TEXT.match(t).groups() for t in said] == [("1", "2"), ("2", "2")], said
    changes = live_changes(page)
    assert changes.get("announcer") == 2, changes
    assert all(count <= 4 for count in changes.values()), str(changes)  # nothing else speaks with every slice

    # a prediction by keyboard: a test digit of the explorer, selected with Enter, "Load into canvas" with Space
    tab_to("Misclassified only")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # previous/next page
    for _ in range(6):
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Test image"):
            break
        page.keyboard.press("Tab")
    match = re.match(r"Test image \d+, labelled (\d)", label)
    assert match, label
    page.keyboard.press("Enter")
    tab_to("Load into canvas", limit=200)
    before = page.evaluate("window.nnImplTestHook.predictions().count")
    page.keyboard.press("Space")
    page.wait_for_function(f"window.nnImplTestHook.predictions().count > {before}", timeout=15_000)
    expect(page.get_by_label("Predicted digit", exact=True)).to_have_text(match.group(1))
    assert page.get_by_label("Predicted digit", exact=True).get_attribute("aria-live") == "off"
    expect(announcer(page)).to_have_text(re.compile(rf"^Predicted digit {match.group(1)}, \d+\.\d % sure$"))
    assert announced(page)[-1].startswith(f"Predicted digit {predicted_digit(page)}")


def test_a_drawing_is_announced_once_when_the_pen_lifts(page, site_url):
    open_inspected(page, site_url)
    record_live_regions(page)
    digit = draw_and_wait(page, 7)
    page.wait_for_timeout(300)  # a late announcement would show here
    said = [t for t in announced(page) if t.startswith("Predicted digit")]
    assert said == [f"Predicted digit {digit}, {page.locator('#prediction-confidence').inner_text()}"], said
