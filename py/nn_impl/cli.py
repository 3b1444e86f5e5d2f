"""The command line: ``nn-impl train | evaluate | predict | finetune`` (also ``python -m nn_impl ...``).

    nn-impl train --out model.npz                 # the fast engine, defaults from nn_impl.params (>= 97 %)
    nn-impl train --extra-data my-digits.npz      # MNIST and your own digits (the page's "Export my digits")
    nn-impl finetune model.npz my-digits.npz --out taught.npz   # teach a trained model your digits
    nn-impl train --preset tutorial --out t.npz   # the tutorial replayed to the last digit (0.9457, ~70 s)
    nn-impl evaluate model.npz                    # test accuracy on the full MNIST
    nn-impl predict model.npz digit.png 3.pgm     # digit and probability for each image

The hyper-parameter flags are generated from the one table in :mod:`nn_impl.params`, so their choices,
ranges and help can never disagree with the model's own validation or the page's menus.
Exit codes: 0 success, 1 a failure at run time (missing data, unreadable file, diverged run), 2 bad usage.
"""

import argparse
import json
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


# What `nn-impl train` trains with when a flag is not given: the table's defaults, except that the data arrive
# as 0..255 pixels, so they are scaled to [0, 1] (the library's None, "use X as given", suits callers that
# scale their own arrays).
TRAIN_DEFAULTS = {**params.DEFAULTS, "input_scaling": "unit"}


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
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,evaluate,predict,finetune}")

    train = commands.add_parser(
        "train", help="train on the full MNIST and optionally save the model",
        description="Train on the full MNIST (60000 images) and report each epoch with its test accuracy. "
                    "--preset tutorial replays the tutorial exactly and accepts no hyper-parameter flags.")
    train.add_argument("--preset", choices=["fast", "tutorial"], default="fast",
                       help="fast: the vectorised engine (default); tutorial: the tutorial's own algorithm, "
                            "replayed to the last digit (sample-by-sample SGD, ~70 s or more)")
    _add_data_flags(train, "training")
    train.add_argument("--extra-data", metavar="DIGITS", help="also train on these labelled digits: an .npz "
                       "(x, y) as the page's 'Export my digits' writes, a Kaggle-layout .csv or a .zip of images "
                       "in folders 0 to 9 (nn_impl.data.load_digits)")
    train.add_argument("--out", metavar="MODEL.npz", help="save the trained model to this file")
    report = train.add_mutually_exclusive_group()
    report.add_argument("--quiet", action="store_true",
                        help="print only the final test accuracy (and the saved file), no progress or epochs")
    report.add_argument("--json", action="store_true",
                        help="for scripts: one JSON object per line on stdout, one per epoch, then a last one "
                             'with "event": "done" and the test accuracy')
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
        description="Each image (PNG, PGM/PPM or .npy; JPEG, GIF, BMP, WebP and any other format Pillow reads, "
                    "when Pillow is installed: pip install pillow; ink dark on light or light on dark) is "
                    "cropped, scaled and centred like MNIST (nn_impl.preprocess.to_mnist), then classified.")
    predict.add_argument("model", metavar="MODEL", help="a model file written by `nn-impl train --out`")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="image files")
    predict.add_argument("--top", type=_positive_int, default=1, metavar="K",
                         help="also list the K most probable digits (default 1)")
    predict.add_argument("--show", action="store_true",
                         help="also draw the 28x28 input the network sees, as text (to check the preprocessing)")
    predict.set_defaults(run=run_predict, parser=predict)

    finetune = commands.add_parser(
        "finetune", help="teach a trained model your own digits, with MNIST replayed so it does not forget",
        description="Fine-tune MODEL on the digits in DIGITS mixed with MNIST training images, as the page's "
                    "'Teach the network my digits' does (nn_impl.finetune, the same defaults), and print the "
                    "accuracy on your digits (a held-out quarter when there are enough) and on the MNIST test "
                    "set, before and after.")
    finetune.add_argument("model", metavar="MODEL", help="a model file (nn-impl train --out, or the page's export)")
    finetune.add_argument("digits", metavar="DIGITS", help="labelled digits: .npz (x, y), Kaggle .csv or .zip")
    finetune.add_argument("--out", metavar="TAUGHT.npz", help="save the taught model to this file")
    _add_data_flags(finetune, "training (replayed)")
    finetune.add_argument("--random-state", type=_whole_number, default=0, metavar="N",
                          help="seed of the mix and its order (default 0)")
    teaching = finetune.add_argument_group("teaching settings (from nn_impl.params.TEACHING_TABLE)")
    for name, spec in params.TEACHING_TABLE.items():
        _add_param_flag(teaching, name, spec)
    finetune.set_defaults(run=run_finetune, parser=finetune)
    return parser


