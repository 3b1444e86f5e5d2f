"""The tutorial as notebook cells: the page's "Learn how it works" shows and runs them in order.

The class cells are the source of :mod:`nn_impl.reference` itself, cut at class and function boundaries, so the
page can never show code that differs from the package's. The driver cells follow the tutorial's steps with its
names (``np.random.seed(123)``, ``alayer``, ``xi``, ``yi``, ``grad_in``).

This module uses only the standard library and imports nothing from the package: the site's build reads it by
path (without NumPy) and writes the cells to ``tutorial_cells.json``, so the page shows the code before Python
has loaded. The wheel that runs in the page holds compiled modules without their source, another reason the
text is taken at build time.
"""

import ast
import json
from pathlib import Path

REFERENCE_SOURCE = Path(__file__).with_name("reference.py")

# What the training cell reads: the page's worker writes the bundled MNIST under this name in Python's working
# folder (on CPython, the test puts a file there).
DATASET_FILE = "mnist-subset.npz"

# (title, names of reference.py's top-level definitions) for the class cells; (title, code) for the drivers.
# The order is the tutorial's: the layer, trying it out, the classifier, training it, evaluating it.
CELLS = [
    ("The layer", ["NNLayer"]),
    ("Testing the layer: forward", """\
np.random.seed(123)
alayer = NNLayer(n_inputs=3, n_neurons=5)
xi = np.random.rand(3)
alayer.forward(xi)"""),
    ("Testing the layer: the Jacobian of the sigmoid", """\
yi = np.array([1, 2, 3])
alayer.dsigmoid(yi)"""),
    ("Testing the layer: backward", """\
grad_in = np.array([1, 2, 3, 4, 5])
alayer.backward(grad_in)"""),
    ("Scaling the inputs, and the two losses", ["tutorial_normalize", "true_loss", "legacy_printed_loss"]),
    ("The three-layer classifier", ["AThreeLayerSimpleMLPC"]),
    ("Training it", f"""\
from nn_impl.data import load_npz_dataset

mnist = load_npz_dataset("{DATASET_FILE}")  # the page's MNIST: 20,000 training and 10,000 test images
X_train = tutorial_normalize(mnist["x_train"].reshape(-1, 784))
y_train = mnist["y_train"]

n_samples = 600  # how many training images to learn from; the tutorial used all 60,000 (slow here)
epochs = 3

# No new seed: the weights continue the random stream after the layer test, as in the tutorial.
net = AThreeLayerSimpleMLPC(n_inputs=784, n_classes=10)

def report(epoch, loss, printed_loss):
    print(f"epoch {{epoch}}/{{epochs}}  the tutorial printed {{printed_loss:.6f}}  true loss {{loss:.6f}}")

net.fit(X_train[:n_samples], y_train[:n_samples], epochs=epochs, on_epoch=report)
print("The two differ because the tutorial printed np.sum(ŷ - t)**2 / 2 with ŷ of shape (10, 1) and t of "
      "shape (10,): the difference broadcasts to a 10×10 array and the square is of its sum; the gradient "
      "ŷ - t it trains with is that of the true loss ½‖ŷ - t‖², so only the printed number is off.")"""),
    ("Evaluating it", """\
X_test = tutorial_normalize(mnist["x_test"].reshape(-1, 784))
accuracy = net.evaluate(X_test, mnist["y_test"])
print(f"test accuracy {accuracy:.4f} after {n_samples} samples × {epochs} epochs")
print("About 0.1 is still a guess: with sigmoid outputs, the squared error and α = 0.01 the network learns "
      "slowly at first; the tutorial trained on 60,000 images for 10 epochs to reach 0.9457.")"""),
]

IMPORTS = "import numpy as np\n\n"  # the first class cell starts with the module's one import
# The methods whose lines the step view highlights, stage by stage (web/step_stages.js names them).
STEP_METHODS = [("NNLayer", "forward"), ("NNLayer", "backward"), ("AThreeLayerSimpleMLPC", "fit")]


def definitions(source):
    """{name: (source text, first line number)} of every top-level class and function in ``source``."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            found[node.name] = (ast.get_source_segment(source, node), node.lineno)
    return found


def method_source(source, class_name, method_name):
    """(text, its first line number in ``source``) of one method of a class, dedented by the class's indent."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == method_name:
                    text = ast.get_source_segment(source, item, padded=True)
                    lines = [line[4:] if line.startswith("    ") else line for line in text.splitlines()]
                    return "\n".join(lines), item.lineno
    raise ValueError(f"{class_name}.{method_name} is not in the source")


def tutorial_cells(source=None):
    """The cells in order: a list of ``{"title": str, "code": str, "source": "nn_impl.reference" | None}``.

    source: reference.py's text (read from beside this file when None). A class cell's code is the verbatim
    source of its definitions, joined by blank lines; the first one starts with ``import numpy as np``.
    """
    if source is None:
        source = REFERENCE_SOURCE.read_text(encoding="utf-8")
    found = definitions(source)
    cells = []
    for title, body in CELLS:
        if isinstance(body, str):
            cells.append({"title": title, "code": body, "source": None})
            continue
        missing = [name for name in body if name not in found]
        if missing:
            raise ValueError(f"reference.py no longer defines {', '.join(missing)}: update tutorial_cells.CELLS")
        code = "\n\n\n".join(found[name][0] for name in body)
        if not cells:
            code = IMPORTS + code
        cells.append({"title": title, "code": code, "source": "nn_impl.reference"})
    return cells


def site_json(source=None):
    """What the build writes to tutorial_cells.json: the cells, and the methods the step view highlights.

    Returns a JSON string ``{"cells": [...], "methods": {"NNLayer.forward": {"code", "first_line"},
    "NNLayer.backward": ..., "AThreeLayerSimpleMLPC.fit": ...}}`` (first_line: the line in reference.py).
    """
    if source is None:
        source = REFERENCE_SOURCE.read_text(encoding="utf-8")
    methods = {}
    for class_name, name in STEP_METHODS:
        code, first_line = method_source(source, class_name, name)
        methods[f"{class_name}.{name}"] = {"code": code, "first_line": first_line}
    return json.dumps({"cells": tutorial_cells(source), "methods": methods}, ensure_ascii=False, indent=1) + "\n"
