"""The type check: mypy (pinned in requirements-dev.txt, configured in pyproject.toml) passes on the package, and
a user's code gets the public API's annotations (the package ships py.typed). CPython only."""

import subprocess
import sys
from pathlib import Path

import pytest

import nn_impl
from _support import optional_module

pytestmark = pytest.mark.native_only

ROOT = Path(__file__).resolve().parents[2]


def _mypy(*args, cwd=ROOT):
    optional_module("mypy", "the package's type check")
    return subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_mypy_passes_on_the_package():
    run = _mypy()  # files, Python version and options: [tool.mypy] in pyproject.toml
    assert run.returncode == 0, run.stdout + run.stderr


def test_user_code_is_checked_against_the_public_api(tmp_path):
    assert (Path(nn_impl.__file__).parent / "py.typed").is_file()
    user = tmp_path / "user.py"
    user.write_text(
        "import numpy as np\n"
        "import nn_impl\n"
        "model = nn_impl.MLPClassifier(hidden_layer_sizes=(16,), random_state=0)\n"
        "fitted: nn_impl.MLPClassifier = model.fit(np.zeros((4, 2)), [0, 1, 0, 1])\n"
        "accuracy: float = fitted.score(np.zeros((4, 2)), [0, 1, 0, 1])\n"
        "wrong: str = fitted.score(np.zeros((4, 2)), [0, 1, 0, 1])\n"
        "nn_impl.MLPClassifier(epochs='ten')\n"
    )
    run = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(user), cwd=tmp_path)
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, run.stdout + run.stderr
    assert "user.py:6:" in errors[0] and "float" in errors[0] and "str" in errors[0]
    assert "user.py:7:" in errors[1] and '"epochs"' in errors[1]
