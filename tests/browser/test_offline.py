"""The offline copy: after one visit the page loads, trains, predicts, imports and exports with the network off,
cross-origin isolated; a build published over the saved one is announced, saved whole, and never mixed with the
build a tab is running."""

import json
import re
import shutil

import pytest
from playwright.sync_api import expect

from buildtools.assemble import stamp_files
from buildtools.browser import serve_in_background
from _page_helpers import READY_TIMEOUT_MS, button, draw_and_wait, open_page, train_to_end, wait_state
from test_faults import deliver_in_worker
from test_model_io import export_from_page, import_into_page

pytestmark = pytest.mark.browser

SAVE_TIMEOUT_MS = 120_000


def offline_status(page):
    return page.get_by_role("status", name="Offline copy")


def wait_saved(page):
    expect(offline_status(page)).to_contain_text("works offline", timeout=SAVE_TIMEOUT_MS)


def reload_ready(page):
    page.reload()
    wait_state(page, "ready", READY_TIMEOUT_MS)


def test_a_second_visit_works_with_the_network_off(app, tmp_path):
    page = app
    expect(page.locator("#load-source")).to_have_text("")  # the first visit came from the network
    wait_saved(page)
    expect(offline_status(page)).to_contain_text("now works offline")

    page.context.set_offline(True)
    reload_ready(page)
    expect(page.locator("#load-source")).to_contain_text("saved on this device")
    expect(offline_status(page)).to_contain_text("Loaded from the copy saved on this device")
    # served by the service worker with COOP/COEP: Python can be interrupted through a shared buffer
    assert page.evaluate("crossOriginIsolated") is True

    page.get_by_label("Epochs", exact=True).fill("1")
    train_to_end(page)
    expect(page.get_by_label("Test accuracy", exact=True)).to_have_text(re.compile(r"\d+\.\d+ %"))
    assert draw_and_wait(page, 7).isdigit()
    name, raw = export_from_page(page, tmp_path)
    assert name.endswith(".npz") and len(raw) > 1000
    message, _ = import_into_page(page, tmp_path / name)
    assert message.startswith("Imported"), message

    # Back online, the visitor removes the copy: the next visit comes from the network and saves none.
    page.context.set_offline(False)
    button(page, "Remove the offline copy").click()
    expect(offline_status(page)).to_contain_text("was removed")
    reload_ready(page)
    expect(page.locator("#load-source")).to_have_text("")
    expect(offline_status(page)).to_contain_text("No copy of this page is kept")
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r === undefined)")
    button(page, "Save an offline copy").click()
    wait_saved(page)


def publish_new_build(site, mark):
    """Deploy another build over the served folder, as a push to GitHub Pages would: the page's heading and its
    Python worker both say ``mark``, and build-info.json is stamped again (a new build id)."""
    index = site / "index.html"
    index.write_text(index.read_text().replace("<h1>nn_impl ", f"<h1>nn_impl {mark} ", 1))
    worker = site / "worker.js"
    worker.write_text(f"self.publishedAs = {json.dumps(mark)};\n" + worker.read_text())
    info = json.loads((site / "build-info.json").read_text())
    stamp_files(info, site, info["files"])
    (site / "build-info.json").write_text(json.dumps(info, indent=1) + "\n")
    return info["build_id"]


def served_build(page):
    return page.evaluate("fetch('./build-info.json').then((r) => r.json()).then((info) => info.build_id)")


def worker_mark(page):
    (worker,) = page.workers
    return worker.evaluate("self.publishedAs || null")


def test_a_new_build_is_announced_saved_and_never_mixed(page, dist_dir, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(dist_dir, site)
    server, url = serve_in_background(site)
    try:
        open_page(page, url, "?test-hooks")  # lets the worker accept debug_crash
        wait_saved(page)
        first_build = json.loads((site / "build-info.json").read_text())["build_id"]
        new_build = publish_new_build(site, "(published again)")
        assert new_build != first_build

        # The reload comes from the saved copy (the old build), which then finds the new one and saves it.
        reload_ready(page)
        status = offline_status(page)
        expect(status).to_contain_text(f"build {new_build[:8]}", timeout=SAVE_TIMEOUT_MS)
        expect(status).to_contain_text(f"keeps running build {first_build[:8]}")
        heading = page.get_by_role("heading", level=1)
        expect(heading).not_to_contain_text("published again")
        # The new build's worker now serves the site, yet this tab keeps getting its own build's files: a Python
        # worker restarted after a crash is the old build's worker.js, with the old build's runtime and data.
        assert served_build(page) == first_build
        deliver_in_worker(page, "debug_crash")
        # the page restarts a dead worker on its own (test_faults.py)
        expect(page.locator("#run-message")).to_contain_text("was restarted", timeout=READY_TIMEOUT_MS)
        wait_state(page, "ready", READY_TIMEOUT_MS)
        assert worker_mark(page) is None

        button(page, "Reload to use the new version").click()
        wait_state(page, "ready", READY_TIMEOUT_MS)
        expect(heading).to_contain_text("published again")
        assert served_build(page) == new_build
        assert worker_mark(page) == "(published again)"
        expect(offline_status(page)).to_contain_text(f"Loaded from the copy saved on this device (build {new_build[:8]})")
    finally:
        server.shutdown()
        server.server_close()
