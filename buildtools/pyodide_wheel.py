"""The nn_impl wheel for Pyodide and the site's pyodide-lock.json, cached by the package's sources."""

import hashlib
import json
import shutil

from .common import ROOT, VENV_PYODIDE, WORK, BuildError, log, run, sha256_file
from .environments import ensure_venv, find_python312
from .pins import OFFICIAL_PACKAGES

PACKAGE_FILES = ["py", "pyproject.toml", "README.md", "LICENSE"]  # what the nn_impl wheel is built from


def package_sources_hash(code_only=False):
    """sha256 over the package's files: with ``code_only``, its .py files alone (what training depends on; a
    README edit changes the wheel's metadata but must not retrain the pre-trained model)."""
    digest = hashlib.sha256()
    extra = [] if code_only else [ROOT / name for name in PACKAGE_FILES[1:] if (ROOT / name).is_file()]
    for path in sorted((ROOT / "py").rglob("*.py")) + extra:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def nn_impl_for_pyodide(python, official_lock):
    """The nn_impl wheel for the site and the site's pyodide-lock.json, in one folder; cached by the sources.

    The wheel is built from py/ by the standard build backend (``pip wheel``) and registered in the official
    lock, pruned to pins.OFFICIAL_PACKAGES, with the ``pyodide-lock`` package. Where a Python 3.12 exists, ``pyodide
    py-compile`` then turns the folder's wheel into .pyc files (faster start-up in the tab) and rewrites the
    lock's file name and sha256 itself. Returns (folder, wheel path, py_compiled).
    """
    key = hashlib.sha256((package_sources_hash() + sha256_file(official_lock) + " ".join(OFFICIAL_PACKAGES))
                         .encode()).hexdigest()[:16]
    folder = WORK / f"pyodide-{key}"
    if (folder / "pyodide-lock.json").is_file():
        wheel = sorted(folder.glob("nn_impl-*.whl"))[0]
        return folder, wheel, "-cp312-" in wheel.name
    for old in WORK.glob("pyodide-*"):
        shutil.rmtree(old, ignore_errors=True)
    building = WORK / f"building-{key}"  # renamed to `folder` only once complete
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    # From a clean copy of the package's files: setuptools' build/ folder would otherwise carry deleted
    # modules from one build into the next wheel.
    source = building / "source"
    shutil.copytree(ROOT / "py", source / "py", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    for name in PACKAGE_FILES[1:]:
        if (ROOT / name).is_file():
            shutil.copyfile(ROOT / name, source / name)
    log("building the nn_impl wheel")
    run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check", "-w", building, source],
        "building the nn_impl wheel from py/", capture=True)
    shutil.rmtree(source)
    wheel = sorted(building.glob("nn_impl-*.whl"))[0]
    lock = building / "pyodide-lock.json"
    python312 = find_python312()
    if python312 is None:
        log("no Python 3.12 found: shipping the wheel uncompiled (start-up in the page is a little slower)")
        _lock_by_hand(official_lock, wheel, lock)
    else:
        pyodide_python = ensure_venv(VENV_PYODIDE, python312, ROOT / "requirements-pyodide.txt")
        run([pyodide_python, "-c", LOCK_SCRIPT, official_lock, wheel, lock, *OFFICIAL_PACKAGES],
            "registering nn_impl in pyodide-lock.json (pyodide-lock)", capture=True)
        log("pre-compiling the nn_impl wheel for Pyodide (pyodide py-compile)")
        run([pyodide_python.parent / "pyodide", "py-compile", "--silent", building], "pyodide py-compile",
            capture=True)
    wheels = sorted(building.glob("nn_impl-*.whl"))
    entry = json.loads(lock.read_text())["packages"].get("nn-impl")
    if len(wheels) != 1 or entry is None or entry["file_name"] != wheels[0].name \
            or entry["sha256"] != sha256_file(wheels[0]) or entry["depends"] != ["numpy"]:
        raise BuildError(f"{lock}: the nn_impl entry does not describe {[w.name for w in wheels]}: {entry}")
    building.rename(folder)
    wheel = folder / wheels[0].name
    return folder, wheel, "-cp312-" in wheel.name


# Run with .venv-pyodide's interpreter: official lock, wheel, output lock, the official packages to keep.
LOCK_SCRIPT = r"""
import sys
from pathlib import Path
from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec
official, wheel, out = map(Path, sys.argv[1:4])
spec = PyodideLockSpec.from_json(official)
spec.packages = {name: spec.packages[name] for name in sys.argv[4:]}  # ship only what the page loads
add_wheels_to_spec(spec, [wheel]).to_json(out)
"""


def _lock_by_hand(official_lock, wheel, out):
    """The same entry pyodide-lock writes, for machines without a Python 3.12 to run it."""
    lock = json.loads(official_lock.read_text())
    lock["packages"] = {**{name: lock["packages"][name] for name in OFFICIAL_PACKAGES}, "nn-impl": {
        "name": "nn_impl", "version": wheel.name.split("-")[1], "file_name": wheel.name, "install_dir": "site",
        "sha256": sha256_file(wheel), "package_type": "package", "imports": ["nn_impl"], "depends": ["numpy"],
        "unvendored_tests": False, "shared_library": False}}
    out.write_text(json.dumps(lock, indent=1))
