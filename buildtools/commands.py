"""build.py's commands besides `build` (buildtools.assemble.build_site): serve, test, bench, data, clean."""

import os
import shutil
import subprocess

from .assemble import build_site
from .browser import ensure_chromium, make_server
from .common import DIST, NODE_MODULES, ROOT, VENV, VENV_PYODIDE, BuildError, log, run
from .downloads import pyodide_test_wheels
from .environments import dev_python
from .numpy_steps import ensure_mnist


def serve(port, numpy_url=None, skip=()):
    """Build, then serve dist/ on 127.0.0.1:``port`` until Ctrl+C."""
    build_site(numpy_url, skip)
    try:
        server = make_server(DIST, port)
    except OSError as exc:
        raise BuildError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port {port + 1}") from None
    print(f"\n  nn_impl is served at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def test(slow=False, pytest_args=(), numpy_url=None):
    """The whole suite (unit, in-Pyodide, browser) on a fresh build, strict: a missing prerequisite fails."""
    python = dev_python()
    chromium = ensure_chromium()
    build_site(numpy_url)
    wheels = pyodide_test_wheels(python)
    env = dict(os.environ, NN_IMPL_STRICT="1", NN_IMPL_REQUIRE_MNIST="1", NN_IMPL_CHROMIUM=chromium, NN_IMPL_DIST=str(DIST),
               NN_IMPL_PYODIDE_WHEELS=str(wheels), OPENBLAS_NUM_THREADS="1", NN_IMPL_SERVE_QUIET="1",
               PYTHONDONTWRITEBYTECODE="1")
    marker = [] if slow else ["-m", "not slow"]
    log(f"running the tests with {chromium}")
    result = subprocess.run([str(python), "-m", "pytest", "tests", *marker, *pytest_args], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise BuildError(f"tests failed (pytest exit code {result.returncode})")


def bench(numpy_url=None, peers=False):
    """Every bench/bench_*.py on a fresh build; ``peers``: first install scikit-learn and PyTorch."""
    python = dev_python()
    if peers:  # for bench_engine.py's comparison (large downloads, so opt-in)
        run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
             ROOT / "requirements-bench.txt"], "installing requirements-bench.txt into .venv", capture=True)
    chromium = ensure_chromium()
    build_site(numpy_url)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NN_IMPL_CHROMIUM=chromium, NN_IMPL_SERVE_QUIET="1")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        log(f"{script.name}")
        run([python, script], f"benchmark {script.name}", env=env)


def data(mnist_dir=None):
    """Fetch, verify and cache the full MNIST; prints its path."""
    print(ensure_mnist(dev_python(), mnist_dir))


def clean(everything=False):
    """Remove dist/ and .cache/ (``everything``: also .venv, .venv-pyodide and node_modules)."""
    paths = [DIST, ROOT / ".cache"]
    if everything:
        paths += [VENV, VENV_PYODIDE, NODE_MODULES]
    for path in paths:
        if path.exists():
            log(f"removing {path.relative_to(ROOT)}")
            shutil.rmtree(path)
