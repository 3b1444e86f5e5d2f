"""Which kernel computes the matrix products: OpenBLAS arrives after the page is ready and the page says so; a
missing or altered OpenBLAS leaves the page working on einsum, with a notice."""

import re

import pytest
from _page_helpers import button, wait_state
from playwright.sync_api import expect

KERNEL_NAMED = re.compile(r"matrix products: OpenBLAS 0\.3\.\d+$")


def test_openblas_takes_over_the_products_after_ready(app_page):
    versions = app_page.get_by_label("Runtime versions", exact=True)
    expect(versions).to_have_text(KERNEL_NAMED, timeout=60_000)
    assert "Python 3.12" in versions.inner_text()


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_without_a_usable_openblas_the_page_trains_on_einsum(page, site_url, damage):
    def serve_damaged(route):
        if damage == "missing":
            route.fulfill(status=404, body="not found")
        else:  # the right size, other bytes: Pyodide's sha256 check against the lock refuses it
            route.fulfill(status=200, body=b"\0" * 6_117_592, content_type="application/zip")

    page.context.route(re.compile(r".*/pyodide/openblas-[^/]*\.zip$"), serve_damaged)
    page.goto(site_url)
    expect(page.get_by_label("Runtime versions", exact=True)).to_have_text(
        re.compile(r"matrix products: einsum \(NumPy without BLAS\)$"), timeout=120_000)
    expect(page.get_by_text(re.compile("OpenBLAS could not be loaded .*training uses einsum"))).to_be_visible()
    wait_state(page, "ready")
    button(page, "Step").click()
    expect(page.get_by_label("Epoch", exact=True)).not_to_have_text("–", timeout=60_000)
