"""The state the browser worker drives: one current model, one trainer, the bundled data.

``web/worker.js`` hands each request of the page to :func:`nn_impl.worker_requests.handle`, which calls the
``Session`` method its table names (array-likes arrive as memoryviews/lists; every method calls
``np.asarray`` or ``bytes`` on them) and makes the returned dict transferable. Nothing here imports ``js`` or
``pyodide``, so the same class is tested on CPython.
"""

import io
import sys

import numpy as np

# The engine modules this class uses, all here.
from . import __version__, checkpoint as run_checkpoint, data, diagnostics, digit_sets, matmul, params, persist
from .finetune import Teaching
from .model import MLPClassifier, load as load_model_file
from .persist import save_model
from .preprocess import EmptyDrawingError, to_mnist


def _as_bytes(blob, name):
    """bytes from what the worker hands over (memoryview of a transferred buffer, bytes, or a list of ints)."""
    if blob is None:
        raise ValueError(f"{name}: no data was given; the page must fetch it before calling load")
    return bytes(blob)


class Session:
    """What the page's worker drives. Its state:

    * ``model`` -- the ``MLPClassifier`` that answers predictions (``None`` until one exists);
    * ``model_name`` -- which one it is: ``"pre-trained"``, ``"training"`` or ``"imported"``;
    * ``model_accuracy`` -- its accuracy on the bundled test images when known (``None`` for the pre-trained
      model and a run before its first epoch), so that the page can keep it with the model's bytes;
    * ``dataset`` -- dict of the bundled uint8 arrays ``x_train (n, 28, 28)``, ``y_train (n,)``,
      ``x_test (m, 28, 28)``, ``y_test (m,)``;
    * ``my_digits`` -- the learner's own digits, ``(x uint8 (k, 28, 28), y uint8 (k,))`` (``set_my_digits``),
      taught by ``configure_teaching`` and trained on when ``training_data`` says so.
    """

    # --- load, configure, train ---

    def __init__(self):
        self.model = None
        self.model_name = None
        self.model_accuracy = None
        self.dataset = None
        self._pretrained = None  # kept, so that the page can go back to it (use_pretrained)
        self._trainer = None
        self._training_model = None
        self._stop_accuracy = None
        self._best_test_accuracy = None
        self._page_settings = {}
        self._training_name = "training"  # the name the model being trained answers under
        self.my_digits = (np.zeros((0, 28, 28), dtype=np.uint8), np.zeros(0, dtype=np.uint8))
        self._teaching = None  # the teaching run in progress or done (finetune.Teaching)
        self._before_teaching = None  # (model, name, test accuracy) that "undo_teaching" brings back

    def load(self, dataset, pretrained=None):
        """Take the bundled data (and, optionally, the pre-trained model) as ``.npz`` bytes.

        Returns ``{"versions": {...}, "params": nn_impl.params.as_json(n_train), "n_train": int, "n_test": int,
        "model": "pre-trained" | None, "limits": {...}}``: everything the page needs to build its form. ``limits``
        holds the largest files, in bytes, that the page may read into the tab: ``digit_file_bytes`` (a digit set,
        :data:`nn_impl.digit_sets.MAX_FILE_BYTES`) and ``model_file_bytes`` (a model,
        :data:`nn_impl.persist.MAX_FILE_BYTES`); the page refuses a larger file before reading it.
        """
        self.dataset = data.load_npz_dataset(_as_bytes(dataset, "dataset"))
        if pretrained is not None:
            self._pretrained = load_model_file(_as_bytes(pretrained, "pretrained model"))
            self.use_pretrained()
        n_train = int(len(self.dataset["y_train"]))
        return {
            "versions": {
                "python": ".".join(str(v) for v in sys.version_info[:3]),
                "numpy": np.__version__,
                "nn_impl": __version__,
                "products": matmul.describe_kernel(),
            },
            "params": params.as_json(n_train=n_train),
            "n_train": n_train,
            "n_test": int(len(self.dataset["y_test"])),
            "model": self.model_name,
            "limits": {"digit_file_bytes": digit_sets.MAX_FILE_BYTES, "model_file_bytes": persist.MAX_FILE_BYTES},
        }

    def _require_data(self):
        if self.dataset is None:
            raise ValueError("no data loaded yet: the worker must finish 'load' first")

    def configure(self, config):
        """Build a fresh model and trainer from ``config`` (the page's settings, a dict).

        Keys are ``MLPClassifier`` parameters plus the page-only settings of ``nn_impl.params.PAGE_TABLE``:
        ``train_samples`` (how many bundled training images to use, the first ones, so a seed fixes the whole
        run; missing or None: all), ``stop_accuracy`` (a fraction or ``None``) and ``training_data``:
        ``"mnist"`` (those images), ``"mnist+mine"`` (those and all of My digits, after them) or ``"mine"``
        (My digits alone; ``train_samples`` is then not used, and every label needs
        ``params.MIN_DIGITS_PER_LABEL`` digits, else ``ValueError`` naming the labels short of it). The test
        images are always MNIST's. The same config, seed and digits included, always gives the same initial
        weights: that is what the page's Reset relies on. Returns ``{"config": model.get_params(),
        "n_train": int (the images trained on), "training_data": str, "layer_sizes": [784, ..., 10]}``.
        """
        config = dict(config)
        page = self._page_settings_from(config)
        training_data = page["training_data"]
        self._check_training_data(training_data)
        if "hidden_layer_sizes" in config:
            config["hidden_layer_sizes"] = tuple(config["hidden_layer_sizes"])
        model = MLPClassifier(**config)  # raises ValueError naming a bad parameter
        _check_fits(model.hidden_layer_sizes, model.batch_size, model.dtype)  # before any weight is drawn
        trainer = model.trainer(*self._training_data(training_data, page["train_samples"]))
        # Only now, with everything valid, replace the previous run: a bad config loses nothing.
        self._start_run(trainer, page, best_test_accuracy=None)
        return {"config": model.get_params(), "n_train": trainer.n_samples, "training_data": training_data,
                "layer_sizes": model.layer_sizes_}

    def _page_settings_from(self, config):
        """The page-only settings taken out of ``config`` (a dict, changed), checked, ``train_samples`` and
        ``training_data`` filled in."""
        self._require_data()
        n_available = len(self.dataset["y_train"])
        page = {name: config.pop(name) for name in params.PAGE_TABLE if name in config}
        if page.get("train_samples") is None:
            page["train_samples"] = n_available
        page = params.validate_page_settings(n_available, **page)
        page.setdefault("training_data", params.PAGE_TABLE["training_data"]["default"])
        return page

    def _training_data(self, training_data, n_mnist):
        """(x_train, y_train, validation_data) of a run: the first ``n_mnist`` bundled training images and/or
        My digits, as ``training_data`` says; validation on all the bundled test images (MNIST's, always)."""
        x_mnist, y_mnist = self.dataset["x_train"][:n_mnist], self.dataset["y_train"][:n_mnist]
        x_mine, y_mine = self.my_digits
        if training_data == "mnist":
            x, y = x_mnist, y_mnist
        elif training_data == "mine":
            x, y = x_mine, y_mine
        else:
            x, y = np.concatenate([x_mnist, x_mine]), np.concatenate([y_mnist, y_mine])
        return x, y, (self.dataset["x_test"], self.dataset["y_test"])

    def _start_run(self, trainer, page, best_test_accuracy):
        """Make ``trainer`` the run in progress (a new network: no teaching to report or undo any more)."""
        self._trainer = trainer
        self._training_model = trainer.model
        self._training_name = "training"
        self._before_teaching = self._teaching = None
        self._page_settings = page
        self._stop_accuracy = page.get("stop_accuracy")
        self._best_test_accuracy = best_test_accuracy

    def checkpoint(self):
        """The run in progress as the bytes of a checkpoint file (:mod:`nn_impl.checkpoint`), for the page to
        keep across a reload, and what the page says about it.

        Returns ``{"bytes": uint8 (n_bytes,), "summary": {"epoch": completed epochs, "epochs",
        "samples_seen", "n_train" (training images per epoch), "test_accuracy": the latest epoch's or None,
        "config": the settings as ``configure`` takes them, "layer_sizes"}}``.
        """
        if self._trainer is None:
            raise ValueError("no run in progress to keep: send 'configure' (and 'train') first")
        if self._teaching is not None and self._trainer is self._teaching.trainer:
            # teaching lasts seconds and depends on My digits as they were: it is taught again, not continued
            raise ValueError("teaching My digits is not kept as a run to continue; teach again instead")
        buffer = io.BytesIO()
        extra = {"page": self._page_settings, "best_test_accuracy": self._best_test_accuracy}
        run_checkpoint.save(self._trainer, buffer, extra=extra)
        return {"bytes": np.frombuffer(buffer.getvalue(), dtype=np.uint8), "summary": self._run_summary()}

    def resume(self, data):
        """Continue the run kept in ``data`` (the bytes of a ``checkpoint``) on the bundled data: it becomes the
        run in progress, ready for ``train`` slices, and its model answers predictions.

        Everything is checked before anything changes: bad bytes raise ``ValueError`` and the current run and
        model stay. Returns the checkpoint's summary (as ``checkpoint`` gives it) plus ``model``.
        """
        saved = run_checkpoint.read(_as_bytes(data, "checkpoint"))
        try:
            page = self._page_settings_from(dict(saved["extra"].get("page") or {}))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"checkpoint: its page settings do not fit the data loaded here ({exc})") from None
        settings = {**params.DEFAULTS, **saved["params"]}
        _check_fits(settings["hidden_layer_sizes"], settings["batch_size"], settings["dtype"])
        self._check_training_data(page["training_data"])
        trainer = run_checkpoint.resume(saved, *self._training_data(page["training_data"], page["train_samples"]))
        best = saved["extra"].get("best_test_accuracy")
        self._start_run(trainer, page, best_test_accuracy=float(best) if isinstance(best, (int, float)) else None)
        self.model, self.model_name = trainer.model, "training"
        return {**self._run_summary(), "model": self.model_name}

    def _run_summary(self):
        trainer = self._trainer
        return {
            "epoch": trainer.epoch,
            "epochs": trainer.epochs,
            "samples_seen": trainer.samples_seen,
            "n_train": trainer.n_samples,
            "test_accuracy": self._best_test_accuracy,
            "config": {**trainer.model.get_params(), **self._page_settings},
            "layer_sizes": trainer.model.layer_sizes_,
        }

    def _check_training_data(self, training_data):
        """Refuse (``ValueError`` naming ``training_data``) a choice My digits cannot support."""
        counts = np.bincount(self.my_digits[1], minlength=params.PAGE_CLASSES)
        if training_data == "mnist+mine" and not counts.sum():
            raise ValueError("training_data: My digits are empty; add some (or train on MNIST alone)")
        if training_data == "mine":
            short = [f"{count} of {label}" for label, count in enumerate(counts) if count < params.MIN_DIGITS_PER_LABEL]
            if short:
                raise ValueError(
                    f"training_data: training on My digits alone needs at least {params.MIN_DIGITS_PER_LABEL} of "
                    f"every digit 0-9; there are {', '.join(short)}")

    def check_settings(self, config):
        """Check settings without building anything: ``{"problems": {name: message}}``, empty when all are valid.

        Each setting is checked alone by ``nn_impl.params`` (like ``configure`` would), then the network they
        describe against the tab's memory (``params.check_fits_in_tab``). The page checks a shared link with it.
        """
        self._require_data()
        n_available = len(self.dataset["y_train"])
        problems, valid = {}, {}
        for name, value in dict(config).items():
            try:
                if name in params.PAGE_TABLE:
                    params.validate_page_settings(n_available, **{name: value})
                    if name == "training_data":
                        self._check_training_data(value)
                elif name in params.TEACHING_TABLE:
                    params.validate_teaching(**{name: value})
                else:
                    valid.update(params.validate(**{name: value}))
            except ValueError as exc:
                problems[name] = str(exc)
        if "hidden_layer_sizes" in valid:
            merged = {**params.DEFAULTS, **valid}
            try:
                _check_fits(merged["hidden_layer_sizes"], merged["batch_size"], merged["dtype"])
            except ValueError as exc:
                problems["hidden_layer_sizes"] = str(exc)
        return {"problems": problems}

    def train(self, n_batches=50, max_seconds=None, layer_stats=False):
        """Run ``n_batches`` more batches of the configured run (one slice of the page's training loop), or
        fewer when ``max_seconds`` have passed (``Trainer.run``): the page bounds its slices by time.

        The page's Step button sends ``n_batches=1``; a teaching run (``configure_teaching``) is driven the same
        way. Returns ``Trainer.run``'s dict plus ``test_accuracy`` (the latest epoch's, or ``None``) and ``stopped_early`` (True when the stop condition was met; status
        is then ``"done"``). The model being trained answers predictions from the first slice on.
        ``layer_stats``: also measure each layer on the slice's last batch (``Trainer.run``'s ``layer_stats``).
        """
        if self._trainer is None:
            raise ValueError("nothing to train: send 'configure' first")
        n_batches = int(n_batches)
        if n_batches < 1:
            raise ValueError(f"n_batches: must be at least 1, got {n_batches}")
        result = dict(self._trainer.run(n_batches, max_seconds=max_seconds, layer_stats=bool(layer_stats)))
        self.model = self._training_model
        self.model_name = self._training_name
        history = result.get("history")
        if history is not None and history.get("val_accuracy") is not None:
            self._best_test_accuracy = float(history["val_accuracy"])
        self.model_accuracy = self._best_test_accuracy  # the latest epoch's: the weights that answer now
        result["test_accuracy"] = self._best_test_accuracy
        result["stopped_early"] = False
        if (
            self._stop_accuracy is not None
            and self._best_test_accuracy is not None
            and self._best_test_accuracy >= self._stop_accuracy
            and result["status"] in ("running", "epoch_end")
        ):
            result["status"] = "done"
            result["stopped_early"] = True
            result["message"] = f"stopped: test accuracy reached {self._best_test_accuracy:.2%}"
        return result

    def reproduce(self, config):
        """The ``nn-impl train`` command and the Python code that repeat a run of ``config`` (the form's
        settings, as for ``configure``) on CPython: ``{"command": str, "python": str, "notes": [str]}``."""
        self._require_data()
        # imported here, not at the top: it brings the CLI and argparse, ~150 ms of the page's start in Pyodide
        from .reproduce import reproduction

        return reproduction(config, len(self.dataset["y_train"]))

    def set_learning_rate(self, learning_rate):
        """Change the learning rate of the run in progress (checked by ``nn_impl.params`` like any other).

        It takes effect at the next batch. Returns ``{"learning_rate": float}``.
        """
        if self._trainer is None:
            raise ValueError("nothing to change: send 'configure' first")
        value = params.validate(learning_rate=learning_rate)["learning_rate"]
        self._trainer.set_learning_rate(value)
        return {"learning_rate": value}

    def stop(self):
        """End the run: the trained model stays the one that answers predictions."""
        self._trainer = None
        return {"status": "stopped", "test_accuracy": self._best_test_accuracy}

    # --- predict, carry, inspect ---

    #: what ``inspect`` can compute; the page asks only for what it shows (the test images once, the rest per model)
    INSPECT_PARTS = ("confusion", "explorer", "weights", "images")

    def predict(self, image, shape):
        """What the current model says about a drawing or a photo.

        ``image``: the pixels, flat (canvas RGBA bytes arrive as a memoryview), reshaped to ``shape``: (H, W)
        grey, (H, W, 3) RGB or (H, W, 4) RGBA, values 0..255, ink light or dark (``nn_impl.preprocess.to_mnist``).
        Returns ``{"digit": int | None, "proba": float32 (n_classes,) | None, "input": float32 (28, 28) | None,
        "model": name | None, "layer_sizes": [...] | None, "empty": bool}``. ``input`` is the MNIST-like image
        the network is fed (0..255, white ink on black). An image without ink gives ``empty=True`` and no
        digit: the page shows no prediction rather than a guess about a blank canvas. Without a model the
        input is still shown, with ``digit`` None.
        """
        pixels = _image_from(image, shape)
        result = {"digit": None, "proba": None, "input": None, "empty": False, **self._model_info()}
        try:
            mnist_like = to_mnist(pixels)
        except EmptyDrawingError:
            result["empty"] = True
            return result
        result["input"] = mnist_like
        if self.model is not None:
            proba = self.model.predict_proba(mnist_like[np.newaxis])[0]
            result["proba"] = proba.astype(np.float32)
            result["digit"] = int(np.asarray(self.model.classes_)[int(np.argmax(proba))])
        return result

    def export(self):
        """The current model as the bytes of a ``.npz`` model file (what ``nn_impl.load`` reads on CPython).

        Returns ``{"bytes": uint8 (n_bytes,), "filename": str, "model": name, "layer_sizes": [...],
        "test_accuracy": float | None}`` (``model_accuracy``: the page keeps it with the bytes).
        """
        if self.model is None:
            raise ValueError("no model to export yet: train one (or wait for the pre-trained model) first")
        buffer = io.BytesIO()
        save_model(self.model, buffer)
        info = self._model_info()
        layers = "-".join(str(n) for n in info["layer_sizes"])
        return {
            "bytes": np.frombuffer(buffer.getvalue(), dtype=np.uint8),
            "filename": f"nn_impl-{info['model']}-{layers}.npz",
            **info,
            "test_accuracy": self.model_accuracy,
        }

    def import_model(self, data):
        """Make the model in ``data`` (the bytes of a ``.npz`` model file) the one that answers predictions.

        Everything is checked before anything changes (``load_model_file``): a bad file raises
        ``ValueError`` saying what is wrong, and the current model keeps working. It must take 28×28 images.
        A run in progress keeps its own model: training again makes that one answer again.
        Returns ``{"model": "imported", "layer_sizes": [...], "test_accuracy": float | None}``.
        """
        model = load_model_file(_as_bytes(data, "model file"))
        if model.n_features_in_ != 28 * 28:
            raise ValueError(
                f"model file: the model takes {model.n_features_in_} inputs, but this page feeds it 28×28 = 784 "
                "pixels; import a model trained on MNIST-sized images"
            )
        if model.n_classes_ != params.PAGE_CLASSES:
            raise ValueError(
                f"model file: the model answers {model.n_classes_} classes, but this page recognises the "
                f"{params.PAGE_CLASSES} digits 0-9; import a model trained on MNIST's ten classes"
            )
        try:
            params.check_fits_in_tab(model.layer_sizes_, dtype=model.dtype)  # the page only asks it to answer
        except ValueError as exc:
            raise ValueError(f"model file: {str(exc).removeprefix('hidden_layer_sizes: ')}") from None
        # Scored before it replaces anything: a model that fails here leaves the current one answering.
        accuracy = None
        if self.dataset is not None:
            accuracy = float(model.score(self.dataset["x_test"], self.dataset["y_test"]))
        self.model = model
        self.model_name = "imported"
        self.model_accuracy = accuracy
        self._before_teaching = None
        return {**self._model_info(), "test_accuracy": accuracy}

    #: the names a model answers under (``model_name``); "taught" is a copy taught My digits
    MODEL_NAMES = ("pre-trained", "training", "imported", "taught")

    def restore_model(self, data, name, test_accuracy=None):
        """Make a model that answered before (before the worker restarted, or the page was reloaded) answer
        again, under its ``name``.

        ``data``: the bytes the page kept (an ``export`` of that model), checked like any model file; no
        scoring: ``test_accuracy`` is the one its export gave, kept with the bytes.
        Returns ``{"model": name, "layer_sizes": [...]}``.
        """
        if name not in self.MODEL_NAMES:
            raise ValueError(f"name: {name!r} is not one of {', '.join(self.MODEL_NAMES)}")
        if test_accuracy is not None and not 0.0 <= float(test_accuracy) <= 1.0:
            raise ValueError(f"test_accuracy: must be a fraction from 0 to 1 or None, got {test_accuracy!r}")
        model = load_model_file(_as_bytes(data, "model file"))
        self.model, self.model_name = model, name
        self.model_accuracy = None if test_accuracy is None else float(test_accuracy)
        self._before_teaching = None
        return self._model_info()

    def use_pretrained(self):
        """Make the pre-trained model answer again (the page's Forget). A run in progress keeps its own model.

        Returns ``{"model": "pre-trained" | None, "layer_sizes": [...] | None}``: ``None`` when no pre-trained
        model was loaded, and then no model answers.
        """
        self.model = self._pretrained
        self.model_name = None if self._pretrained is None else "pre-trained"
        self.model_accuracy = None
        self._before_teaching = None
        return self._model_info()

    def inspect(self, parts=("confusion", "explorer", "weights"), at_epoch_end=False):
        """Look inside the current model on the bundled test images; ``parts`` says what to compute.

        ``at_epoch_end``: the page asks after an epoch of training: then, while the model answering is the one
        training, the explorer and the confusion matrix come from the test set's scoring at the end of its latest
        epoch (``Trainer.validation_proba``: the model as it was then) instead of scoring 10 000 images again in
        one request, which a drawing made meanwhile would wait behind. ``scored_at_epoch`` in the reply says
        which epoch's scoring was used (None: scored now).

        * ``"images"``: ``{"x_test": uint8 (n, 28, 28), "y_test": uint8 (n,)}`` (the page asks once);
        * ``"explorer"``: ``{"pred": (n,) int, "confidence": float32 (n,), "proba": float32 (n, n_classes)}``;
        * ``"confusion"``: int (n_classes, n_classes), rows the true class (``diagnostics.confusion_matrix``);
        * ``"weights"``: float32 (n_units, 28, 28) in [-1, 1], the first layer's units (``first_layer_images``).

        Also returns ``model``, ``layer_sizes`` and ``accuracy`` (on those test images; None without a model).
        """
        self._require_data()
        parts = [str(p) for p in (parts if isinstance(parts, (list, tuple)) else list(parts))]
        unknown = sorted(set(parts) - set(self.INSPECT_PARTS))
        if unknown:
            raise ValueError(f"parts: unknown {unknown}; choose from {list(self.INSPECT_PARTS)}")
        x_test, y_test = self.dataset["x_test"], self.dataset["y_test"]
        result = {**self._model_info(), "accuracy": None, "scored_at_epoch": None}
        if "images" in parts:
            result["images"] = {"x_test": x_test, "y_test": y_test}
        if self.model is None:
            return result  # the images only: nothing to look inside yet
        if "explorer" in parts or "confusion" in parts:
            trainer = self._trainer if self.model_name == "training" else None
            if at_epoch_end and trainer is not None and trainer.validation_proba is not None:
                seen = diagnostics.predictions_from_proba(trainer.validation_proba, self.model.classes_)
                result["scored_at_epoch"] = trainer.epoch
            else:
                seen = diagnostics.predictions(self.model, x_test)
            n_classes = int(self.model.n_classes_)
            result["accuracy"] = float(np.mean(seen["pred"] == y_test))
            if "explorer" in parts:
                result["explorer"] = {
                    "pred": seen["pred"],
                    "confidence": np.asarray(seen["confidence"], dtype=np.float32),
                    "proba": np.asarray(seen["proba"], dtype=np.float32),
                }
            if "confusion" in parts:
                result["confusion"] = diagnostics.confusion_matrix(y_test, seen["pred"], n_classes)
        if "weights" in parts:
            result["weights"] = diagnostics.first_layer_images(self.model)
        return result

    # --- My digits: read, write, teach ---

    def read_digits(self, data, filename):
        """The digits in an imported file (.npz, Kaggle-layout .csv or .zip of images in folders 0-9), for
        the page to add to My digits or not (``nn_impl.digit_sets.read_digit_set``): nothing here changes.

        Returns ``{"x": uint8 (n, 28, 28), "y": uint8 (n,), "problems": [str], "format": "npz" | "csv" | "zip",
        "n_good": n, "n_bad": int}``: the good digits, white ink on black 0..255 like ``predict``'s ``input``,
        and each bad row or image named with what is wrong (the first ``digit_sets.MAX_PROBLEMS_LISTED``,
        then one line counting the rest). A file refused whole (too large, too many rows or files, a zip
        bomb, an unknown format) raises ``ValueError`` saying why; that is decided before it is read whole.
        """
        return digit_sets.read_digit_set(_as_bytes(data, "digit file"), str(filename))

    def write_digits(self, x, y):
        """My digits as the bytes of an ``.npz`` (``x`` uint8 (n, 28, 28), ``y`` uint8 (n,)) that
        ``read_digits`` and ``nn_impl.data.load_digits`` read. ``x``, ``y``: as for ``set_my_digits``.

        Returns ``{"bytes": uint8 (n_bytes,), "filename": "my-digits.npz"}``.
        """
        blob = digit_sets.to_npz(*_digits_from(x, y))
        return {"bytes": np.frombuffer(blob, dtype=np.uint8), "filename": MY_DIGITS_FILENAME}

    def set_my_digits(self, x, y):
        """Replace My digits, which teaching and the ``training_data`` setting use, with these (the page
        sends the whole set after every change).

        x: the images, white ink on black, 0..255 (as ``predict``'s ``input``): flat bytes / a typed array
        of n × 784 values, or an array (n, 28, 28); y: the n labels 0..9 (a list or a typed array).
        Returns ``{"counts": [10 ints]}``, how many digits of each label there are.
        """
        self.my_digits = digit_sets.checked_digits(*_digits_from(x, y))
        return {"counts": np.bincount(self.my_digits[1], minlength=params.PAGE_CLASSES).tolist()}

    def configure_teaching(self, config=None):
        """Set up teaching My digits to the model that answers now; the page then drives it with ``train``
        slices, like any run (its live progress works unchanged), and the taught copy answers under the name
        ``"taught"`` from the first slice on. The model before stays aside for ``undo_teaching``.

        config: settings of ``nn_impl.params.TEACHING_TABLE`` (``replay_share``, ``teach_batches``,
        ``teach_learning_rate``); missing ones take the table's defaults. The replay images are all the
        bundled training images; the learner's digits are split as ``nn_impl.finetune.split_held_out`` says.
        Returns ``{"before": {"mine": float | None, "mnist": float}, "scored_on": "held-out" | "all",
        "n_held_out": int, "n_taught": int, "batches": int, "settings": {name: value}}``: "mine" is scored
        on the held-out digits when there are some (one in four of a label with four or more), else on all.
        Raises ``ValueError`` (nothing changes) without a model, without My digits, or for a bad setting.
        """
        self._require_data()
        if self.model is None:
            raise ValueError("nothing to teach yet: train a network (or wait for the pre-trained one) first")
        config = dict(config or {})
        settings = params.validate_teaching(**config)
        x_mine, y_mine = self.my_digits
        teaching = Teaching(self.model, x_mine, y_mine, self.dataset["x_train"], self.dataset["y_train"],
                            self.dataset["x_test"], self.dataset["y_test"], **settings)
        self._before_teaching = (self.model, self.model_name, self.model_accuracy)
        self._teaching = teaching
        self._trainer = teaching.trainer
        self._training_model = teaching.model
        self._training_name = "taught"
        self._stop_accuracy = None
        self._best_test_accuracy = None
        return teaching.summary()

    def teaching_result(self):
        """The latest teaching's figures, after it (or as far as it went): ``configure_teaching``'s dict plus
        ``"after": {"mine": float | None, "mnist": float}``, scored on the same digits as ``before``."""
        if self._teaching is None:
            raise ValueError("nothing was taught yet: send 'teach' first")
        return self._teaching.result()

    def undo_teaching(self):
        """Make the model that answered before the latest teaching answer again (a run of that teaching in
        progress ends). Returns ``{"model": name, "layer_sizes": [...]}``."""
        if self._before_teaching is None:
            raise ValueError("no teaching to undo (a network trained, imported or restored since has none)")
        self.model, self.model_name, self.model_accuracy = self._before_teaching
        if self._teaching is not None and self._trainer is self._teaching.trainer:
            self._trainer = None
        self._before_teaching = self._teaching = None
        return self._model_info()

    def _model_info(self):
        """``{"model": name | None, "layer_sizes": [784, ..., 10] | None}`` of the model answering predictions."""
        if self.model is None:
            return {"model": None, "layer_sizes": None}
        return {"model": self.model_name, "layer_sizes": self.model.layer_sizes_}


