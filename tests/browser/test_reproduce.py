"""Reproduce this run in Python: the page shows the command and the code for its settings, copies them, and
the command run on CPython reaches the page's test accuracy (to rounding: the tab's NumPy has no BLAS)."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from _page_helpers import button, fill, open_page, percent, readout, train_to_end
from _support import skip_or_fail
from nn_impl import data

pytestmark = pytest.mark.browser

PY_ROOT = Path(__file__).resolve().parents[2] / "py"


def shown_command(page, must_contain):
    """The command the page shows, once it holds every fragment of ``must_contain``."""
    code = page.get_by_label("Command that reproduces this run", exact=True)
    page.wait_for_function(
        "([el, parts]) => parts.every((p) => el.textContent.includes(p))",
        arg=[code.element_handle(), must_contain], timeout=30_000)
    return code.inner_text()


def test_the_command_and_the_code_follow_the_settings_and_copy(page, site_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, site_url)
    button(page, "Tutorial").click()
    fill(page, "Training samples", 1500)
    fill(page, "Seed", 42)
    command = shown_command(page, ["--limit 1500", "--random-state 42", "--activation sigmoid", "--loss mse"])
    assert command.startswith("nn-impl train --limit 1500 ")
    code = page.get_by_label("Python code that reproduces this run", exact=True).inner_text()
    assert 'mnist["x_train"][:1500]' in code and "random_state=42" in code and 'activation="sigmoid"' in code

    button(page, "Copy command").click()
    expect(page.get_by_text("Command copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == command
    button(page, "Copy Python code").click()
    expect(page.get_by_text("Python code copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code

    fill(page, "Seed", "")  # no seed: the page says what that means for repeating the run
    shown_command(page, ["--random-state none"])
    expect(page.get_by_text("No seed is set")).to_be_visible()


def test_the_page_and_the_command_line_agree_on_a_short_run(page, site_url):
    try:
        data.load_mnist()  # the CLI's side trains on the full MNIST's first images
    except FileNotFoundError as exc:
        if os.environ.get("NN_IMPL_REQUIRE_MNIST"):
            raise
        skip_or_fail(str(exc))
    open_page(page, site_url)
    button(page, "Fast").click()
    fill(page, "Training samples", 4000)
    fill(page, "Epochs", 2)
    fill(page, "Seed", 3)
    command = shown_command(page, ["--limit 4000", "--epochs 2", "--random-state 3"])
    train_to_end(page)
    in_the_tab = percent(readout(page, "Test accuracy"))

    words = shlex.split(command)
    run = subprocess.run([sys.executable, "-m", "nn_impl", *words[1:], "--json"], capture_output=True, text=True,
                         timeout=600, env=dict(os.environ, PYTHONPATH=str(PY_ROOT), OPENBLAS_NUM_THREADS="1"))
    assert run.returncode == 0, run.stderr
    on_cpython = 100 * json.loads(run.stdout.splitlines()[-1])["test_accuracy"]
    print(f"test accuracy in the tab {in_the_tab:.2f} %, on CPython {on_cpython:.2f} %: {command}")
    assert in_the_tab > 85.0
    assert abs(in_the_tab - on_cpython) <= 0.5
