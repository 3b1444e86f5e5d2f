"""The environments the build makes for itself: `.venv` (NumPy and the test tools, pinned in
requirements-dev.txt), `.venv-pyodide` (pyodide-build for Pyodide's Python 3.12, pinned in
requirements-pyodide.txt) and node_modules (exactly package-lock.json). Each is redone only when its pins change.
"""

import glob
import shutil
import subprocess
import sys
from pathlib import Path

from .common import NODE_MODULES, ROOT, VENV, BuildError, log, run, sha256_file


def venv_python(venv):
    return venv / "bin" / "python"


def ensure_venv(venv, python, requirements):
    """Create ``venv`` with ``python`` and install ``requirements`` (a file of pins) when they changed."""
    stamp = venv / ".nn_impl-requirements.sha256"
    wanted = sha256_file(requirements)
    if venv_python(venv).exists() and stamp.is_file() and stamp.read_text() == wanted:
        return venv_python(venv)
    log(f"creating {venv.name} with {python} from {requirements.name}")
    if not venv_python(venv).exists():
        run([python, "-m", "venv", venv], f"creating {venv.name} (on Debian/Ubuntu: apt-get install python3-venv)")
    run([venv_python(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements],
        f"installing {requirements.name} into {venv.name} (needs PyPI, or a warm pip cache)", capture=True)
    stamp.write_text(wanted)
    return venv_python(venv)


def dev_python():
    """.venv's interpreter (NumPy, pytest, Playwright), made with the Python that runs build.py."""
    return ensure_venv(VENV, sys.executable, ROOT / "requirements-dev.txt")


def find_python312():
    """A Python 3.12 for pyodide-build (Pyodide 0.27 runs 3.12: .pyc files must be compiled by a 3.12)."""
    candidates = [shutil.which("python3.12")]
    candidates += sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.12*/bin/python3.12")), reverse=True)
    candidates += ["/usr/bin/python3.12", "/usr/local/bin/python3.12"]
    for candidate in candidates:
        if not (candidate and Path(candidate).is_file()):
            continue
        try:  # a pyenv shim exists even when it cannot run 3.12 here: ask the interpreter itself
            version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                     capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version == "(3, 12)":
            return candidate
    return None


def npm_ci():
    """node_modules exactly as package-lock.json says (skipped when it already is)."""
    stamp = NODE_MODULES / ".nn_impl-lock.sha256"
    wanted = sha256_file(ROOT / "package-lock.json")
    if stamp.is_file() and stamp.read_text() == wanted and (NODE_MODULES / "pyodide").is_dir():
        return
    if shutil.which("npm") is None:
        raise BuildError("npm is not installed: install Node.js 18+ with npm (https://nodejs.org or apt-get install npm)")
    log("npm ci (pyodide, uplot, CodeMirror, KaTeX; esbuild for the build; TF.js for the benchmark)")
    run(["npm", "ci", "--no-audit", "--no-fund"], "npm ci (needs the npm registry, or a warm npm cache)")
    stamp.write_text(wanted)
