"""Browser-test fixtures: the built site served on a free loopback port, and Chromium for Playwright.

Chromium and the server come from buildtools.browser (`find_chromium`: $NN_IMPL_CHROMIUM, which `build.py test`
sets, else Playwright's own, else the system's). Tests use pytest-playwright's `page` fixture.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import _rendered_text  # noqa: E402
from buildtools.browser import launch_options, serve_in_background  # noqa: E402
from _support import skip_or_fail  # noqa: E402
from _page_helpers import open_inspected  # noqa: E402

READY_TIMEOUT_MS = 120_000

_rendered_text.install()  # inner_text reads an off-screen panel after scrolling to it, as a person would


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **launch_options()}


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
    server, url = serve_in_background(dist_dir)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_page(page, site_url):
    """The page opened and ready (runtime, NumPy, nn_impl, data and pre-trained model loaded)."""
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=READY_TIMEOUT_MS)
    return page


@pytest.fixture
def app(page, site_url):
    """The page ready, with the pre-trained model's first inspection shown (explorer, matrix, weights)."""
    open_inspected(page, site_url)
    return page