def _check_fits(hidden_layer_sizes, batch_size, dtype):
    """The tab's memory check for a network of these hidden layers on 28×28 images and the page's ten digits."""
    params.check_fits_in_tab([28 * 28, *hidden_layer_sizes, params.PAGE_CLASSES], batch_size, dtype)


#: the name "write_digits" gives My digits' file
MY_DIGITS_FILENAME = "my-digits.npz"


def _digits_from(x, y):
    """(x, y) as arrays from what the worker hands over (bytes are uint8; typed arrays keep their type)."""
    if x is None or y is None:
        raise ValueError("x, y: the digits' images and labels are both needed")
    return tuple(np.frombuffer(v, dtype=np.uint8) if isinstance(v, (bytes, bytearray)) else np.asarray(v)
                 for v in (x, y))


def _image_from(image, shape):
    """The pixels of ``image`` (flat bytes/memoryview/list or an array) as a uint8/float array of ``shape``."""
    if image is None:
        raise ValueError("image: no pixels were given")
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape: expected a list like [height, width, 4], got {shape!r}") from None
    if isinstance(image, (bytes, bytearray)):
        pixels = np.frombuffer(image, dtype=np.uint8)
    else:
        pixels = np.asarray(image)  # a memoryview keeps its typed array's format (canvas RGBA: uint8)
    if pixels.size != int(np.prod(shape)):
        raise ValueError(f"image: {pixels.size} values do not fill shape {list(shape)}")
    return pixels.reshape(shape)
