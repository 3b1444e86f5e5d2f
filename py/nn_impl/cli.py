"""The command line: ``nn-impl train | evaluate | predict`` (also ``python -m nn_impl ...``).

    nn-impl train --out model.npz                 # the fast engine, defaults from nn_impl.params (>= 97 %)
    nn-impl train --preset tutorial --out t.npz   # the tutorial replayed to the last digit (0.9457, ~70 s)
    nn-impl evaluate model.npz                    # test accuracy on the full MNIST
    nn-impl predict model.npz digit.png 3.pgm     # digit and probability for each image

The hyper-parameter flags are generated from the one table in :mod:`nn_impl.params`, so their choices,
ranges and help can never disagree with the model's own validation or the page's menus.
Exit codes: 0 success, 1 a failure at run time (missing data, unreadable file, diverged run), 2 bad usage.
"""

import argparse
import sys
import time

import numpy as np

from . import __version__, params

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Batches per Trainer.run call: small enough for a lively progress bar, large enough to cost nothing.
_SLICE_BATCHES = 50
_PROGRESS_WIDTH = 30
# What a user types for "no value" (input_scaling, random_state); argparse's None means "flag not given".
_NONE = "none"


class CommandError(Exception):
    """A failure to report as ``nn-impl: error: <message>`` with exit code 1 (no traceback)."""


