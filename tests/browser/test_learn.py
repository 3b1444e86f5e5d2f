""""Learn how it works", driven by accessible names: the tutorial's cells run in their own Python, one training
step taken apart equals CPython's nn_impl.reference, the Jacobian lens and the gradient check."""

import re

import numpy as np
import pytest

from _page_helpers import button, draw_and_wait, open_inspected, open_page, site_dataset

from buildtools.browser import SiteHandler, serve_in_background
from nn_impl import reference

pytestmark = pytest.mark.browser

PYTHON_START_MS = 120_000  # the section's Pyodide starts on first use; a busy 2-core machine may take long


def section(page):
    region = page.get_by_role("region", name="Learn how it works")
    region.scroll_into_view_if_needed()
    return region


def editor(page, label):
    """The CodeMirror editor of a cell, once it has replaced the cell's plain text."""
    box = page.get_by_label(label, exact=True)
    page.wait_for_function(f"document.querySelector('[aria-label=\"{label}\"]').isContentEditable", timeout=30_000)
    return box


def type_into(page, label, code):
    box = editor(page, label)
    box.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def run_and_wait(page, run_label, output_label):
    out = page.get_by_label(output_label, exact=True)
    button(page, run_label).click()
    page.wait_for_function(
        f"['done', 'error'].includes(document.querySelector('[aria-label=\"{output_label}\"]').dataset.state)",
        timeout=PYTHON_START_MS)
    return out.inner_text()


def loaded_resources(page):
    return page.evaluate("performance.getEntriesByType('resource').map(e => e.name.split('/').pop())")


def test_cells_show_before_python_and_run_all_reproduces_the_tutorial(page, site_url):
    open_page(page, site_url)
    # The code is on the page at once; the cells' Python, editor and KaTeX are not loaded until first use. (Its
    # text is read where it is, without scrolling to it: the section coming near the viewport loads the editor.)
    first = page.get_by_label("Code cell 1", exact=True).text_content()
    assert "class NNLayer:" in first and "def dsigmoid(self, y):" in first
    assert "alayer = NNLayer(n_inputs=3, n_neurons=5)" in page.get_by_label("Code cell 2", exact=True).text_content()
    resources = loaded_resources(page)
    for name in ("cells_worker.js", "code_editor.js", "katex.js", "katex.min.css"):
        assert name not in resources, resources

    section(page)
    button(page, "Run all cells").click()
    last = "Output of cell 8"
    page.wait_for_function(f"document.querySelector('[aria-label=\"{last}\"]').dataset.state === 'done'",
                           timeout=PYTHON_START_MS + 60_000)
    forward = page.get_by_label("Output of cell 2", exact=True).inner_text()
    assert forward.startswith("array([[0.49915458],\n       [0.4922888 ],\n       [0.50618145],")
    jacobian = page.get_by_label("Output of cell 3", exact=True).inner_text()
    assert re.search(r"0\.19661193.*0\.10499359.*0\.04517666", jacobian, re.S), jacobian
    assert page.get_by_label("Output of cell 4", exact=True).inner_text().startswith("array([[")
    training = page.get_by_label("Output of cell 7", exact=True).inner_text()
    assert re.search(r"epoch 1/3  the tutorial printed [\d.]+  true loss 0\.\d{6}", training), training
    assert "broadcasts to a 10×10 array" in training
    assert re.search(r"test accuracy 0\.\d{4}", page.get_by_label("Output of cell 8", exact=True).inner_text())
    assert "cells_worker.js" in loaded_resources(page)


