// Run the package's unit tests inside Pyodide under Node, with the site's own runtime and packages.
//
//   node tests/pyodide/run_in_pyodide.mjs DIST_DIR TESTS_DIR WHEELS_DIR [pytest args...]
//
// Pyodide is loaded from DIST_DIR/pyodide/ exactly as the page loads it: the site's pyodide-lock.json decides
// which NumPy and nn_impl wheels are installed (loadPackage checks their sha256). pytest and its pure-Python
// dependencies are unzipped from WHEELS_DIR. The tests import nn_impl from the installed wheel, not from py/.
// Exits with pytest's exit code.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [distDir, testsDir, wheelsDir, ...pytestArgs] = process.argv.slice(2).map((a, i) => (i < 3 ? path.resolve(a) : a));
const { loadPyodide } = await import(pathToFileURL(path.join(distDir, "pyodide", "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.join(distDir, "pyodide") + "/" });
// openblas: the shared library the page loads after it is ready; with it the tests also run the OpenBLAS kernel.
await pyodide.loadPackage(["numpy", "nn_impl", "openblas"], { messageCallback: () => {} });
// The page's WebAssembly SIMD kernel, linked by the page's own loader: the tests run it too, and it stays the
// kernel in use (as in the worker) for the tests that do not choose one.
const { useSimdKernelBytes } = await import(pathToFileURL(path.join(distDir, "simd_kernel.js")).href);
await useSimdKernelBytes(pyodide, fs.readFileSync(path.join(distDir, "kernels.wasm")));
for (const [mountPoint, folder] of [["/tests", testsDir], ["/wheels", wheelsDir]]) {
  pyodide.FS.mkdirTree(mountPoint);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, mountPoint);
}
pyodide.globals.set("pytest_args", pyodide.toPy(pytestArgs));
const exitCode = await pyodide.runPythonAsync(`
import glob, site, sys, zipfile
for wheel in glob.glob("/wheels/*.whl"):
    zipfile.ZipFile(wheel).extractall(site.getsitepackages()[0])
import numpy, nn_impl, pytest
print(f"inside Pyodide: Python {sys.version.split()[0]}, NumPy {numpy.__version__}, nn_impl {nn_impl.__version__} "
      f"from {nn_impl.__file__}", flush=True)
# A config of our own: the repository's pyproject.toml would put py/ on sys.path and test the sources instead.
with open("/tmp/pytest.ini", "w") as ini:
    ini.write("[pytest]\\nmarkers =\\n    slow\\n    native_only\\n    browser\\n    pyodide\\n")
int(pytest.main(["-c", "/tmp/pytest.ini", "--rootdir", "/tests", "-p", "no:cacheprovider", "-q",
                 "-m", "not native_only and not slow", *pytest_args]))
`);
process.exit(Number(exitCode));