def main(argv=None):
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, args.parser)
    except KeyboardInterrupt:
        print("\nnn-impl: interrupted; nothing was saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (CommandError, ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        # ValueError and the OSErrors come from our own validation (data, images, model files), whose
        # messages already name the file or parameter and what to do.
        print(f"nn-impl: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE


# ------------------------------------------------------------------------------------------------ the parser

def build_parser():
    """The argparse parser with the three sub-commands; hyper-parameter flags come from ``params.TABLE``."""
    parser = argparse.ArgumentParser(
        prog="nn-impl",
        description="A multilayer perceptron in pure NumPy: train it on MNIST, evaluate it, read digits.")
    parser.add_argument("--version", action="version", version=f"nn_impl {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,evaluate,predict}")

    train = commands.add_parser(
        "train", help="train on the full MNIST and optionally save the model",
        description="Train on the full MNIST (60000 images) and report each epoch with its test accuracy. "
                    "--preset tutorial replays the tutorial exactly and accepts no hyper-parameter flags.")
    train.add_argument("--preset", choices=["fast", "tutorial"], default="fast",
                       help="fast: the vectorised engine (default); tutorial: the tutorial's own algorithm, "
                            "replayed to the last digit (sample-by-sample SGD, ~70 s or more)")
    _add_data_flags(train, "training")
    train.add_argument("--out", metavar="MODEL.npz", help="save the trained model to this file")
    hyper = train.add_argument_group("hyper-parameters of the fast preset (from nn_impl.params)")
    for name, spec in params.TABLE.items():
        _add_param_flag(hyper, name, spec)
    train.set_defaults(run=run_train, parser=train)

    evaluate = commands.add_parser("evaluate", help="print a saved model's accuracy on the MNIST test set")
    evaluate.add_argument("model", metavar="MODEL", help="a model file written by `nn-impl train --out`")
    _add_data_flags(evaluate, "test")
    evaluate.set_defaults(run=run_evaluate, parser=evaluate)

    predict = commands.add_parser(
        "predict", help="read the digit in each image file",
        description="Each image (PNG, PGM/PPM or .npy; ink dark on light or light on dark) is cropped, scaled "
                    "and centred like MNIST (nn_impl.preprocess.to_mnist), then classified.")
    predict.add_argument("model", metavar="MODEL", help="a model file written by `nn-impl train --out`")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="image files")
    predict.add_argument("--top", type=_positive_int, default=1, metavar="K",
                         help="also list the K most probable digits (default 1)")
    predict.add_argument("--show", action="store_true",
                         help="also draw the 28x28 input the network sees, as text (to check the preprocessing)")
    predict.set_defaults(run=run_predict, parser=predict)
    return parser


def _add_data_flags(parser, which):
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST IDX files (default: the cache written by "
                             "`python3 build.py data`)")
    parser.add_argument("--limit", type=_positive_int, metavar="N",
                        help=f"use only the first N {which} images (quick runs and tests)")


def _flag(name):
    return "--" + name.replace("_", "-")


def _add_param_flag(group, name, spec):
    """One ``--flag`` for a hyper-parameter; argparse checks choices, ``params.validate`` checks ranges."""
    kind, default = spec["type"], spec["default"]
    shown = "none" if default is None else ",".join(map(str, default)) if kind == "int_tuple" else default
    help_text = f"{spec['help']} (default: {shown})"
    if name == "input_scaling":
        # The data arrive as 0..255 pixels, so the CLI scales them to [0, 1] unless told otherwise; the
        # library's default (None, "use X as given") suits callers that scale their own arrays.
        help_text = f"{spec['help']} (default here: unit)"
    if kind == "bool":
        group.add_argument(_flag(name), dest=name, action=argparse.BooleanOptionalAction, default=None,
                           help=help_text)
        return
    converters = {"int": _int_or_none if spec.get("nullable") else _whole_number, "float": _number,
                  "str": _str_or_none, "int_tuple": _layer_sizes}
    kwargs = {"dest": name, "default": None, "type": converters[kind], "help": help_text}
    if "choices" in spec:
        choices = [c for c in spec["choices"] if c is not None] + ([_NONE] if spec.get("nullable") else [])
        kwargs["choices"] = choices
        kwargs["metavar"] = "{" + ",".join(choices) + "}"
    else:
        kwargs["metavar"] = {"int_tuple": "N,N,...", "int": "N", "float": "X"}[kind]
    group.add_argument(_flag(name), **kwargs)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _int_or_none(text):
    if text.lower() == _NONE:
        return _NONE
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'none', got {text!r}") from None


def _str_or_none(text):
    return _NONE if text.lower() == _NONE else text


def _layer_sizes(text):
    """'32,24' or '32 24' -> (32, 24); '' or 'none' -> () (no hidden layer: logistic regression)."""
    text = text.strip()
    if text.lower() in ("", "none"):
        return ()
    try:
        return tuple(int(part) for part in text.replace(",", " ").split())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 32,24, got {text!r}") from None


# ------------------------------------------------------------------------------------------------- train

def run_train(args, parser):
    # None = flag not given; the word "none" (kept as a string by the converters) = the value None.
    given = {name: None if getattr(args, name) == _NONE else getattr(args, name)
             for name in params.TABLE if getattr(args, name) is not None}
    if args.preset == "tutorial":
        if given:
            parser.error("--preset tutorial replays the tutorial exactly and takes no hyper-parameter flags "
                         f"(got {', '.join(_flag(n) for n in given)}); drop them or use --preset fast")
        return _train_tutorial(args)
    return _train_fast(args, parser, given)


def _load_data(args, train_limit=None, test_limit=None):
    from . import data

    mnist = data.load_mnist(args.data)
    if train_limit is not None:
        mnist["x_train"], mnist["y_train"] = mnist["x_train"][:train_limit], mnist["y_train"][:train_limit]
    if test_limit is not None:
        mnist["x_test"], mnist["y_test"] = mnist["x_test"][:test_limit], mnist["y_test"][:test_limit]
    return mnist


def _train_fast(args, parser, given):
    from .model import MLPClassifier

    settings = {**params.DEFAULTS, "input_scaling": "unit", **given}
    try:
        model = MLPClassifier(**settings)  # validates every value against the one table
    except ValueError as exc:
        # The table's messages start with the parameter's name ("learning_rate: ..."); say the flag instead.
        message = str(exc)
        name = message.split(":")[0].split(" ")[0]
        parser.error(_flag(name) + message[len(name):] if name in params.TABLE else message)
    mnist = _load_data(args, train_limit=args.limit)
    print(f"training {model!r} on {len(mnist['x_train'])} images, testing on {len(mnist['x_test'])}",
          flush=True)

    trainer = model.trainer(mnist["x_train"], mnist["y_train"],
                            validation_data=(mnist["x_test"], mnist["y_test"]))
    bar = ProgressBar(trainer.epochs * trainer.batches_per_epoch, sys.stderr)
    started = time.perf_counter()
    while True:
        result = trainer.run(_SLICE_BATCHES)
        bar.advance(result["batches"], f"epoch {result['epoch'] + (result['status'] == 'running')}"
                                       f"/{trainer.epochs}  loss {result['loss']:.4f}")
        if result["history"] is not None:
            bar.clear()
            print(_epoch_line(result["history"], trainer.epochs), flush=True)
        if result["status"] == "diverged":
            bar.clear()
            raise CommandError(f"training diverged: {result['message']} (the model was not saved)")
        if result["status"] == "done":
            break
    bar.clear()
    accuracy = model.score(mnist["x_test"], mnist["y_test"])
    print(f"test accuracy {accuracy:.4f} after {time.perf_counter() - started:.1f} s", flush=True)
    _save(model, args.out)
    return 0


def _epoch_line(history, epochs):
    val = history.get("val_accuracy")
    return (f"epoch {history['epoch']}/{epochs}  loss {history['loss']:.4f}  "
            f"train {100 * history['train_accuracy']:.2f} %  "
            + (f"test {100 * val:.2f} %  " if val is not None else "")
            + f"{history['samples_per_s']:,.0f} samples/s  {history['seconds']:.1f} s")


def _train_tutorial(args):
    from . import reference

    mnist = _load_data(args, train_limit=args.limit)
    if args.limit is not None:
        print(f"note: --limit {args.limit} trains on a prefix of MNIST, so the numbers are not the tutorial's",
              file=sys.stderr)
    print("replaying the tutorial: seed 123, demo NNLayer(3, 5), then 784-32-24-10 sigmoid MLP, SGD 0.01, "
          "10 epochs (its printed loss is the legacy formula; see nn_impl.reference.legacy_printed_loss)",
          flush=True)
    result = reference.replay_tutorial(mnist, print_fn=lambda line: print(line, flush=True))
    _save(tutorial_as_model(result["net"], result), args.out)
    return 0


def tutorial_as_model(net, result=None):
    """The reference network as an equivalent ``MLPClassifier`` (same predictions), so it can be saved.

    net: a trained ``reference.AThreeLayerSimpleMLPC``. The tutorial keeps W as (n_out, n_in) and b as a
    column; the engine keeps W as (n_in, n_out) and b flat, so the weights are transposed and raveled.
    result: optional replay result whose losses become the model's ``loss_curve_``.
    """
    from .model import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(32, 24), activation="sigmoid", loss="mse", solver="sgd",
                          learning_rate=net.layers[0].alpha, batch_size=1, epochs=len(net.loss_history_) or 1,
                          init="tutorial", schedule="constant", input_scaling="tutorial", random_state=123,
                          dtype="float64")
    model.set_weights([layer.W.T for layer in net.layers], [layer.b.ravel() for layer in net.layers])
    model.loss_curve_ = list(net.loss_history_)
    model.history_ = [{"epoch": i + 1, "loss": loss, "train_accuracy": None, "val_accuracy": None,
                       "samples_per_s": None, "seconds": None, "learning_rate": net.layers[0].alpha}
                      for i, loss in enumerate(net.loss_history_)]
    if result is not None and model.history_:
        model.history_[-1]["val_accuracy"] = result["test_accuracy"]
    return model


