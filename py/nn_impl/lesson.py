"""The state the page's cells worker drives ("Learn how it works"), and the requests it may send.

``web/cells_worker.js`` runs its own Pyodide, apart from the trainer's, and hands each request to
:func:`nn_impl.worker_requests.handle` with this module's :data:`REQUESTS` table, so a learner's code can
never touch the model that trains or predicts. Nothing here imports ``js`` or ``pyodide``.
"""

import numpy as np

from . import __version__, cells, data, gradient_check, jacobian_lens, training_step


class Lesson:
    """The cells' namespace and the bundled test images.

    * ``namespace`` -- the dict the tutorial's cells and the learner's own code run in (fresh on start);
    * ``dataset`` -- the bundled MNIST (uint8 ``x_test (n, 28, 28)``, ``y_test (n,)``...), None until first
      needed.
    """

    def __init__(self):
        self.namespace = cells.new_namespace()
        self.dataset = None
        self._dataset_bytes = None

    def load(self, dataset):
        """Take the bundled MNIST as ``.npz`` bytes. Returns ``{"versions": {...}}``.

        The file is only read when a step or a gradient check first needs its test images: the first cell's
        output should not wait for 30,000 images to be decompressed.
        """
        if dataset is None:
            raise ValueError("dataset: no data was given; the worker must fetch it before calling load")
        self._dataset_bytes = bytes(dataset)
        return {"versions": {"numpy": np.__version__, "nn_impl": __version__}}

    def run(self, code, name):
        """Run one cell (``code``, named ``name`` in tracebacks) in the namespace: :func:`nn_impl.cells.run_cell`."""
        if not isinstance(code, str) or not isinstance(name, str):
            raise ValueError("run: code and name must be text")
        return cells.run_cell(code, name, self.namespace)

    def reset(self):
        """Forget every name the cells defined. Returns ``{"reset": True}``."""
        self.namespace = cells.new_namespace()
        return {"reset": True}

    def _test_set(self):
        if self.dataset is None:
            if self._dataset_bytes is None:
                raise ValueError("the test images are not loaded yet")
            self.dataset = data.load_npz_dataset(self._dataset_bytes)
            self._dataset_bytes = None
        return self.dataset["x_test"], self.dataset["y_test"]

    def step(self, seed, index):
        """One training step taken apart: :func:`nn_impl.training_step.take_apart` on test image ``index``."""
        return training_step.take_apart(*self._test_set(), seed, index)

    def gradient_check(self, seed, index, per_layer=3):
        """Backprop against finite differences: :func:`nn_impl.gradient_check.check` -> ``{"rows": [...]}``."""
        return {"rows": gradient_check.check(*self._test_set(), seed, index, per_layer)}

    def jacobian_lens(self, n=1024):
        """The Jacobian product against the element-wise one, timed here: :func:`nn_impl.jacobian_lens.compare`."""
        return jacobian_lens.compare(n)


# request type -> the Lesson method it calls with the payload's fields as keyword arguments.
REQUESTS = {
    "load": Lesson.load,
    "run": Lesson.run,
    "reset": Lesson.reset,
    "step": Lesson.step,
    "gradient_check": Lesson.gradient_check,
    "jacobian_lens": Lesson.jacobian_lens,
}
