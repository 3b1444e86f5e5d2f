"""The first thing a visitor sees: the page loads to ready and says what runs inside it."""

import json
import re


def test_page_loads_to_ready_and_shows_the_runtime_versions(app_page, dist_dir):
    versions = app_page.get_by_label("Runtime versions", exact=True).inner_text()
    info = json.loads((dist_dir / "build-info.json").read_text())["versions"]
    assert re.search(r"Python 3\.12\.\d+", versions), versions
    assert f"NumPy {info['numpy']}" in versions and info["numpy"] == "2.0.2"
    assert f"nn_impl {info['nn_impl']}" in versions


def test_every_request_stays_on_the_sites_origin(page, site_url):
    """No CDN, fonts or analytics: everything the page fetches comes from where it is served."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=120_000)
    foreign = [url for url in requests if not url.startswith(site_url) and not url.startswith(("data:", "blob:"))]
    assert requests and not foreign, foreign
