"""Benchmark: what watching the layers costs, i.e. training throughput with and without layer statistics.

    OPENBLAS_NUM_THREADS=1 python3 bench/bench_layer_stats.py [--rounds 5] [--slices 40]

The page asks for the statistics with every training slice (``Trainer.run(n, layer_stats=True)``: one batch of
the slice is measured). This script trains the page's two presets' networks (Fast: 784-32-24-10 ReLU, Adam,
batches of 64; Tutorial: sigmoid, MSE, SGD, batch size 1) on the first 20 000 MNIST training images, in
slices of as many batches as the page's worker runs in one slice: the worker aims at 0.12 s per slice and runs
about a tenth as fast as native CPython (README, "The page"), so a slice here is sized to take ~12 ms. The two
variants alternate in interleaved rounds on the same machine and each keeps its best round, so the ratio is not
decided by another process's burst of load. It prints samples/s with and without, and the cost in percent.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))  # the package from this checkout

from nn_impl import MLPClassifier, data  # noqa: E402

# The page's presets (web/settings.js PRESETS), as far as they decide the cost of a step.
PRESETS = {
    "Fast": dict(hidden_layer_sizes=(32, 24), activation="relu", loss="cross_entropy", solver="adam",
                 learning_rate=0.003, batch_size=64, input_scaling="unit"),
    "Tutorial": dict(hidden_layer_sizes=(32, 24), activation="sigmoid", loss="mse", solver="sgd",
                     learning_rate=0.01, batch_size=1, init="tutorial", input_scaling="tutorial"),
}
N_TRAIN = 20_000  # the page's bundled training images
PAGE_SLICE_SECONDS = 0.12  # web/training.js SLICE_SECONDS
WORKER_SPEED = 0.1  # the worker's samples/s over native CPython's (README: 0.11 to 0.14)


def slice_batches(config, x, y):
    """Batches per slice: as many as take PAGE_SLICE_SECONDS in the worker, i.e. that many x WORKER_SPEED here."""
    trainer = MLPClassifier(**config, epochs=1000, random_state=0).trainer(x, y)
    trainer.run(20)  # warm up
    t0 = time.perf_counter()
    trainer.run(200)
    per_batch = (time.perf_counter() - t0) / 200
    return max(1, round(PAGE_SLICE_SECONDS * WORKER_SPEED / per_batch))


def throughput(config, x, y, n_batches, n_slices, layer_stats):
    """Training samples/s over n_slices slices of n_batches, with or without the statistics."""
    trainer = MLPClassifier(**config, epochs=1000, random_state=0).trainer(x, y)
    trainer.run(n_batches, layer_stats=layer_stats)  # warm up (first-touch of the buffers)
    samples, t0 = 0, time.perf_counter()
    for _ in range(n_slices):
        result = trainer.run(n_batches, layer_stats=layer_stats)
        samples += result["samples"]
        assert (result["layer_stats"] is not None) == layer_stats
    return samples / (time.perf_counter() - t0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (each variant's best counts)")
    parser.add_argument("--slices", type=int, default=40, help="slices timed per round")
    args = parser.parse_args(argv)
    mnist = data.load_mnist()
    x, y = mnist["x_train"][:N_TRAIN], mnist["y_train"][:N_TRAIN]
    print(f"{N_TRAIN} MNIST training images; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"best of {args.rounds} interleaved rounds of {args.slices} slices\n")
    print("| preset | batches per slice | samples/s without | samples/s with layer statistics | cost |")
    print("|---|---:|---:|---:|---:|")
    for name, config in PRESETS.items():
        n_batches = slice_batches(config, x, y)
        best = {False: 0.0, True: 0.0}
        for _ in range(args.rounds):
            for layer_stats in (False, True):
                rate = throughput(config, x, y, n_batches, args.slices, layer_stats)
                best[layer_stats] = max(best[layer_stats], rate)
        cost = 1.0 - best[True] / best[False]
        print(f"| {name} | {n_batches} | {best[False]:,.0f} | {best[True]:,.0f} | {cost * 100:.1f} % |", flush=True)


if __name__ == "__main__":
    main()
