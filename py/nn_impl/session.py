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
from . import __version__, data, diagnostics, matmul, params
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
    * ``dataset`` -- dict of the bundled uint8 arrays ``x_train (n, 28, 28)``, ``y_train (n,)``,
      ``x_test (m, 28, 28)``, ``y_test (m,)``.
    """

    # --- load, configure, train ---

    def __init__(self):
        self.model = None
        self.model_name = None
        self.dataset = None
        self._trainer = None
        self._training_model = None
        self._stop_accuracy = None
        self._best_test_accuracy = None

    def load(self, dataset, pretrained=None):
        """Take the bundled data (and, optionally, the pre-trained model) as ``.npz`` bytes.

        Returns ``{"versions": {...}, "params": nn_impl.params.as_json(n_train), "n_train": int, "n_test": int,
        "model": "pre-trained" | None}``: everything the page needs to build its form.
        """
        self.dataset = data.load_npz_dataset(_as_bytes(dataset, "dataset"))
        if pretrained is not None:
            self.model = load_model_file(_as_bytes(pretrained, "pretrained model"))
            self.model_name = "pre-trained"
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
        }

    def _require_data(self):
        if self.dataset is None:
            raise ValueError("no data loaded yet: the worker must finish 'load' first")

    def configure(self, config):
        """Build a fresh model and trainer from ``config`` (the page's settings, a dict).

        Keys are ``MLPClassifier`` parameters plus the page-only settings of ``nn_impl.params.PAGE_TABLE``:
        ``train_samples`` (how many bundled training images to use, the first ones, so a seed fixes the whole
        run; missing or None: all) and ``stop_accuracy`` (a fraction or ``None``). The same config, seed
        included, always gives the same initial weights: that is what the page's Reset relies on.
        Returns ``{"config": model.get_params(), "n_train": int, "layer_sizes": [784, ..., 10]}``.
        """
        self._require_data()
        config = dict(config)
        n_available = len(self.dataset["y_train"])
        page = {name: config.pop(name) for name in params.PAGE_TABLE if name in config}
        if page.get("train_samples") is None:
            page["train_samples"] = n_available
        page = params.validate_page_settings(n_available, **page)
        if "hidden_layer_sizes" in config:
            config["hidden_layer_sizes"] = tuple(config["hidden_layer_sizes"])
        model = MLPClassifier(**config)  # raises ValueError naming a bad parameter
        _check_fits(model.hidden_layer_sizes, model.batch_size, model.dtype)  # before any weight is drawn
        n_train = page["train_samples"]
        x_train = self.dataset["x_train"][:n_train]
        y_train = self.dataset["y_train"][:n_train]
        validation = (self.dataset["x_test"], self.dataset["y_test"])
        trainer = model.trainer(x_train, y_train, validation_data=validation)
        # Only now, with everything valid, replace the previous run: a bad config loses nothing.
        self._trainer = trainer
        self._training_model = model
        self._stop_accuracy = page.get("stop_accuracy")
        self._best_test_accuracy = None
        return {"config": model.get_params(), "n_train": n_train, "layer_sizes": model.layer_sizes_}

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

        The page's Step button sends ``n_batches=1``. Returns ``Trainer.run``'s dict plus ``test_accuracy``
        (the latest epoch's, or ``None``) and ``stopped_early`` (True when the stop condition was met; status
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
        self.model_name = "training"
        history = result.get("history")
        if history is not None and history.get("val_accuracy") is not None:
            self._best_test_accuracy = float(history["val_accuracy"])
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

        Returns ``{"bytes": uint8 (n_bytes,), "filename": str, "model": name, "layer_sizes": [...]}``.
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
        return {**self._model_info(), "test_accuracy": accuracy}

    #: the names a model answers under (``model_name``)
    MODEL_NAMES = ("pre-trained", "training", "imported")

    def restore_model(self, data, name):
        """Make a model that answered before the page restarted its worker answer again, under its ``name``.

        ``data``: the bytes the page kept (an ``export`` of that model), checked like any model file; no
        scoring, since it was scored when it first answered. Returns ``{"model": name, "layer_sizes": [...]}``.
        """
        if name not in self.MODEL_NAMES:
            raise ValueError(f"name: {name!r} is not one of {', '.join(self.MODEL_NAMES)}")
        self.model = load_model_file(_as_bytes(data, "model file"))
        self.model_name = name
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

    def _model_info(self):
        """``{"model": name | None, "layer_sizes": [784, ..., 10] | None}`` of the model answering predictions."""
        if self.model is None:
            return {"model": None, "layer_sizes": None}
        return {"model": self.model_name, "layer_sizes": self.model.layer_sizes_}


def _check_fits(hidden_layer_sizes, batch_size, dtype):
    """The tab's memory check for a network of these hidden layers on 28×28 images and the page's ten digits."""
    params.check_fits_in_tab([28 * 28, *hidden_layer_sizes, params.PAGE_CLASSES], batch_size, dtype)


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