def _add_data_flags(parser, which):
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST IDX files (default: the cache written by "
                             "`python3 build.py data`)")
    parser.add_argument("--limit", type=_positive_int, metavar="N",
                        help=f"use only the first N {which} images (quick runs and tests)")


def _add_param_flag(group, name, spec):
    """One ``--flag`` for a hyper-parameter; argparse checks choices, ``params.validate`` checks ranges."""
    kind, default = spec["type"], spec["default"]
    shown = "none" if default is None else ",".join(map(str, default)) if kind == "int_tuple" else default
    help_text = f"{spec['help']} (default: {shown})"
    if TRAIN_DEFAULTS.get(name, default) != default:
        help_text = f"{spec['help']} (default here: {TRAIN_DEFAULTS[name]})"
    if kind == "bool":
        group.add_argument(params.cli_flag(name), dest=name, action=argparse.BooleanOptionalAction, default=None,
                           help=help_text)
        return
    converters = {"int": _int_or_none if spec.get("nullable") else _whole_number, "float": _number, "fraction": _number,
                  "str": _str_or_none, "int_tuple": _layer_sizes}
    kwargs = {"dest": name, "default": None, "type": converters[kind], "help": help_text}
    if "choices" in spec:
        choices = [c for c in spec["choices"] if c is not None] + ([_NONE] if spec.get("nullable") else [])
        kwargs["choices"] = choices
        kwargs["metavar"] = "{" + ",".join(choices) + "}"
    else:
        kwargs["metavar"] = {"int_tuple": "N,N,...", "int": "N", "float": "X", "fraction": "X"}[kind]
    group.add_argument(params.cli_flag(name), **kwargs)


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
                         f"(got {', '.join(params.cli_flag(n) for n in given)}); drop them or use --preset fast")
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

    settings = {**TRAIN_DEFAULTS, **given}
    try:
        params.validate(**settings)  # every value against the one table, before any data is read
    except ValueError as exc:
        # The table's messages start with the parameter's name ("learning_rate: ..."); say the flag instead.
        message = str(exc)
        name = message.split(":")[0].split(" ")[0]
        parser.error(params.cli_flag(name) + message[len(name):] if name in params.TABLE else message)
    model = MLPClassifier(**settings)
    extra = _load_digits(args.extra_data) if args.extra_data is not None else None
    mnist = _load_data(args, train_limit=args.limit)
    if extra is not None:
        mnist["x_train"] = np.concatenate([mnist["x_train"], extra["x"]])
        mnist["y_train"] = np.concatenate([mnist["y_train"], extra["y"]])
    report = TrainingReport(sys.stdout, sys.stderr, mode="json" if args.json else "quiet" if args.quiet else "lines")
    report.start(f"training {model!r} on {len(mnist['x_train'])} images, testing on {len(mnist['x_test'])}")
    trainer = model.trainer(mnist["x_train"], mnist["y_train"],
                            validation_data=(mnist["x_test"], mnist["y_test"]))
    report.begin_run(trainer.epochs, trainer.batches_per_epoch, trainer.batch_size)
    started = time.perf_counter()
    while True:
        result = trainer.run(_SLICE_BATCHES)
        report.slice(result)
        if result["status"] == "diverged":
            report.clear()
            raise CommandError(f"training diverged: {result['message']} (the model was not saved)")
        if result["status"] == "done":
            break
    accuracy = model.score(mnist["x_test"], mnist["y_test"])
    if args.out is not None:
        model.save(args.out)
    report.done(accuracy, time.perf_counter() - started, args.out)
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