def test_an_edited_cell_gives_new_output_and_the_learners_cell_shares_the_names(page, site_url):
    open_page(page, site_url)
    section(page)
    before = run_and_wait(page, "Run cell 2", "Output of cell 2")
    assert "NameError: name 'np' is not defined" in before  # cell 1 (the import, NNLayer) has not run yet
    assert run_and_wait(page, "Run cell 1", "Output of cell 1") == ""
    code = page.get_by_label("Code cell 2", exact=True).inner_text()
    type_into(page, "Code cell 2", code.replace("np.random.seed(123)", "np.random.seed(7)")
              .replace("xi = np.random.rand(3)", "xi = np.random.rand(3)\nprint('inputs', xi.shape)"))
    edited = run_and_wait(page, "Run cell 2", "Output of cell 2")
    assert edited.startswith("inputs (3,)\narray([[")
    np.random.seed(7)
    layer = reference.NNLayer(n_inputs=3, n_neurons=5)
    expected = layer.forward(np.random.rand(3))
    assert edited.split("\n", 1)[1] == repr(expected)
    type_into(page, "Your code", "alayer.W.shape")
    assert run_and_wait(page, "Run your code", "Output of your code") == "(5, 3)"
    # Restore puts the tutorial's text back.
    button(page, "Restore the tutorial's code").click()
    assert "np.random.seed(123)" in page.get_by_label("Code cell 2", exact=True).inner_text()


def test_an_exception_shows_a_traceback_and_the_page_keeps_predicting(page, site_url):
    open_inspected(page, site_url)
    section(page)
    type_into(page, "Your code", "def half(x):\n    return x / 0\n\nhalf(3)")
    shown = run_and_wait(page, "Run your code", "Output of your code")
    assert shown.startswith("Traceback (most recent call last):")
    assert 'File "Your code", line 4, in <module>' in shown and 'File "Your code", line 2, in half' in shown
    assert shown.rstrip().endswith("ZeroDivisionError: division by zero")
    for internal in ("cells.py", "_pyodide", "run_cell", "pyodide.asm"):
        assert internal not in shown
    page.get_by_role("region", name="Draw and predict").scroll_into_view_if_needed()
    assert draw_and_wait(page, 1) != ""
    assert page.evaluate("document.body.dataset.state") == "ready"


def test_interrupt_restarts_the_cells_python_when_not_isolated_and_the_next_run_works(page, site_url):
    open_page(page, site_url)
    section(page)
    assert page.evaluate("crossOriginIsolated") is False
    assert run_and_wait(page, "Run cell 1", "Output of cell 1") == ""
    type_into(page, "Your code", "print('looping')\nwhile True:\n    pass")
    button(page, "Run your code").click()
    out = page.get_by_label("Output of your code", exact=True)
    page.wait_for_function("document.querySelector('[aria-label=\"Output of your code\"]').textContent"
                           ".includes('looping')", timeout=PYTHON_START_MS)
    button(page, "Interrupt").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of your code\"]').dataset.state === 'error'",
                           timeout=2_000)  # stopped within 2 s
    assert "Stopped" in out.inner_text()
    status = page.locator("#cells-status").inner_text()
    assert "namespace was rebuilt" in status
    assert button(page, "Rerun the cells").is_visible()
    # The new Python is empty; rerunning the cells defines the names again.
    type_into(page, "Your code", "NNLayer")
    assert "NameError" in run_and_wait(page, "Run your code", "Output of your code")
    button(page, "Rerun the cells").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of cell 8\"]').dataset.state === 'done'",
                           timeout=PYTHON_START_MS + 60_000)
    assert run_and_wait(page, "Run your code", "Output of your code").startswith("<class '__main__.NNLayer'>")


class IsolatedSiteHandler(SiteHandler):
    """The site with the headers that make it cross-origin isolated (SharedArrayBuffer, interrupt buffers)."""

    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()


@pytest.fixture(scope="module")
def isolated_site_url(dist_dir):
    server, url = serve_in_background(dist_dir, handler=IsolatedSiteHandler, quiet=True)
    yield url
    server.shutdown()
    server.server_close()


