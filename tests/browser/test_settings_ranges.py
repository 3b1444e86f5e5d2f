"""The settings form accepts exactly what nn_impl.params' table allows: every field's limits (inclusive or
exclusive), the number of hidden layers and every menu's choices, checked by typing at and beyond each bound."""

import json

import pytest

from _page_helpers import open_page, site_dataset

from nn_impl import params

pytestmark = pytest.mark.browser


def js_number(x):
    """A number as the page writes it (JavaScript's String(x))."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def verdict(page, label, text):
    """Type ``text`` into the field named ``label``; returns the validation message ('' when accepted)."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    message = page.locator("#" + field.get_attribute("aria-describedby")).inner_text().strip()
    assert (field.get_attribute("aria-invalid") == "true") == bool(message), (label, text, message)
    return message


def check_bound(page, label, bound, inside, outside, exclusive, shown):
    """At the bound (accepted unless exclusive), a step inside (accepted), a step outside (refused, naming it)."""
    at = verdict(page, label, js_number(shown(bound)))
    assert (at != "") == exclusive, (label, bound, at)
    assert verdict(page, label, js_number(shown(inside))) == "", (label, inside)
    refused = verdict(page, label, js_number(shown(outside)))
    assert refused and js_number(shown(bound)) in refused, (label, outside, refused)


@pytest.fixture(scope="module")
def table(site_url):
    n_train = len(site_dataset(site_url)["y_train"])
    return json.loads(params.as_json(n_train=n_train))


def test_every_field_accepts_exactly_the_tables_range(page, site_url, table):
    open_page(page, site_url)
    labels = page.locator("#settings label").all_inner_texts()
    by_label = {entry["label"]: entry for entry in table.values()}
    assert labels and set(labels) <= set(by_label)  # every field the form shows is a setting of the table
    for label in labels:
        entry = by_label[label]
        field = page.get_by_label(label, exact=True)
        assert field.get_attribute("title") == entry["help"]
        if entry["choices"] is not None:
            options = field.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
            assert options == [str(c) for c in entry["choices"]], label
            continue
        kind = entry["type"]
        if kind == "int_tuple":
            check_bound(page, label, entry["min"], entry["min"] + 1, entry["min"] - 1, False, lambda x: x)
            check_bound(page, label, entry["max"], entry["max"] - 1, entry["max"] + 1, False, lambda x: x)
            assert verdict(page, label, ", ".join(["1"] * entry["max_length"])) == ""
            too_many = verdict(page, label, ", ".join(["1"] * (entry["max_length"] + 1)))
            assert str(entry["max_length"]) in too_many
            if entry["min_length"] == 0:
                assert verdict(page, label, "") == ""  # no hidden layer at all
            else:
                assert verdict(page, label, ", ".join(["1"] * (entry["min_length"] - 1))) != ""
            continue
        step = 1 if kind == "int" else 1e-6 * max(1.0, abs(entry["max"] or 1.0))
        shown = (lambda x: round(x * 100, 6)) if kind == "fraction" else (lambda x: x)
        if entry["min"] is not None:
            check_bound(page, label, entry["min"], entry["min"] + step, entry["min"] - step,
                        entry["min_exclusive"], shown)
        if entry["max"] is not None:
            check_bound(page, label, entry["max"], entry["max"] - step, entry["max"] + step,
                        entry["max_exclusive"], shown)
        if not entry["nullable"]:
            assert verdict(page, label, "") != ""
    assert set(labels) >= {"Hidden layers", "Learning rate", "Training samples", "Stop when accuracy reaches (%)"}
