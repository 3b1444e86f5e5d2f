"""Benchmark "Teach the network my digits" on CPython: its time with the defaults and what it changes.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_teach.py [--model dist/data/pretrained.npz] [--sweep]
    .venv/bin/python bench/bench_teach.py --pyodide     # the defaults in the site's Pyodide, as in the tab

Needs the full MNIST (``python3 build.py data``) and the page's pre-trained model (``python3 build.py build``
puts it in dist/data/pretrained.npz). The learner's "unusual style" is synthetic but made of real digits: MNIST
test digits written mirrored (as young children often write them: a 3 opening to the left), with a broad
marker (every stroke dilated by a pixel in each direction) and a strong slant (rows sheared by 0.5 pixel per
row, an italic well past MNIST's), then put through ``nn_impl.preprocess.to_mnist`` as a drawing on the page is.
The pre-trained model reads about 40 % of them (0, 1 and 8 look the same mirrored; most others do not).
"My digits" are 40 of them (four of each label, so one in four is held out, as the page does); "new digits in
the style" are 1 000 others, never taught, which is what the learner draws next. Each setting is taught with three seeds (the mix and its order) and the mean is
shown. ``--sweep`` also tries other replay shares and lengths (how the defaults of
``nn_impl.params.TEACHING_TABLE`` were chosen). ``--pyodide`` runs the defaults inside the site's own Pyodide
(dist/, under Node, products through its OpenBLAS as in the page's worker) on the page's bundled data: the time
teaching takes in the tab. Times are wall-clock on a shared machine: they are noisy.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))
from nn_impl import data, finetune, load, params  # noqa: E402
from _in_pyodide import run_in_pyodide  # noqa: E402  (bench/ is the script's folder, on sys.path)
from nn_impl.preprocess import to_mnist  # noqa: E402

N_MINE_PER_LABEL = 4
N_NEW = 1000
SEEDS = (0, 1, 2)
SHEAR = 0.5  # pixels per row


def unusual_style(images):
    """MNIST digits (n, 28, 28) uint8 as if written mirrored, with a broad marker and a strong slant, in MNIST's
    form (uint8 (n, 28, 28))."""
    padded = np.pad(images[:, :, ::-1], ((0, 0), (8, 8), (16, 16)))
    thick = padded.copy()
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            thick = np.maximum(thick, np.roll(np.roll(padded, dr, axis=1), dc, axis=2))
    slanted = np.zeros_like(thick)
    centre = thick.shape[1] / 2
    for r in range(thick.shape[1]):
        slanted[:, r] = np.roll(thick[:, r], int(round(SHEAR * (centre - r))), axis=1)
    return np.stack([np.rint(to_mnist(image)).astype(np.uint8) for image in slanted])


def styled_sets(mnist):
    """(x_mine, y_mine): 4 of each label; (x_new, y_new): 1 000 others; all from the last 2 000 test digits."""
    x, y = mnist["x_test"][-2000:], mnist["y_test"][-2000:]
    mine = np.concatenate([np.flatnonzero(y == label)[:N_MINE_PER_LABEL] for label in range(10)])
    others = np.setdiff1d(np.arange(len(y)), mine)[:N_NEW]
    return (unusual_style(x[mine]), y[mine]), (unusual_style(x[others]), y[others])


def teach(model, mnist, mine, new, **settings):
    """Mean over SEEDS of the figures of one teaching, and its time."""
    rows = []
    for seed in SEEDS:
        started = time.perf_counter()
        teaching = finetune.Teaching(model, *mine, mnist["x_train"], mnist["y_train"], mnist["x_test"],
                                     mnist["y_test"], random_state=seed, **settings)
        set_up = time.perf_counter()
        result = teaching.run()
        taught = teaching.model
        rows.append({"seconds": time.perf_counter() - started, "before_seconds": set_up - started,
                     "batch_seconds": taught.history_[-1]["seconds"],
                     "mine_before": result["before"]["mine"],
                     "mine_after": result["after"]["mine"], "mnist_before": result["before"]["mnist"],
                     "mnist_after": result["after"]["mnist"], "new_after": taught.score(*new)})
    return {key: statistics.mean(row[key] for row in rows) for key in rows[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "dist" / "data" / "pretrained.npz"))
    parser.add_argument("--sweep", action="store_true", help="also other replay shares and lengths")
    parser.add_argument("--pyodide", action="store_true", help="run inside the built site's Pyodide (Node)")
    parser.add_argument("--dataset", help="an .npz dataset (data.load_npz_dataset) instead of the cached MNIST")
    args = parser.parse_args(argv)
    if args.pyodide:
        run_in_pyodide("bench_teach", ["--dataset", "/data/mnist-subset.npz", "--model", "/data/pretrained.npz"],
                       openblas=True)
        return
    mnist = data.load_npz_dataset(args.dataset) if args.dataset else data.load_mnist()
    model = load(args.model)
    mine, new = styled_sets(mnist)
    new_before = model.score(*new)
    defaults = {name: spec["default"] for name, spec in params.TEACHING_TABLE.items()}
    print(f"{len(mnist['y_train'])} MNIST training images to replay; Python {sys.version.split()[0]}, NumPy "
          f"{np.__version__}")
    print(f"model {args.model} ({'-'.join(map(str, model.layer_sizes_))}); my digits: {len(mine[1])} "
          f"(mirrored, marker, slant), {len(mine[1]) // finetune.HELD_OUT_EVERY} held out; {N_NEW} new digits in the "
          f"style; mean of seeds {', '.join(map(str, SEEDS))}; defaults {defaults}\n")
    print("| replay share | batches | learning rate | time (s): all (scoring before; the batches) "
          "| my held-out digits before → after "
          "| new digits in the style before → after | MNIST test before → after |")
    print("|---|---|---|---|---|---|---|")
    settings = [defaults]
    if args.sweep:
        settings += [{**defaults, "replay_share": share} for share in (0.0, 0.25, 0.5, 0.75)]
        settings += [{**defaults, "teach_batches": n} for n in (100, 250, 500)]
        settings += [{**defaults, "teach_learning_rate": rate} for rate in (1e-3, 2e-3)]
    for chosen in settings:
        r = teach(model, mnist, mine, new, **chosen)
        print(f"| {100 * chosen['replay_share']:g} % | {chosen['teach_batches']} | {chosen['teach_learning_rate']:g} | "
              f"{r['seconds']:.2f} ({r['before_seconds']:.2f}; {r['batch_seconds']:.2f}) | "
              f"{100 * r['mine_before']:.1f} % → {100 * r['mine_after']:.1f} % | "
              f"{100 * new_before:.1f} % → {100 * r['new_after']:.1f} % | "
              f"{100 * r['mnist_before']:.2f} % → {100 * r['mnist_after']:.2f} % |", flush=True)


if __name__ == "__main__":
    main()
