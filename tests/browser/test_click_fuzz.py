"""A class of thirty people pressing buttons: a few hundred clicks on the run controls and the presets, in a
random order with random short waits (a fixed seed, so a failure replays), and the page must end usable, with
never more than one training slice in flight."""

import random
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from _page_helpers import button, clear, draw_and_wait, fill, runs_completed, state, wait_state

pytestmark = pytest.mark.browser

SEED = 16
ACTIONS = 300
# the clicks stop here at the latest (a slow machine does fewer of them), so the test stays within 2 minutes
CLICKING_SECONDS = 80
CONTROLS = ["Train", "Pause", "Resume", "Stop", "Reset", "Step", "Fast", "Tutorial"]


def test_random_clicks_leave_the_page_usable_with_one_run_at_most(app):
    fill(app, "Training samples", "1000")
    fill(app, "Epochs", "2")
    rng = random.Random(SEED)
    clicked = {name: 0 for name in CONTROLS}
    started = time.monotonic()
    for _ in range(ACTIONS):
        if time.monotonic() - started > CLICKING_SECONDS:
            break
        name = rng.choice(CONTROLS)
        # forced: a disabled button ignores the click, as it does for a person (Playwright would wait instead)
        button(app, name).click(force=True, no_wait_after=True, timeout=5_000)
        clicked[name] += 1
        if name in ("Fast", "Tutorial") and state(app) == "ready":
            # keep runs short (the tutorial preset trains sample by sample); the form is locked during a run
            try:
                app.get_by_label("Training samples", exact=True).fill("1000", timeout=2_000)
            except PlaywrightTimeoutError:
                pass  # a Train clicked just before started a run and locked the field
        app.wait_for_timeout(rng.choice([0, 0, 10, 50, 120, 300]))
        assert app.evaluate("window.nnImplTestHook.trainSlices().most") <= 1
        assert state(app) in ("ready", "training", "paused")
    print(f"clicked {clicked} ({sum(clicked.values())} in {time.monotonic() - started:.0f} s), "
          f"runs ended {runs_completed(app)}")
    # whatever state the clicks left, the page can be brought to rest and used
    if state(app) in ("training", "paused"):
        button(app, "Stop").click()
    wait_state(app, "ready", 30_000)
    assert app.evaluate("window.nnImplTestHook.trainSlices()") == {"inFlight": 0, "most": 1}
    before = runs_completed(app)
    fill(app, "Epochs", "1")
    button(app, "Train").click()
    app.wait_for_function(f"window.nnImplTestHook.runsCompleted() > {before}", timeout=120_000)
    wait_state(app, "ready", 10_000)
    assert re.search(r"\d+\.\d+ %", app.get_by_label("Test accuracy", exact=True).inner_text())
    clear(app)
    assert re.fullmatch(r"[0-9]", draw_and_wait(app, 3))
