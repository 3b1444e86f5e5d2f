"""Chromium for the tests, the benchmarks and docs/screenshot.py, and the static server they load the site from.

    find_chromium()       NN_IMPL_CHROMIUM, else Playwright's own Chromium, else the system's; None if none
    ensure_chromium()     the same, else (as root, with apt-get) Debian's chromium installed; BuildError if none
    launch_options(path)  keyword arguments for Playwright's chromium.launch (path None: find_chromium())
    add_chromium_option(parser)  the --chromium PATH option of the scripts that drive the page
    make_server(folder)   a threaded HTTP server with the MIME types Pyodide needs (application/wasm)
    serve_in_background(folder) -> (server, url), serving on a free loopback port from a daemon thread
"""

import argparse
import functools
import glob
import http.server
import os
import shutil
import threading
from pathlib import Path

from .common import BuildError, log, run

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

# A JavaScript condition for page.wait_for_function: the page's fast kernel (the SIMD one, loaded after "ready")
# computes the products, as the "Runtime versions" line says. Benchmarks wait for it before timing training.
FAST_KERNEL_IN_USE = "/matrix products: WebAssembly SIMD/.test(document.getElementById('versions').textContent)"

MIME_TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
              ".json": "application/json", ".css": "text/css", ".npz": "application/octet-stream",
              ".whl": "application/zip", ".zip": "application/zip", ".png": "image/png", ".svg": "image/svg+xml"}


def find_chromium():
    """The Chromium to drive: $NN_IMPL_CHROMIUM, else Playwright's own (the newest installed), else the
    system's; None when there is none."""
    if os.environ.get("NN_IMPL_CHROMIUM"):
        return os.environ["NN_IMPL_CHROMIUM"]
    playwrights = glob.glob(str(Path.home() / ".cache/ms-playwright/chromium-*/chrome-linux*/chrome"))
    if playwrights:
        return sorted(playwrights)[-1]
    for candidate in SYSTEM_CHROMIUMS:
        if Path(candidate).is_file():
            return candidate
    return None


def ensure_chromium():
    """``find_chromium()``, else, as root on Debian/Ubuntu, Debian's chromium installed with apt-get."""
    found = find_chromium()
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("no Chromium found: installing Debian's chromium with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", "update", "-qq"], "apt-get update (needs Debian's package mirrors)", env=env, capture=True)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            "apt-get install chromium", env=env, capture=True)
        if Path("/usr/bin/chromium").is_file():
            return "/usr/bin/chromium"
    raise BuildError("no Chromium for the browser tests: install one (Debian/Ubuntu: sudo apt-get install chromium; "
                     "elsewhere: .venv/bin/python -m playwright install chromium), or set NN_IMPL_CHROMIUM=/path")


def launch_options(executable=None):
    """Headless, with CHROMIUM_FLAGS, running ``executable`` (None: ``find_chromium()``; when that finds none,
    Playwright tries its own)."""
    executable = executable or find_chromium()
    options = {"headless": True, "args": CHROMIUM_FLAGS}
    if executable:
        options["executable_path"] = str(executable)
    return options


def add_chromium_option(parser):
    """``--chromium PATH`` on an argparse parser; its value (None unless given) goes to ``launch_options``."""
    parser.add_argument("--chromium", metavar="PATH", help="Chromium executable (default: $NN_IMPL_CHROMIUM, which "
                        "build.py test and bench set, else Playwright's own, else /usr/bin/chromium)")


def page_bench_parser(description, dist):
    """The argparse parser of a benchmark of the built page: its docstring as help, ``--dist`` (default ``dist``)
    and ``--chromium``; add the benchmark's own options to it."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=dist, help="the built site (python3 build.py build)")
    add_chromium_option(parser)
    return parser


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types Pyodide needs (application/wasm for streaming compilation).

    ``quiet``: no request log (also when NN_IMPL_SERVE_QUIET=1). Subclasses may change ``cache_control``."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    cache_control = "no-cache"

    def __init__(self, *args, quiet=False, **kwargs):
        self.quiet = quiet  # set first: the base class handles the request inside __init__
        super().__init__(*args, **kwargs)

    def end_headers(self):
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()

    def log_message(self, format, *args):
        if not (self.quiet or os.environ.get("NN_IMPL_SERVE_QUIET") == "1"):
            super().log_message(format, *args)


def make_server(directory, port=0, host="127.0.0.1", handler=SiteHandler, **handler_args):
    """A threaded HTTP server for ``directory`` (port 0: a free one); the caller runs ``serve_forever``.
    ``handler_args`` go to the handler (``quiet``, or a subclass's own)."""
    return http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(directory), **handler_args))


def serve_in_background(directory, handler=SiteHandler, **handler_args):
    """``make_server`` on a free loopback port, served from a daemon thread; returns (server, its URL).
    Stop it with ``server.shutdown()`` and ``server.server_close()`` (or let the process end)."""
    server = make_server(directory, 0, handler=handler, **handler_args)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
