"""Draw and predict: digits drawn with the real mouse are recognised by the pre-trained model wherever
and however large they are drawn; the prediction follows the pen; Clear empties it; photos work too."""

import re

import numpy as np
import pytest

from _page_helpers import (
    button, clear, draw_and_wait, model_answering, open_inspected, page_predictions, png_bytes, predicted_digit,
    prediction_counters, probabilities, runs_completed, site_dataset, state,
)
from _strokes import DIGITS, draw_strokes

pytestmark = pytest.mark.browser

# where on the pad (fractions of its side): the middle, small in a corner, big, and off-centre
PLACES = {
    "middle": dict(left=0.15, top=0.15, size=0.7),
    "small top-left": dict(left=0.04, top=0.04, size=0.42),
    "big": dict(left=0.04, top=0.02, size=0.95),
    "low right": dict(left=0.42, top=0.38, size=0.56),
}


@pytest.fixture
def app(page, site_url):
    open_inspected(page, site_url)
    assert "pre-trained" in model_answering(page)
    return page


def test_every_digit_drawn_in_the_middle_is_recognised(app):
    wrong = {}
    for digit in range(10):
        clear(app)
        answer = draw_and_wait(app, digit, **PLACES["middle"])
        if answer != str(digit):
            wrong[digit] = answer
    assert not wrong, f"drawn digit -> predicted: {wrong}"


@pytest.mark.parametrize("place", ["small top-left", "big", "low right"])
def test_digits_are_recognised_wherever_and_however_large_they_are_drawn(app, place):
    wrong = {}
    for digit in (0, 1, 2, 3, 4, 7):
        clear(app)
        answer = draw_and_wait(app, digit, **PLACES[place])
        if answer != str(digit):
            wrong[digit] = answer
    assert not wrong, f"{place}: drawn digit -> predicted: {wrong}"


def test_the_prediction_shows_the_digit_alone_its_probabilities_and_what_the_network_sees(app):
    assert predicted_digit(app) == ""  # an empty pad: no prediction, not a guess
    assert all(p is None for p in probabilities(app))
    draw_and_wait(app, 7)
    assert re.fullmatch(r"[0-9]", predicted_digit(app))
    proba = probabilities(app)
    assert len(proba) == 10 and abs(sum(proba) - 1) < 1e-4
    assert int(predicted_digit(app)) == int(np.argmax(proba))
    assert "pre-trained" in model_answering(app) and re.search(r"\(784(-\d+)+-10\)", model_answering(app))
    # the 28×28 image as the network gets it: MNIST-like, ink in the middle, black border
    seen = np.array(app.evaluate("""() => {
        const c = document.getElementById('network-input');
        return Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data); }""")).reshape(28, 28, 4)[..., 0]
    assert seen.max() == 255 and seen[:3].max() == 0 and seen[:, :3].max() == 0
    assert seen[4:24, 4:24].mean() > 20


def test_predictions_follow_the_pen_while_drawing(app):
    canvas = app.get_by_label("Draw a digit", exact=True)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15
    app.mouse.move(x, y)
    app.mouse.down()
    for i in range(1, 60):  # a slow vertical stroke, pen held down
        app.mouse.move(x, y + i * box["height"] * 0.012)
        app.wait_for_timeout(15)
    # answers arrived while the pen was still down (throttled: fewer answers than moves)
    answered_while_drawing = prediction_counters(app)["count"]
    assert 1 <= answered_while_drawing < 60
    assert predicted_digit(app) != ""
    app.mouse.up()
    app.wait_for_function("window.nnImplTestHook.predictions().timings.length >= 1 && !window.nnImplTestHook.predictions().inFlight")
    assert predicted_digit(app) == "1"


