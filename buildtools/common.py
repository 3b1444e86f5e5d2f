"""What every build step uses: the checkout's paths, the cache folder, BuildError, running a command, and
writing files only when their content changes (a second build with nothing changed stays fast and quiet)."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / ".cache" / "build"  # intermediate build products (git-ignored)
VENV = ROOT / ".venv"
VENV_PYODIDE = ROOT / ".venv-pyodide"
NODE_MODULES = ROOT / "node_modules"


class BuildError(Exception):
    """A step failed: the message says which part and what to do."""


def log(message):
    print(f"[build] {message}", flush=True)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir():
    """The same folder as ``nn_impl.data.cache_dir()`` (computed here: build.py must run without NumPy)."""
    if os.environ.get("NN_IMPL_CACHE"):
        return Path(os.environ["NN_IMPL_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "nn_impl"
    return Path.home() / ".cache" / "nn_impl"


def run(cmd, what, cwd=ROOT, env=None, capture=False):
    """Run a command; on failure raise BuildError naming the part that failed."""
    try:
        result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, text=True,
                                capture_output=capture, check=False)
    except FileNotFoundError as exc:
        raise BuildError(f"{what}: {exc.filename} is not installed") from None
    if result.returncode != 0:
        detail = f"\n{result.stdout[-3000:]}{result.stderr[-3000:]}" if capture else ""
        raise BuildError(f"{what} failed (exit code {result.returncode}): {' '.join(map(str, cmd))}{detail}")
    return result


def write_if_changed(path, data):
    """Write bytes unless the file already holds exactly them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def copy_if_changed(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.stat().st_size == source.stat().st_size and sha256_file(target) == sha256_file(source):
        return
    shutil.copyfile(source, target)
