"""Which kernel computes the matrix products: nn_impl's WebAssembly SIMD kernel arrives after the page is ready and
the page says so; a missing or damaged kernel leaves the page on OpenBLAS, and without OpenBLAS too on einsum, with
a notice each time."""

import re

import pytest
from _page_helpers import button, wait_state
from playwright.sync_api import expect

SIMD_NAMED = re.compile(r"matrix products: WebAssembly SIMD \(nn_impl's own float32 kernel\)$")


def test_the_simd_kernel_takes_over_the_products_after_ready(app_page):
    versions = app_page.get_by_label("Runtime versions", exact=True)
    expect(versions).to_have_text(SIMD_NAMED, timeout=60_000)
    assert "Python 3.12" in versions.inner_text()


def damage(page, pattern, how):
    def serve_damaged(route):
        if how == "missing":
            route.fulfill(status=404, body="not found")
        else:  # the right size, other bytes
            route.fulfill(status=200, body=b"\0" * 4096, content_type="application/octet-stream")

    page.context.route(pattern, serve_damaged)


def trains_on(page, site_url, kernel, notice):
    """Open the page: "Runtime versions" names the ``kernel`` (a regex) that computes the products, the
    ``notice`` (a regex) says why, and a training step works."""
    page.goto(site_url)
    expect(page.get_by_label("Runtime versions", exact=True)).to_have_text(
        re.compile(f"matrix products: {kernel}$"), timeout=120_000)
    expect(page.get_by_text(re.compile(notice))).to_be_visible()
    wait_state(page, "ready")
    button(page, "Step").click()
    expect(page.get_by_label("Epoch", exact=True)).not_to_have_text("–", timeout=60_000)


@pytest.mark.parametrize("how", ["missing", "altered"])
def test_without_the_simd_kernel_the_page_trains_on_openblas(page, site_url, how):
    damage(page, re.compile(r".*/kernels\.wasm$"), how)
    trains_on(page, site_url, r"OpenBLAS 0\.3\.\d+", "The fast matrix products could not be loaded .*the SIMD kernel")


def test_without_either_fast_kernel_the_page_trains_on_einsum(page, site_url):
    damage(page, re.compile(r".*/kernels\.wasm$"), "altered")
    damage(page, re.compile(r".*/pyodide/openblas-[^/]*\.zip$"), "missing")
    trains_on(page, site_url, r"einsum \(NumPy without BLAS\)", "could not be loaded .*training uses einsum")
