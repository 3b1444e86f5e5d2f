"""Notebook cells: the runner (values, prints, tracebacks naming the cell) and the tutorial's cells themselves."""

import numpy as np
import pytest

from nn_impl import cells, lesson, tutorial_cells, worker_requests


def test_a_cell_shows_the_repr_of_its_last_expression_and_keeps_its_names(capsys):
    ns = cells.new_namespace()
    reply = cells.run_cell("import numpy as np\na = np.arange(3)\nprint('sum', a.sum())\na * 2", "Cell 1", ns)
    assert reply == {"value": "array([0, 2, 4])", "error": None, "interrupted": False}
    assert capsys.readouterr().out == "sum 3\n"
    assert cells.run_cell("a + 1", "Cell 2", ns)["value"] == "array([1, 2, 3])"
    # No value for None, for an assignment last, or for an empty cell (as in a notebook).
    assert cells.run_cell("None", "Cell 3", ns)["value"] is None
    assert cells.run_cell("b = 1", "Cell 3", ns)["value"] is None
    assert cells.run_cell("", "Cell 3", ns) == {"value": None, "error": None, "interrupted": False}


def test_a_traceback_names_the_cells_and_lines_and_leaves_the_runner_out():
    ns = cells.new_namespace()
    cells.run_cell("def f(x):\n    return 1 / x\n", "Cell 1", ns)
    reply = cells.run_cell("y = 2\nf(0)", "Your code", ns)
    assert reply["value"] is None and reply["interrupted"] is False
    error = reply["error"]
    assert error.startswith("Traceback (most recent call last):\n")
    assert 'File "Your code", line 2, in <module>' in error and "f(0)" in error
    assert 'File "Cell 1", line 2, in f' in error and "return 1 / x" in error
    assert error.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "cells.py" not in error and "run_cell" not in error
    assert ns["y"] == 2  # what ran before the error stays, as in a notebook


def test_a_syntax_error_points_into_the_cell():
    reply = cells.run_cell("x = (\n", "Cell 4", cells.new_namespace())
    assert 'File "Cell 4", line 1' in reply["error"] and "SyntaxError" in reply["error"]
    assert "Traceback" not in reply["error"]


def test_keyboard_interrupt_is_reported_as_an_interruption_and_keeps_the_namespace():
    ns = cells.new_namespace()
    reply = cells.run_cell("done = 1\nraise KeyboardInterrupt", "Cell 2", ns)
    assert reply["interrupted"] is True and "KeyboardInterrupt" in reply["error"]
    assert ns["done"] == 1
    assert cells.run_cell("raise SystemExit(3)", "Cell 2", ns)["error"].rstrip().endswith("SystemExit: 3")


@pytest.mark.native_only  # the cells are cut from reference.py's source, which the Pyodide wheel does not hold
def test_the_class_cells_are_the_reference_source_verbatim():
    source = tutorial_cells.REFERENCE_SOURCE.read_text(encoding="utf-8")
    found = tutorial_cells.tutorial_cells()
    titles = [c["title"] for c in found]
    assert titles[0] == "The layer" and "The three-layer classifier" in titles
    layer = found[0]["code"]
    assert layer.startswith("import numpy as np\n\nclass NNLayer:")
    assert layer[len("import numpy as np\n\n"):] in source
    for cell in found:
        if cell["source"]:
            for part in cell["code"].removeprefix("import numpy as np\n\n").split("\n\n\n"):
                assert part in source
    with pytest.raises(ValueError, match="no longer defines NNLayer"):
        tutorial_cells.tutorial_cells("def something_else():\n    pass\n")


@pytest.mark.native_only
def test_the_site_json_holds_the_cells_and_the_methods_the_step_view_highlights():
    import json

    site = json.loads(tutorial_cells.site_json())
    assert len(site["cells"]) == len(tutorial_cells.CELLS)
    forward = site["methods"]["NNLayer.forward"]
    assert forward["code"].startswith("def forward(self, x):") and "self.y = self.W @ self.x + self.b" in forward["code"]
    source_lines = tutorial_cells.REFERENCE_SOURCE.read_text(encoding="utf-8").splitlines()
    assert source_lines[forward["first_line"] - 1].strip() == "def forward(self, x):"
    assert "self.W -= self.alpha * dW" in site["methods"]["NNLayer.backward"]["code"]
    assert "legacy_printed_loss(y_hat, t)" in site["methods"]["AThreeLayerSimpleMLPC.fit"]["code"]


@pytest.mark.native_only
def test_running_all_cells_on_a_fresh_namespace_prints_the_tutorials_numbers(tmp_path, monkeypatch, capsys):
    from test_session import dataset_bytes

    monkeypatch.chdir(tmp_path)
    (tmp_path / tutorial_cells.DATASET_FILE).write_bytes(dataset_bytes(n_train=300, n_test=50))
    ns = cells.new_namespace()
    replies = [cells.run_cell(c["code"], f"Cell {i + 1}", ns) for i, c in enumerate(tutorial_cells.tutorial_cells())]
    assert [r["error"] for r in replies] == [None] * len(replies)
    assert replies[1]["value"].startswith("array([[0.49915458],\n       [0.4922888 ],")
    for diagonal in ("0.19661193", "0.10499359", "0.04517666"):
        assert diagonal in replies[2]["value"]
    printed = capsys.readouterr().out
    assert "epoch 1/3  the tutorial printed " in printed and "true loss" in printed
    assert "broadcasts to a 10×10 array" in printed and "test accuracy" in printed


def test_lesson_requests_run_cells_and_take_a_step_through_the_worker_adapter():
    from test_session import dataset_bytes

    one = lesson.Lesson()
    handle = worker_requests.handle
    info = handle(one, "load", {"dataset": dataset_bytes(n_train=40, n_test=30)}, lesson.REQUESTS)
    assert info["versions"]["numpy"] == np.__version__
    assert handle(one, "run", {"code": "z = 40\nz + 2", "name": "Cell 1"}, lesson.REQUESTS)["value"] == "42"
    handle(one, "reset", {}, lesson.REQUESTS)
    assert "NameError" in handle(one, "run", {"code": "z", "name": "Cell 2"}, lesson.REQUESTS)["error"]
    step = handle(one, "step", {"seed": 3, "index": 29}, lesson.REQUESTS)
    assert step["output"]["shape"] == [10] and step["output"]["dtype"] == "float64"
    with pytest.raises(ValueError, match="test image number must be an integer from 0 to 29"):
        handle(one, "step", {"seed": 3, "index": 30}, lesson.REQUESTS)
    with pytest.raises(ValueError, match="unknown request type 'train'"):
        handle(one, "train", {}, lesson.REQUESTS)
    with pytest.raises(ValueError, match="not loaded"):
        lesson.Lesson().step(0, 0)
    with pytest.raises(ValueError, match="code and name must be text"):
        one.run(3, "Cell 1")
    assert one.dataset["x_test"].shape == (30, 28, 28)  # read when the step first needed it
    bad = lesson.Lesson()
    bad.load(b"not an npz file")
    with pytest.raises(ValueError):
        bad.step(0, 0)
