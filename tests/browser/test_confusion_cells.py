"""Errors you can click into: each confusion-matrix cell is a button that filters the test-set explorer to
exactly its images, with a line saying so and a way back; keyboard-operable."""

import re

import pytest
from playwright.sync_api import expect

from _page_helpers import site_dataset

pytestmark = pytest.mark.browser

CELL = re.compile(r"^true (\d+), predicted (\d+): (\d+) images?$")


def cell_buttons(page):
    """[(true, predicted, count, button)] of the matrix's buttons, read from their accessible names."""
    matrix = page.get_by_label("Confusion matrix", exact=True)
    out = []
    for b in matrix.get_by_role("button").all():
        match = CELL.match(b.get_attribute("aria-label") or "")
        assert match, b.get_attribute("aria-label")
        out.append((int(match.group(1)), int(match.group(2)), int(match.group(3)), b))
    return out


def explorer_digits(page):
    return page.get_by_role("group", name="Test-set explorer").get_by_role("button")


def test_an_off_diagonal_cell_shows_exactly_its_images_and_there_is_a_way_back(app, site_url):
    cells = cell_buttons(app)
    assert len(cells) == 100
    # a mistake common enough to be worth a look, and few enough for one page of the explorer
    truth, pred, count, cell = max(((t, p, n, b) for t, p, n, b in cells if t != p and n <= 48), key=lambda c: c[2])
    assert count >= 2
    assert cell.inner_text() == str(count)
    cell.click()
    status = app.locator("#explorer-status")
    expect(status).to_contain_text(f"of {count} test images labelled {truth} that the model predicted as {pred}")
    digits = explorer_digits(app)
    expect(digits).to_have_count(count)
    labels = digits.evaluate_all("(bs) => bs.map((b) => b.getAttribute('aria-label'))")
    for label in labels:
        assert re.match(rf"Test image \d+, labelled {truth}: predicted {pred} \(\d+ %\), wrong$", label), label
    # they are exactly that cell's images of the bundled test set
    dataset = site_dataset(site_url)
    indices = sorted(int(re.match(r"Test image (\d+)", lab).group(1)) - 1 for lab in labels)
    assert all(dataset["y_test"][i] == truth for i in indices)

    back = app.get_by_role("button", name="Show all test images")
    expect(back).to_be_focused()
    back.click()
    expect(status).to_contain_text("of 10,000 test images")
    expect(back).to_be_hidden()
    expect(cell).to_be_focused()  # back where the learner left the matrix


def test_cells_work_from_the_keyboard_and_the_diagonal_shows_the_right_answers(app):
    cells = cell_buttons(app)
    truth, pred, count, cell = next((t, p, n, b) for t, p, n, b in cells if t == p == 7)
    cell.focus()
    app.keyboard.press("Enter")
    status = app.locator("#explorer-status")
    expect(status).to_contain_text(f"of {count:,} test images labelled 7 that the model predicted as 7")
    labels = explorer_digits(app).evaluate_all("(bs) => bs.map((b) => b.getAttribute('aria-label'))")
    assert len(labels) == min(count, 48)  # the first page
    assert all(re.search(r"labelled 7: predicted 7 \(\d+ %\)$", lab) for lab in labels), labels[:3]
    app.keyboard.press("Enter")  # focus is on "Show all test images"
    expect(status).to_contain_text("of 10,000 test images")
