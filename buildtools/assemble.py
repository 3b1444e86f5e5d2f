"""dist/, the static site (docs/ARCHITECTURE.md, "The site"), and its build-info.json."""

import hashlib
import json
import time
from pathlib import Path

from .common import DIST, NODE_MODULES, ROOT, WORK, copy_if_changed, log, sha256_file, write_if_changed
from .downloads import official_package
from .environments import dev_python, npm_ci
from .numpy_steps import SUBSET_TEST, SUBSET_TRAIN, site_data
from .bundles import esbuild_bundles, tutorial_cells_json
from .wasm_kernels import wasm_kernels
from .pins import (KATEX_FILES, KATEX_FONTS, MNIST_CARRIER, OFFICIAL_PACKAGES, PYODIDE_RUNTIME_FILES,
                   UPLOT_FILES)
from .pyodide_wheel import nn_impl_for_pyodide


def stamp_files(info, dist, paths):
    """Put into ``info`` (build-info.json's dict) each file's size and sha256, and ``build_id``: the sha256 of that
    list, which names the build (the service worker keeps one offline copy per build id and checks each file it
    saves against these sha256)."""
    info["files"] = {rel: {"bytes": (dist / rel).stat().st_size, "sha256": sha256_file(dist / rel)}
                     for rel in sorted(paths)}
    listing = "".join(f"{rel} {f['sha256']}\n" for rel, f in info["files"].items())
    info["build_id"] = hashlib.sha256(listing.encode()).hexdigest()
    return info


def build_site(numpy_url=None, skip=()):
    """Assemble dist/; ``skip``: steps to skip ("pretrained"). Returns the build-info dict."""
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
    for name in OFFICIAL_PACKAGES:
        official_file = official_package(python, name, numpy_url)
        put(official_file, f"pyodide/{official_file.name}")
    package_dir, wheel, compiled = nn_impl_for_pyodide(python, pyodide_dir / "pyodide-lock.json")
    put(wheel, f"pyodide/{wheel.name}")
    put(package_dir / "pyodide-lock.json", "pyodide/pyodide-lock.json")
    for name in UPLOT_FILES:
        put(NODE_MODULES / "uplot" / name, f"vendor/uplot/{Path(name).name}")
    for site_path, built in esbuild_bundles().items():
        put(built, site_path)
    for site_path, built in wasm_kernels().items():
        put(built, site_path)
    for name in KATEX_FILES:
        put(NODE_MODULES / "katex" / name, f"vendor/katex/{Path(name).name}")
    for font in sorted((NODE_MODULES / "katex").glob(KATEX_FONTS)):
        put(font, f"vendor/katex/fonts/{font.name}")
    put(tutorial_cells_json(), "tutorial_cells.json")
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
                    for name in ("pyodide", "uplot", "@codemirror/view", "katex")}
    info = {
        "versions": {"pyodide": npm_versions["pyodide"], "python": official_lock["info"]["python"],
                     "numpy": official_lock["packages"]["numpy"]["version"],
                     "openblas": official_lock["packages"]["openblas"]["version"],
                     "nn_impl": wheel.name.split("-")[1], "uplot": npm_versions["uplot"],
                     "codemirror_view": npm_versions["@codemirror/view"], "katex": npm_versions["katex"]},
        "nn_impl_wheel": {"file": wheel.name, "py_compiled": compiled},
        "subset": {"n_train": SUBSET_TRAIN, "n_test": SUBSET_TEST,
                   "source": "MNIST (the first images of the training and test sets), restored from "
                             f"{MNIST_CARRIER[0]} {MNIST_CARRIER[1]}'s mnist.pkl.gz and checked against the "
                             "sha256 of the canonical arrays",
                   "license": "CC BY-SA 3.0, Yann LeCun, Corinna Cortes and Christopher J. C. Burges"},
        "pretrained": pretrained,
    }
    stamp_files(info, DIST, produced)
    write_if_changed(DIST / "build-info.json", (json.dumps(info, indent=1) + "\n").encode())
    total = sum(f["bytes"] for f in info["files"].values())
    log(f"dist/ ready: {len(produced)} files, {total / 2**20:.1f} MiB, in {time.perf_counter() - started:.1f} s "
        f"(pre-trained model: {pretrained['test_accuracy']:.2%} on the MNIST test set)")
    return info
