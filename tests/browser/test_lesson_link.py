"""Lessons a teacher can set: "Share this lesson" makes a link that fixes the settings, locks the fields ticked
and hides the sections ticked; opening it locks exactly those and says so; a bad locked value falls back."""

import pytest
from playwright.sync_api import expect

from _page_helpers import button, fill, open_page

pytestmark = pytest.mark.browser


def test_a_lesson_link_locks_the_fields_it_names_and_hides_its_sections(page, site_url):
    open_page(page, site_url)
    fill(page, "Activation", "sigmoid")
    fill(page, "Learning rate", "0.05")
    page.get_by_text("Make a lesson link").click()
    for label in ("Lock Hidden layers", "Lock Activation", "Lock Loss", "Lock Optimizer"):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Hide Carry the model", exact=True).check()
    button(page, "Share this lesson").click()
    link = page.get_by_label("Lesson link").input_value()
    assert "lock=hidden_layer_sizes,activation,loss,solver" in link and "hide=carry" in link, link
    assert "test-hooks" not in link

    open_page(page, site_url, link[link.index("#"):])
    for label in ("Hidden layers", "Activation", "Loss", "Optimizer"):
        expect(page.get_by_label(label, exact=True)).to_be_disabled()
    for label in ("Learning rate", "Batch size", "Epochs"):
        expect(page.get_by_label(label, exact=True)).to_be_enabled()
    assert page.get_by_label("Activation", exact=True).input_value() == "sigmoid"
    assert page.get_by_label("Learning rate", exact=True).input_value() == "0.05"
    notice = page.locator("#lesson-notice")
    expect(notice).to_contain_text("This lesson's link locked Hidden layers, Activation, Loss, Optimizer")
    expect(notice).to_contain_text("It hides Carry the model")
    expect(page.get_by_role("heading", name="Carry the model")).to_be_hidden()
    expect(page.get_by_role("button", name="Export model")).to_be_hidden()

    # a preset changes only what the lesson left free; the locks survive a run and stay in the link
    button(page, "Fast").click()
    assert page.get_by_label("Activation", exact=True).input_value() == "sigmoid"
    assert page.get_by_label("Learning rate", exact=True).input_value() == "0.003"
    assert "lock=hidden_layer_sizes,activation,loss,solver" in page.url


def test_an_invalid_locked_value_falls_back_with_a_notice(page, site_url):
    open_page(page, site_url, "#activation=softsign&lock=activation,nonsense")
    expect(page.get_by_label("Activation", exact=True)).to_be_disabled()
    assert page.get_by_label("Activation", exact=True).input_value() == "relu"  # the Fast preset's
    notice = page.locator("#notice")
    expect(notice).to_contain_text("activation=softsign")
    expect(notice).to_contain_text("lock=nonsense")
