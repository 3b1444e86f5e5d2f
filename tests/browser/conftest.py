"""Browser-test fixtures: the built site served on a free loopback port, and Chromium for Playwright.

Chromium is Playwright's own if installed, else the system's (Debian's /usr/bin/chromium); `build.py test`
finds or installs one and passes it in NN_IMPL_CHROMIUM. Tests use pytest-playwright's `page` fixture.
"""

import glob
import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from buildtools.browser import CHROMIUM_FLAGS, make_server  # noqa: E402
from _support import skip_or_fail  # noqa: E402

READY_TIMEOUT_MS = 120_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _chromium():
    if os.environ.get("NN_IMPL_CHROMIUM"):
        return os.environ["NN_IMPL_CHROMIUM"]
    if glob.glob(str(Path.home() / ".cache/ms-playwright/chromium-*")):
        return None  # Playwright's own
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = _chromium()
    args = {**browser_type_launch_args, "headless": True, "args": CHROMIUM_FLAGS}
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture(scope="session")
def dist_dir():
    dist = Path(os.environ.get("NN_IMPL_DIST", ROOT / "dist"))
    if not (dist / "index.html").is_file() or not (dist / "data" / "pretrained.npz").is_file():
        skip_or_fail(f"no built site in {dist}: run `python3 build.py build`")
    return dist


@pytest.fixture(scope="session")
def site_url(dist_dir):
    """http://127.0.0.1:<free port>/ serving the built site, for the whole session."""
    server = make_server(dist_dir, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_page(page, site_url):
    """The page opened and ready (runtime, NumPy, nn_impl, data and pre-trained model loaded)."""
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=READY_TIMEOUT_MS)
    return page