def test_interrupt_raises_keyboard_interrupt_in_place_when_isolated(page, isolated_site_url):
    open_page(page, isolated_site_url)
    section(page)
    assert page.evaluate("crossOriginIsolated") is True
    type_into(page, "Your code", "kept = 41\nprint('looping')\nwhile True:\n    pass")
    button(page, "Run your code").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of your code\"]').textContent"
                           ".includes('looping')", timeout=PYTHON_START_MS)
    button(page, "Interrupt").click()
    page.wait_for_function("document.querySelector('[aria-label=\"Output of your code\"]').dataset.state === 'error'",
                           timeout=2_000)
    shown = page.get_by_label("Output of your code", exact=True).inner_text()
    assert "KeyboardInterrupt" in shown and 'File "Your code", line 3' in shown
    assert "kept" in page.locator("#cells-status").inner_text()
    type_into(page, "Your code", "kept + 1")
    assert run_and_wait(page, "Run your code", "Output of your code") == "42"  # the namespace survived


def _cpython_step(dataset, seed, index):
    """ŷ, the loss, the tutorial's printed loss and the loss after one step, with nn_impl.reference on CPython."""
    np.random.seed(seed)
    net = reference.AThreeLayerSimpleMLPC(n_inputs=784, n_classes=10)
    x = reference.tutorial_normalize(dataset["x_test"][index].reshape(784))
    t = np.zeros(10)
    t[dataset["y_test"][index]] = 1
    y_hat = net.forward(x)
    first_y = net.layers[0].y.ravel().copy()
    loss, printed = reference.true_loss(y_hat, t), reference.legacy_printed_loss(y_hat, t)
    net.backward((y_hat.ravel() - t)[None, :])
    return y_hat.ravel(), t, loss, printed, reference.true_loss(net.forward(x), t), first_y


def _numbers(text):
    return np.array([float(v) for v in text.replace(",", " ").split()])


