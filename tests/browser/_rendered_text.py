"""Playwright's inner_text and all_inner_texts, reading what a person would see on the page.

The page's panels are `content-visibility: auto` (web/style.css): a panel off screen is not rendered, and Chromium's
innerText of an element in it is "". A person scrolls to what they read; after `install()`, Locator.inner_text and
Locator.all_inner_texts do the same: an element in a panel not rendered is scrolled into view, and read once the
panel has rendered. The tests (conftest.py), the page benchmarks and docs/screenshot.py call `install()`.
"""

from playwright.sync_api import Locator

# In a subtree that content-visibility: auto skips: it has a box, yet is not visible counting that skip
_SKIPPED = "el => el.checkVisibility() && !el.checkVisibility({contentVisibilityAuto: true})"

_inner_text, _all_inner_texts = Locator.inner_text, Locator.all_inner_texts


def _render(handle):
    """If `handle`'s element is in a panel not rendered, scroll it into view and wait until the panel renders."""
    if handle.evaluate(_SKIPPED):
        handle.scroll_into_view_if_needed()
        handle.owner_frame().wait_for_function(f"el => !({_SKIPPED})(el)", arg=handle)


def _rendered_inner_text(locator, *args, **kwargs):
    _render(locator.element_handle(*args, **kwargs))  # waits for the element, as inner_text does
    return _inner_text(locator, *args, **kwargs)


def _rendered_all_inner_texts(locator):
    for handle in locator.element_handles():
        _render(handle)
    return _all_inner_texts(locator)


def install():
    """Make Locator.inner_text and Locator.all_inner_texts read rendered text (idempotent)."""
    Locator.inner_text = _rendered_inner_text
    Locator.all_inner_texts = _rendered_all_inner_texts