class TrainingReport:
    """What ``nn-impl train`` tells as it trains, in one of three modes:

    * ``"lines"``: a line per epoch on ``out``; on a terminal ``err`` also shows a progress bar for the epoch
      in progress (batches, samples/s, time left), redrawn in place and wiped before each epoch's line, so
      logs and pipes only ever get the plain lines;
    * ``"quiet"``: only the final test accuracy and the saved file;
    * ``"json"``: one JSON object per line on ``out``: each epoch's history dict with ``"event": "epoch"`` and
      ``"epochs"`` (the total), then ``{"event": "done", "test_accuracy", "seconds", "saved"}``.
    """

    def __init__(self, out, err, mode="lines"):
        self.out, self.err, self.mode = out, err, mode
        self.bar = ProgressBar(err) if mode == "lines" else None
        self.epochs = self.batches_per_epoch = self.batch_size = 0
        self.batches_done = 0
        self.epoch_batches = 0
        self.epoch_seconds = 0.0

    def start(self, line):
        if self.mode == "lines":
            print(line, file=self.out, flush=True)

    def begin_run(self, epochs, batches_per_epoch, batch_size):
        self.epochs, self.batches_per_epoch, self.batch_size = epochs, batches_per_epoch, batch_size

    def slice(self, result):
        """One ``Trainer.run`` result: advance the bar; report the epoch that ended in it, if any."""
        self.batches_done += result["batches"]
        self.epoch_batches += result["batches"]
        self.epoch_seconds += result["seconds"]
        if result["history"] is not None:
            self.epoch_batches, self.epoch_seconds = 0, 0.0
            self.epoch_end(result["history"])
        elif self.bar is not None and result["status"] == "running":
            self.bar.show(self.bar_text(result))

    def bar_text(self, result):
        """``epoch 3/10 [#####-----] 812/1875 batches  41,203 samples/s  ETA 0:31  loss 0.1234``."""
        done, total = self.epoch_batches, self.batches_per_epoch
        rate = done * self.batch_size / self.epoch_seconds if self.epoch_seconds > 0 else 0.0
        left_batches = self.epochs * self.batches_per_epoch - self.batches_done
        eta = left_batches * self.epoch_seconds / done if done else 0.0
        filled = round(_PROGRESS_WIDTH * done / max(total, 1))
        return (f"epoch {result['epoch'] + 1}/{self.epochs} [{'#' * filled}{'-' * (_PROGRESS_WIDTH - filled)}] "
                f"{done}/{total} batches  {rate:,.0f} samples/s  ETA {_clock(eta)}  loss {result['loss']:.4f}")

    def epoch_end(self, history):
        if self.mode == "json":
            print(json.dumps({"event": "epoch", "epochs": self.epochs, **history}), file=self.out, flush=True)
        elif self.mode == "lines":
            self.clear()
            print(_epoch_line(history, self.epochs), file=self.out, flush=True)

    def clear(self):
        if self.bar is not None:
            self.bar.clear()

    def done(self, accuracy, seconds, saved):
        self.clear()
        if self.mode == "json":
            print(json.dumps({"event": "done", "test_accuracy": accuracy, "seconds": seconds, "saved": saved}),
                  file=self.out, flush=True)
            return
        print(f"test accuracy {accuracy:.4f} after {seconds:.1f} s", file=self.out, flush=True)
        if saved is not None:
            print(f"saved {saved}", file=self.out, flush=True)


def _clock(seconds):
    """Seconds as ``m:ss`` (or ``h:mm:ss``) for the ETA."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """One line on ``stream``, redrawn in place, only when it is a terminal (logs and pipes stay clean)."""

    def __init__(self, stream):
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.drawn = False

    def show(self, text):
        if self.enabled:
            self.stream.write(f"\r{text}\x1b[K")
            self.stream.flush()
            self.drawn = True

    def clear(self):
        if self.enabled and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def _load_digits(path):
    from . import data

    return data.load_digits(path)  # its errors name the file and each bad row or image


# ---------------------------------------------------------------------------------------------- finetune

def run_finetune(args, parser):
    from .finetune import Teaching
    from .trainer import TrainingDiverged

    settings = {name: getattr(args, name) for name in params.TEACHING_TABLE if getattr(args, name) is not None}
    try:
        params.validate_teaching(**settings)
    except ValueError as exc:
        name = str(exc).split(":")[0]
        parser.error(params.cli_flag(name) + str(exc)[len(name):])
    model = _load_model(args.model)
    _check_model_fits_mnist(model, args.model)
    mine = _load_digits(args.digits)
    mnist = _load_data(args, train_limit=args.limit)
    started = time.perf_counter()
    teaching = Teaching(model, mine["x"], mine["y"], mnist["x_train"], mnist["y_train"], mnist["x_test"],
                        mnist["y_test"], random_state=args.random_state, **settings)
    scored = (f"{teaching.n_held_out} held out to score them" if teaching.scored_on == "held-out"
              else "too few to hold some out: scored on all of them")
    chosen = teaching.settings
    print(f"teaching {args.model} {teaching.n_taught} of the {len(mine['y'])} digits in {args.digits} ({scored}); "
          f"{chosen['teach_batches']} batches, {100 * chosen['replay_share']:g} % MNIST replay, "
          f"learning rate {chosen['teach_learning_rate']:g}", flush=True)
    print(teaching_line("before", teaching.before), flush=True)
    try:
        result = teaching.run()
    except TrainingDiverged as exc:
        raise CommandError(f"teaching diverged: {exc} (the model was not saved)") from None
    print(teaching_line("after", result["after"]) + f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    _save(teaching.model, args.out)
    return 0


def teaching_line(when, scores):
    """``before: my digits 20.0 %  MNIST test 98.57 %``, the page's before/after figures as a line."""
    mine = "-" if scores["mine"] is None else f"{100 * scores['mine']:.1f} %"
    return f"{when + ':':8}my digits {mine}  MNIST test {100 * scores['mnist']:.2f} %"


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