def test_the_step_view_equals_cpython_for_two_seeds_and_images(page, site_url):
    open_page(page, site_url)
    dataset = site_dataset(site_url)
    section(page)
    for seed, index in ((123, 0), (7, 4321)):
        page.get_by_label("Initial weights seed", exact=True).fill(str(seed))
        page.get_by_label("Test image number", exact=True).fill(str(index))
        button(page, "Take the step apart").click()
        page.wait_for_function(
            f"(s => s && s.seed === {seed} && s.index === {index})(window.nnImplTestHook.trainingStep())",
            timeout=PYTHON_START_MS)
        shown = page.evaluate("window.nnImplTestHook.trainingStep()")
        y_hat, t, loss, printed, loss_after, first_y = _cpython_step(dataset, seed, index)
        np.testing.assert_allclose(shown["output"], y_hat, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(shown["target"], t)
        assert abs(shown["loss"] - loss) <= 1e-9 and abs(shown["loss_after"] - loss_after) <= 1e-9
        assert abs(shown["printed_loss"] - printed) <= 1e-9 * max(1, abs(printed))
        assert loss_after < loss
        # What is on the screen is those numbers to 8 decimals.
        on_screen = _numbers(page.get_by_label("Output ŷ", exact=True).inner_text())
        assert on_screen.shape == (10,) and np.max(np.abs(on_screen - y_hat)) <= 5.1e-9
        np.testing.assert_array_equal(_numbers(page.get_by_label("Target t", exact=True).inner_text()), t)
        assert abs(float(page.get_by_label("Sample loss", exact=True).inner_text()) - loss) <= 5.1e-9
        assert abs(float(page.get_by_label("Loss after the update", exact=True).inner_text()) - loss_after) <= 5.1e-9
    # The first layer's forward stage: pointing at unit 5 of the y strip reads its value out.
    button(page, "Next stage").click()
    strip = page.get_by_role("img", name="y = W x + b")
    box = strip.bounding_box()
    strip.hover(position={"x": box["width"] * (5.5 / 32), "y": box["height"] / 2})
    shown = page.locator("#step-hover").inner_text()
    assert shown.startswith("y[5] = ") and abs(float(shown.split("= ")[1]) - first_y[5]) <= 5.1e-9, shown
    # A test image number past the test set is refused with the range, and the numbers shown stay.
    image = page.get_by_label("Test image number", exact=True)
    image.fill("10000")
    image.press("Enter")
    button(page, "Take the step apart").click()
    assert image.get_attribute("aria-invalid") == "true"
    assert "Test image number must be a whole number from 0 to 9999" in page.locator("#step-status").inner_text()
    assert page.evaluate("window.nnImplTestHook.trainingStep().index") == 4321


def test_the_explorer_opens_one_training_step_on_its_image(app, site_url):
    dataset = site_dataset(site_url)
    index = 4  # the explorer's fifth image
    app.get_by_role("button", name=re.compile(rf"^Test image {index + 1}, labelled ")).click()
    button(app, "One training step on this image").click()
    app.wait_for_function(f"(s => s && s.index === {index})(window.nnImplTestHook.trainingStep())",
                          timeout=PYTHON_START_MS)
    assert app.get_by_label("Test image number", exact=True).input_value() == str(index)
    target = _numbers(app.get_by_label("Target t", exact=True).inner_text())
    assert target.argmax() == dataset["y_test"][index] and target.sum() == 1
    seed = int(app.get_by_label("Initial weights seed", exact=True).input_value())
    y_hat = _cpython_step(dataset, seed, index)[0]
    np.testing.assert_allclose(app.evaluate("window.nnImplTestHook.trainingStep().output"), y_hat, rtol=0, atol=1e-9)


def test_the_step_view_by_keyboard_only(page, site_url):
    open_page(page, site_url)
    section(page)
    seed = page.get_by_label("Initial weights seed", exact=True)
    seed.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    page.keyboard.press("Tab")  # to "Test image number"
    page.keyboard.press("Control+a")
    page.keyboard.type("12")
    page.keyboard.press("Tab")  # to "Take the step apart"
    page.keyboard.press("Enter")
    page.wait_for_function("(s => s && s.seed === 3 && s.index === 12)(window.nnImplTestHook.trainingStep())",
                           timeout=PYTHON_START_MS)
    title = page.locator("#step-stage-title")
    assert title.inner_text().startswith("Stage 1 of 9: The input")
    page.keyboard.press("Tab")  # Previous stage (disabled at the first stage: skipped) -> Next stage
    assert page.evaluate("document.activeElement.textContent") == "Next stage"
    page.keyboard.press("Enter")
    assert title.inner_text().startswith("Stage 2 of 9: Forward, the first layer")
    seen = {title.inner_text()}
    for k in range(3, 10):
        page.keyboard.press("ArrowRight")
        assert title.inner_text().startswith(f"Stage {k} of 9"), title.inner_text()
        seen.add(title.inner_text())
        # Each stage highlights the lines of nn_impl.reference that compute it.
        assert page.locator("#step-code mark").count() >= 1
    assert "Jacobian" in " ".join(seen) and title.inner_text().startswith("Stage 9 of 9: The update")
    assert "self.W -= self.alpha * dW" in page.locator("#step-code mark").first.inner_text()
    page.keyboard.press("Home")
    assert title.inner_text().startswith("Stage 1 of 9")
    page.keyboard.press("ArrowLeft")  # nothing before the first stage
    assert title.inner_text().startswith("Stage 1 of 9")
    # The formula is typeset by KaTeX (self-hosted), loaded on first use.
    page.wait_for_selector("#step-formula .katex", timeout=10_000)


def test_the_jacobian_lens_and_the_gradient_check(page, site_url):
    open_page(page, site_url)
    section(page)
    page.get_by_label("Units in the layer", exact=True).fill("256")
    button(page, "Compare the two products").click()
    lens = page.get_by_role("table", name="The two products compared")
    lens.wait_for(timeout=PYTHON_START_MS)
    text = page.locator("#lens-result").inner_text()
    assert "512.0 KiB (n² numbers)" in text and "2.0 KiB (n numbers)" in text  # 256² and 256 float64
    difference = float(re.search(r"largest difference (\d\.\d+e[+-]\d+)", text).group(1))
    assert difference < 1e-15
    button(page, "Check the gradient").click()
    table = page.get_by_role("table", name="Gradient check")
    table.wait_for(timeout=PYTHON_START_MS)
    rows = table.locator("tbody tr")
    assert rows.count() == 9
    errors = [float(rows.nth(k).locator("td").nth(4).inner_text()) for k in range(9)]
    assert max(errors) < 1e-6
