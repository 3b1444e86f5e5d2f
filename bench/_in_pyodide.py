"""Run a benchmark's ``main(argv)`` inside the site's own Pyodide (dist/, under Node), as the page's worker runs
Python: the same runtime, NumPy and nn_impl wheel, with bench/ mounted at /bench and the site's data at /data."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Node loads the site's Pyodide as the worker does (with OpenBLAS, as the worker, when asked), mounts the
# folders and runs the module's main() there.
IN_PYODIDE = """
import path from "node:path";
import { pathToFileURL } from "node:url";
const [dist, bench, module, args, openblas] = process.argv.slice(1);
const { loadPyodide } = await import(pathToFileURL(path.join(dist, "pyodide", "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.join(dist, "pyodide") + "/" });
await pyodide.loadPackage(["numpy", "nn_impl", ...(openblas === "1" ? ["openblas"] : [])], { messageCallback: () => {} });
for (const [mountPoint, folder] of [["/bench", bench], ["/data", path.join(dist, "data")]]) {
  pyodide.FS.mkdirTree(mountPoint);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, mountPoint);
}
pyodide.globals.set("bench_module", module);
pyodide.globals.set("bench_args", pyodide.toPy(JSON.parse(args)));
pyodide.globals.set("bench_openblas", openblas === "1");
await pyodide.runPythonAsync(`
import importlib, sys
sys.path.insert(0, "/bench")
if bench_openblas:
    from nn_impl import matmul
    matmul.use_openblas("libopenblas.so")
importlib.import_module(bench_module).main(list(bench_args))
`);
"""


def run_in_pyodide(module, argv, openblas=False):
    """Run ``module.main(argv)`` (a module of bench/) in the site's Pyodide; ``openblas``: products through
    Pyodide's OpenBLAS, as the page's worker computes them once it has loaded it."""
    subprocess.run(["node", "--input-type=module", "-e", IN_PYODIDE, str(ROOT / "dist"), str(ROOT / "bench"), module,
                    json.dumps(list(argv)), "1" if openblas else "0"], check=True)
