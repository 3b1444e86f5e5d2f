"""Benchmark: what watching the layers costs, i.e. training throughput with and without layer statistics.

    OPENBLAS_NUM_THREADS=1 python3 bench/bench_layer_stats.py [--pairs 300] [--pyodide]

The page asks for the statistics with every training slice (``Trainer.run(n, layer_stats=True)``: one batch of
the slice is measured). This script trains the page's two presets' networks (Fast: 784-32-24-10 ReLU, Adam,
batches of 64; Tutorial: sigmoid, MSE, SGD, batch size 1) on the first 20 000 MNIST training images, in
slices of as many batches as the page's worker runs in one slice: the worker aims at 0.12 s per slice and runs
about a tenth as fast as native CPython (README, "The page"), so a slice here is sized to take ~12 ms.
One trainer alternates slices with and without the statistics, so both variants see the same weights, caches
and load from other processes. Two measures of the cost, side by side:

* the time the statistics themselves take (the trainer's calls to ``layer_stats.norms`` and ``measure``, timed
  in place) as a share of the slices' time: robust to load from other processes, which slows both alike;
* the throughput with and without, from the median slice time of each variant: the end-to-end number, but on a
  shared machine its noise (several percent) is larger than the cost itself.

``--pyodide`` runs the same measurement inside the site's own Pyodide runtime (dist/, under Node), on the page's
bundled 20 000 training images, with slices of 0.12 s as in the worker: the page's own engine and NumPy.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))  # the package from this checkout

import numpy as np  # noqa: E402

from nn_impl import MLPClassifier, data, trainer as trainer_module  # noqa: E402
from _in_pyodide import run_in_pyodide  # noqa: E402  (bench/ is the script's folder, on sys.path)

# The page's presets (web/settings.js PRESETS), as far as they decide the cost of a step.
PRESETS = {
    "Fast": dict(hidden_layer_sizes=(32, 24), activation="relu", loss="cross_entropy", solver="adam",
                 learning_rate=0.003, batch_size=64, input_scaling="unit", schedule="cosine"),
    "Tutorial": dict(hidden_layer_sizes=(32, 24), activation="sigmoid", loss="mse", solver="sgd",
                     learning_rate=0.01, batch_size=1, init="tutorial", input_scaling="tutorial", schedule="constant"),
}
N_TRAIN = 20_000  # the page's bundled training images
PAGE_SLICE_SECONDS = 0.12  # web/training.js SLICE_SECONDS
WORKER_SPEED = 0.1  # the worker's samples/s over native CPython's (README: 0.11 to 0.14)


def slice_batches(config, x, y, worker_speed):
    """Batches per slice: as many as take PAGE_SLICE_SECONDS in the worker, i.e. that many x worker_speed here."""
    trainer = MLPClassifier(**config, epochs=1000, random_state=0).trainer(x, y)
    trainer.run(20)  # warm up
    chunks = []
    for _ in range(10):  # the quickest of ten chunks: load from other processes only ever slows one down
        t0 = time.perf_counter()
        trainer.run(20)
        chunks.append((time.perf_counter() - t0) / 20)
    return max(1, round(PAGE_SLICE_SECONDS * worker_speed / min(chunks)))


def timed(function, spent):
    """``function`` wrapped to add the seconds each call takes to ``spent[0]``."""
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0
    return wrapper


def slice_seconds(config, x, y, n_batches, n_pairs):
    """({False: [seconds per sample of each slice without], True: [... with]}, seconds in the statistics' own
    calls, seconds of the slices with statistics), the slices alternating in one trainer."""
    spent = [0.0]
    original = trainer_module.norms, trainer_module.measure_layers
    trainer_module.norms, trainer_module.measure_layers = (timed(f, spent) for f in original)
    try:
        trainer = MLPClassifier(**config, epochs=1000, random_state=0).trainer(x, y)
        trainer.run(n_batches, layer_stats=True)  # warm up (first-touch of the buffers)
        spent[0] = 0.0
        times = {False: [], True: []}
        with_total = 0.0
        for i in range(2 * n_pairs):
            layer_stats = (i % 4) in (1, 2)  # off, on, on, off, ...: neither always goes first
            t0 = time.perf_counter()
            result = trainer.run(n_batches, layer_stats=layer_stats)
            elapsed = time.perf_counter() - t0
            assert (result["layer_stats"] is not None) == layer_stats
            if layer_stats:
                with_total += elapsed
            if result["samples"]:
                times[layer_stats].append(elapsed / result["samples"])
    finally:
        trainer_module.norms, trainer_module.measure_layers = original
    return times, spent[0], with_total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=300, help="slices timed for each variant")
    parser.add_argument("--pyodide", action="store_true", help="run inside the built site's Pyodide (Node)")
    parser.add_argument("--dataset", help="an .npz dataset (data.load_npz_dataset) instead of the cached MNIST")
    parser.add_argument("--worker-speed", type=float, default=WORKER_SPEED,
                        help="this runtime's speed relative to the worker's (1 inside Pyodide)")
    args = parser.parse_args(argv)
    if args.pyodide:
        bench_args = ["--pairs", str(args.pairs), "--dataset", "/data/mnist-subset.npz", "--worker-speed", "1"]
        run_in_pyodide("bench_layer_stats", bench_args)
        return
    mnist = data.load_npz_dataset(args.dataset) if args.dataset else data.load_mnist()
    x, y = mnist["x_train"][:N_TRAIN], mnist["y_train"][:N_TRAIN]
    print(f"{len(x)} MNIST training images; Python {sys.version.split()[0]}, NumPy {np.__version__}; "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"{args.pairs} slices with and {args.pairs} without, alternating; median slice times\n")
    print("| preset | batches per slice | time in the statistics | samples/s without | samples/s with | throughput lost |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, config in PRESETS.items():
        n_batches = slice_batches(config, x, y, args.worker_speed)
        times, in_statistics, with_total = slice_seconds(config, x, y, n_batches, args.pairs)
        share = in_statistics / with_total
        rate = {k: 1.0 / statistics.median(v) for k, v in times.items()}
        lost = 1.0 - rate[True] / rate[False]
        print(f"| {name} | {n_batches} | {share * 100:.2f} % | {rate[False]:,.0f} | {rate[True]:,.0f} "
              f"| {lost * 100:.1f} % |", flush=True)


if __name__ == "__main__":
    main()
