"""The state the browser worker drives: one current model, one trainer, the bundled data.

``web/worker.js`` is the only adapter between JavaScript and this class: it converts each request's payload
to Python (array-likes arrive as memoryviews/lists; every method calls ``np.asarray`` on them), calls the
method named by the request type, and converts the returned dict back (every ``np.ndarray`` in it becomes
``{shape, data: TypedArray}``). Nothing here imports ``js`` or ``pyodide``, so the same class is tested on
CPython.
"""

import numpy as np  # noqa: F401  (used by both halves below)


class Session:
    # --- part 1: load, configure, train (web issue 4) ---

    # --- part 2: predict, carry, inspect (web issue 5) ---
    pass
