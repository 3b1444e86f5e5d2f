"""The parts of the site built from npm packages and the repository at build time (standard library only):

* the ES modules bundled by the pinned esbuild (``pins.ESBUILD_BUNDLES``: the code editor, KaTeX), each one
  minified self-hosted file, written to .cache/build/bundles/ and copied into dist/ by assemble.py;
* tutorial_cells.json, the tutorial's cells and NNLayer's methods as text, made by ``nn_impl.tutorial_cells``
  (loaded by path: it uses only the standard library, so the build needs no NumPy for it).
"""

import importlib.util

from .common import NODE_MODULES, ROOT, WORK, BuildError, run, write_if_changed
from .pins import ESBUILD_BUNDLES

BUNDLE_DIR = WORK / "bundles"


def esbuild_bundles():
    """{site path: built file} of every ESBUILD_BUNDLES entry, bundled and minified (esbuild is deterministic)."""
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise BuildError("node_modules/.bin/esbuild is missing: run `npm ci` (esbuild is pinned in package-lock.json)")
    built = {}
    for site_path, entry in ESBUILD_BUNDLES.items():
        out = BUNDLE_DIR / site_path
        out.parent.mkdir(parents=True, exist_ok=True)
        run([esbuild, ROOT / entry, "--bundle", "--format=esm", "--minify", "--legal-comments=eof",
             "--log-level=warning", f"--outfile={out}"], f"esbuild {entry}")
        built[site_path] = out
    return built


def tutorial_cells_json():
    """The tutorial's cells as JSON (``nn_impl.tutorial_cells.site_json``), written to .cache/build/; its path."""
    spec = importlib.util.spec_from_file_location("tutorial_cells", ROOT / "py" / "nn_impl" / "tutorial_cells.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = BUNDLE_DIR / "tutorial_cells.json"
    write_if_changed(out, module.site_json().encode("utf-8"))
    return out
