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


def test_a_lesson_link_opens_the_training_step_at_its_stage(page, site_url):
    open_page(page, site_url)
    page.get_by_text("Make a lesson link").click()
    page.get_by_label("Open “One training step, taken apart” at").select_option(label="Stage 3 of 9")
    button(page, "Share this lesson").click()
    link = page.get_by_label("Lesson link").input_value()
    assert "stage=3" in link, link

    open_page(page, site_url, link[link.index("#"):])
    expect(page.locator("#lesson-notice")).to_contain_text('It opens "One training step, taken apart" at stage 3 of 9')
    # the step is computed by the section's own Python, started once the page is ready
    stage = page.get_by_role("heading", name="Stage 3 of 9", exact=False)
    expect(stage).to_be_visible(timeout=120_000)
    expect(stage).to_contain_text("Forward, the second layer")
    assert page.evaluate("window.nnImplTestHook.trainingStep().stage") == 2
    assert "stage=3" in page.url  # the link keeps the lesson
    button(page, "Previous stage").click()
    expect(page.get_by_role("heading", name="Stage 2 of 9", exact=False)).to_be_visible()


def test_a_stage_out_of_range_or_in_a_hidden_section_is_refused_with_a_notice(page, site_url):
    open_page(page, site_url, "#stage=12")
    expect(page.locator("#notice")).to_contain_text("stage=12: the training step has stages 1 to 9")
    open_page(page, site_url, "#hide=learn&stage=3")
    expect(page.locator("#notice")).to_contain_text("stage=3: the lesson hides Learn how it works")
    expect(page.locator("#lesson-notice")).not_to_contain_text("stage")