def test_clear_empties_the_prediction(app):
    assert draw_and_wait(app, 3) == "3"
    clear(app)
    assert predicted_digit(app) == ""
    assert all(p is None for p in probabilities(app))
    assert prediction_counters(app)["padEmpty"]
    # what the network sees is blank again
    seen = app.evaluate("""() => { const c = document.getElementById('network-input');
        return Math.max(...c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)); }""")
    assert seen == 0
    # and the pad works again after clearing
    assert draw_and_wait(app, 0) == "0"


def test_a_late_answer_does_not_come_back_after_clear(app):
    canvas = app.get_by_label("Draw a digit", exact=True)
    draw_strokes(app, canvas, DIGITS[7])
    clear(app)  # at once: the stroke-end prediction may still be on its way
    app.wait_for_timeout(500)
    assert predicted_digit(app) == ""


def _photo(digit_image, dark_on_light, scale=9, seed=0):
    """A "photo" of an MNIST digit: enlarged, on paper lit unevenly from one side, with sensor noise."""
    rng = np.random.default_rng(seed)
    big = np.kron(digit_image.astype(np.float64) / 255, np.ones((scale, scale)))
    big = np.pad(big, 40)
    h, w = big.shape
    light = np.linspace(0.75, 1.0, w)[None, :] * np.ones((h, 1))  # one side darker
    if dark_on_light:
        grey = 235 * light * (1 - 0.85 * big)
    else:
        grey = 20 + 200 * big * light
    grey = grey + rng.normal(0, 4, grey.shape)
    rgb = np.clip(np.stack([grey, grey * 0.97, grey * 0.92], axis=2), 0, 255).astype(np.uint8)
    return rgb


@pytest.mark.parametrize("dark_on_light", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_open_an_image_classifies_a_photo(app, site_url, dark_on_light):
    dataset = site_dataset(site_url)
    pred, proba = page_predictions(app)
    # digits the pre-trained model reads surely on their own, of different classes
    sure = [i for i in range(len(pred)) if pred[i] == dataset["y_test"][i] and proba[i].max() > 0.995]
    picked = {}
    for i in sure:
        picked.setdefault(int(dataset["y_test"][i]), i)
    for label in (2, 4, 9):
        index = picked[label]
        photo = png_bytes(_photo(dataset["x_test"][index], dark_on_light, seed=index))
        before = prediction_counters(app)["count"]
        app.get_by_label("Open an image", exact=True).set_input_files(
            files=[{"name": f"digit-{label}.png", "mimeType": "image/png", "buffer": photo}]
        )
        app.wait_for_function(f"window.nnImplTestHook.predictions().count > {before} && !window.nnImplTestHook.predictions().inFlight")
        assert predicted_digit(app) == str(label), f"photo of test image {index} ({'dark' if dark_on_light else 'light'} ink)"
        assert "digit-" in app.locator("#draw-message").inner_text()


def test_a_file_that_is_not_an_image_says_so(app):
    app.get_by_label("Open an image", exact=True).set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"these are not pixels"}]
    )
    message = app.locator("#draw-message")
    message.filter(has_text="Could not open notes.png").wait_for(timeout=10_000)
    assert predicted_digit(app) == ""
    assert state(app) == "ready"
    assert draw_and_wait(app, 1) == "1"  # the pad still works


def test_the_network_being_trained_answers_once_training_starts(app):
    assert draw_and_wait(app, 2) == "2"
    app.get_by_label("Training samples", exact=True).fill("2000")
    app.get_by_label("Epochs", exact=True).fill("2")
    before = runs_completed(app)
    button(app, "Train").click()
    app.wait_for_function(f"window.nnImplTestHook.runsCompleted() > {before}", timeout=120_000)
    # the drawing was classified again by the new network, which now answers
    app.wait_for_function(
        "document.getElementById('model-answering').textContent.includes('being trained')", timeout=10_000
    )
    app.wait_for_function("!window.nnImplTestHook.predictions().inFlight && !window.nnImplTestHook.predictions().wanted")
    assert re.fullmatch(r"[0-9]", predicted_digit(app))