def _save(model, path):
    if path is None:
        return
    model.save(path)
    print(f"saved {path}", flush=True)


class ProgressBar:
    """A one-line progress bar on ``stream``, drawn only when it is a terminal (logs and pipes stay clean)."""

    def __init__(self, total, stream):
        self.total = max(1, total)
        self.done = 0
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()

    def advance(self, n, label=""):
        self.done = min(self.total, self.done + n)
        if self.enabled:
            filled = round(_PROGRESS_WIDTH * self.done / self.total)
            bar = "#" * filled + "-" * (_PROGRESS_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {100 * self.done / self.total:5.1f} %  {label}\x1b[K")
            self.stream.flush()

    def clear(self):
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# ---------------------------------------------------------------------------------------------- evaluate

def run_evaluate(args, parser):
    model = _load_model(args.model)
    mnist = _load_data(args, test_limit=args.limit)
    X, y = mnist["x_test"], mnist["y_test"]
    _check_model_fits_mnist(model, args.model)
    correct = int(np.sum(model.predict(X) == y))
    print(f"test accuracy {correct / len(y):.4f} ({correct}/{len(y)})")
    return 0


def _load_model(path):
    from .model import load

    return load(path)


def _check_model_fits_mnist(model, path):
    if model.n_features_in_ != 28 * 28:
        raise CommandError(f"{path}: the model takes {model.n_features_in_} inputs, not 784 (28x28 images)")
    if model.input_scaling is None:
        print(f"note: {path} was trained with input_scaling none; it is given raw 0..255 pixels",
              file=sys.stderr)


# ----------------------------------------------------------------------------------------------- predict

def run_predict(args, parser):
    from .images import read_image
    from .preprocess import EmptyDrawingError, to_mnist

    model = _load_model(args.model)
    _check_model_fits_mnist(model, args.model)
    failures = 0
    for path in args.images:
        try:
            image = read_image(path)  # its errors name the file
            try:
                digit = to_mnist(image)
            except ValueError as exc:
                if isinstance(exc, EmptyDrawingError):
                    raise
                raise ValueError(f"{path}: {exc}") from None
        except EmptyDrawingError:
            print(f"{path}: no digit found (the image is blank)", file=sys.stderr)
            failures += 1
            continue
        except (ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            # One bad file does not lose the others' answers; the exit code still says something failed.
            print(f"nn-impl: error: {exc}", file=sys.stderr)
            failures += 1
            continue
        proba = model.predict_proba(digit.reshape(1, -1))[0]
        order = np.argsort(proba)[::-1][:args.top]
        best = int(order[0])
        line = f"{path}: {best} ({100 * proba[best]:.1f} %)"
        if args.top > 1:
            line += "  " + "  ".join(f"{int(k)}: {100 * proba[k]:.1f} %" for k in order[1:])
        print(line, flush=True)
        if args.show:
            print(as_text(digit), flush=True)
    return EXIT_FAILURE if failures else 0


# Darker to brighter; each pixel is printed twice so the 28x28 field looks square in a terminal.
_INK_RAMP = " .:-=+*#%@"


def as_text(digit):
    """A (28, 28) image with values in [0, 255] -> 28 lines of text, one character pair per pixel."""
    levels = np.clip(np.asarray(digit, dtype=np.float64) / 256 * len(_INK_RAMP), 0, len(_INK_RAMP) - 1)
    return "\n".join("".join(_INK_RAMP[int(v)] * 2 for v in row).rstrip() for row in levels)
