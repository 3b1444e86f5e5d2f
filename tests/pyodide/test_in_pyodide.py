"""The package's unit tests, run again inside Pyodide (Node + the site's runtime, NumPy 2.0.2 and nn_impl wheel).

Tests marked ``native_only`` (subprocesses, the 55 MB full MNIST, scikit-learn) are left out there.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from _support import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.pyodide


def test_unit_tests_pass_inside_pyodide():
    dist = Path(os.environ.get("NN_IMPL_DIST", ROOT / "dist"))
    wheels = os.environ.get("NN_IMPL_PYODIDE_WHEELS")
    if shutil.which("node") is None:
        skip_or_fail("node is not installed")
    if not (dist / "pyodide" / "pyodide-lock.json").is_file():
        skip_or_fail(f"no built site in {dist}: run `python3 build.py build`")
    if not wheels or not Path(wheels).is_dir():
        skip_or_fail("NN_IMPL_PYODIDE_WHEELS (pytest wheels for Pyodide) is not set: run `python3 build.py test`")
    result = subprocess.run(
        ["node", str(ROOT / "tests/pyodide/run_in_pyodide.mjs"), str(dist), str(ROOT / "tests"), wheels,
         "/tests/unit"],
        capture_output=True, text=True, timeout=1800,
    )
    output = result.stdout + result.stderr
    print(output[-5000:])
    assert "inside Pyodide: Python 3.12" in output and "NumPy 2.0.2" in output, output[-3000:]
    assert result.returncode == 0, f"unit tests failed inside Pyodide:\n{output[-8000:]}"
    assert " passed" in output and " failed" not in output
