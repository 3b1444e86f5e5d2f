"""Settings live in the URL: a shared link is applied; bad values fall back with a visible notice."""

import pytest

from _page_helpers import fill, open_page, train_to_end

pytestmark = pytest.mark.browser


def value(page, label):
    return page.get_by_label(label, exact=True).input_value()


def test_settings_in_the_url_are_applied(page, site_url):
    open_page(page, site_url, "#hidden_layer_sizes=16,8&activation=tanh&learning_rate=0.005&epochs=3&random_state=42")
    assert value(page, "Hidden layers").replace(" ", "") == "16,8"
    assert value(page, "Activation") == "tanh"
    assert float(value(page, "Learning rate")) == 0.005
    assert value(page, "Epochs") == "3"
    assert value(page, "Seed") == "42"
    assert page.locator("#notice").is_hidden()


def test_bad_settings_fall_back_to_defaults_with_a_notice(page, site_url):
    open_page(page, site_url)
    defaults = {label: value(page, label) for label in ("Learning rate", "Activation", "Epochs", "Hidden layers")}
    open_page(page, site_url, "#learning_rate=abc&activation=bogus&epochs=-3&hidden_layer_sizes=0&nonsense=1")
    notice = page.locator("#notice")
    assert notice.is_visible()
    text = notice.inner_text()
    for name in ("learning_rate", "activation", "epochs", "hidden_layer_sizes", "nonsense"):
        assert name in text
    for label, default in defaults.items():
        assert value(page, label) == default
    assert "abc" not in page.url  # the URL now holds the settings actually in use


def test_changed_settings_are_written_to_the_url(page, site_url):
    open_page(page, site_url)
    fill(page, "Batch size", 32)
    page.wait_for_function("location.hash.includes('batch_size=32')", timeout=5_000)
    open_page(page, site_url, "#" + page.url.split("#", 1)[1])
    assert value(page, "Batch size") == "32"


def test_invalid_input_shows_an_inline_message_and_does_not_train(page, site_url):
    open_page(page, site_url)
    fill(page, "Learning rate", "-1")
    field = page.get_by_label("Learning rate", exact=True)
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#learning_rate-msg").inner_text() != ""
    train_to_end(page, 10_000)  # refused at once
    assert "learning_rate" in page.locator("#run-message").inner_text()


def test_refused_settings_in_the_query_string_leave_the_address_bar(page, site_url):
    open_page(page, site_url, "?learning_rate=abc&epochs=4")
    assert "learning_rate=abc" in page.locator("#notice").inner_text()
    assert "?" not in page.url and "abc" not in page.url  # the address bar holds what is in use: the hash
    assert "epochs=4" in page.url.split("#", 1)[1]


def test_html_in_a_link_is_shown_as_text(page, site_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, site_url, "#activation=<img src=x onerror=alert(1)>")
    notice = page.locator("#notice")
    assert "<img src=x onerror=alert(1)>" in notice.inner_text()
    assert notice.locator("img").count() == 0 and dialogs == []
