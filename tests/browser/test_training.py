"""Training in the tab: each preset trains and reports, and the run controls do what they say."""

import time

import pytest

from _page_helpers import (
    button, chart_points, epoch_value, fill, open_page, percent, readout, state, train_to_end, wait_state,
)

pytestmark = pytest.mark.browser


def short_run(page, samples, epochs):
    fill(page, "Training samples", samples)
    fill(page, "Epochs", epochs)


def test_fast_preset_trains_moves_the_charts_and_reports_accuracy(page, site_url):
    open_page(page, site_url)
    button(page, "Fast").click()
    short_run(page, 3000, 2)
    train_to_end(page)
    accuracy = percent(readout(page, "Test accuracy"))
    assert accuracy is not None and accuracy > 80.0, readout(page, "Test accuracy")
    points = chart_points(page)
    assert points["loss"] >= 2 and points["epochs"] == 2
    assert float(readout(page, "Training loss")) < 1.0
    assert readout(page, "Epoch").startswith("2.00")
    assert int(readout(page, "Samples per second").replace(",", "")) > 0


def test_tutorial_preset_trains_with_its_settings(page, site_url):
    open_page(page, site_url)
    button(page, "Tutorial").click()
    # The preset is the tutorial's network and training, as the tutorial has them.
    assert page.get_by_label("Hidden layers", exact=True).input_value().replace(" ", "") == "32,24"
    assert page.get_by_label("Activation", exact=True).input_value() == "sigmoid"
    assert page.get_by_label("Loss", exact=True).input_value() == "mse"
    assert page.get_by_label("Optimizer", exact=True).input_value() == "sgd"
    assert float(page.get_by_label("Learning rate", exact=True).input_value()) == 0.01
    assert page.get_by_label("Batch size", exact=True).input_value() == "1"
    short_run(page, 600, 1)  # batch size 1: keep it short
    train_to_end(page)
    assert percent(readout(page, "Test accuracy")) is not None
    points = chart_points(page)
    assert points["loss"] >= 1 and points["epochs"] == 1


def test_pause_resume_stop(page, site_url):
    open_page(page, site_url)
    short_run(page, 2000, 200)
    button(page, "Train").click()
    page.wait_for_function("window.nnImplTestHook.chartPoints().loss >= 3", timeout=60_000)
    button(page, "Pause").click()
    wait_state(page, "paused", 10_000)
    time.sleep(0.5)  # a slice in flight may still land; after that nothing moves
    paused_at = epoch_value(page)
    time.sleep(1.5)
    assert epoch_value(page) == paused_at
    assert button(page, "Train").is_disabled() and button(page, "Resume").is_enabled()

    button(page, "Resume").click()
    wait_state(page, "training", 10_000)
    page.wait_for_function(
        f"parseFloat(document.getElementById('out-epoch').textContent) > {paused_at}", timeout=30_000
    )

    button(page, "Stop").click()
    wait_state(page, "ready", 10_000)
    stopped_at = epoch_value(page)
    time.sleep(1.0)
    assert epoch_value(page) == stopped_at
    assert "Stopped" in page.locator("#run-message").inner_text()
    assert button(page, "Train").is_enabled() and button(page, "Stop").is_disabled()


def test_reset_with_the_same_seed_restarts_from_the_same_weights(page, site_url):
    open_page(page, site_url)
    short_run(page, 2000, 3)
    fill(page, "Seed", 7)
    button(page, "Step").click()
    wait_state(page, "paused", 30_000)
    first_loss = readout(page, "Training loss")
    for _ in range(3):
        button(page, "Step").click()
        page.wait_for_timeout(300)
    assert readout(page, "Training loss") != first_loss  # training moved on

    button(page, "Reset").click()
    wait_state(page, "ready", 10_000)
    assert readout(page, "Training loss") == "–"
    button(page, "Step").click()
    wait_state(page, "paused", 30_000)
    # Same seed: same initial weights and same first batch, hence the very same first loss.
    assert readout(page, "Training loss") == first_loss

    button(page, "Stop").click()
    wait_state(page, "ready", 10_000)
    fill(page, "Seed", 8)
    button(page, "Reset").click()
    wait_state(page, "ready", 10_000)
    button(page, "Step").click()
    wait_state(page, "paused", 30_000)
    assert readout(page, "Training loss") != first_loss


def test_previous_run_is_kept_for_comparison(page, site_url):
    open_page(page, site_url)
    short_run(page, 1000, 1)
    train_to_end(page)
    fill(page, "Hidden layers", "16")
    train_to_end(page)
    previous = chart_points(page)["previousLoss"]
    assert previous and previous > 0
    legend = page.get_by_role("list", name="Runs in the charts").inner_text()
    assert "Run 1: hidden layers 32, 24 → 16" in legend  # labelled by what differs


def test_learning_rate_changes_while_training(page, site_url):
    open_page(page, site_url)
    short_run(page, 2000, 50)
    button(page, "Train").click()
    page.wait_for_function("window.nnImplTestHook.chartPoints().loss >= 2", timeout=60_000)
    field = page.get_by_label("Learning rate", exact=True)
    assert field.is_enabled()
    field.fill("0.0005")
    page.wait_for_timeout(500)
    assert state(page) == "training"
    assert "error" not in (page.locator("#run-message").get_attribute("data-kind") or "")
    button(page, "Stop").click()
    wait_state(page, "ready", 10_000)


def test_main_thread_stays_responsive_while_training(page, site_url):
    """Training runs in the worker: while it trains, the page keeps painting frames, never freezes, and a queued
    task is run soon.

    Only margins a busy machine cannot break are asserted. The count of main-thread tasks over 50 ms
    (PerformanceObserver 'longtask') is printed here and reported by bench/bench_web.py, never asserted: one
    54 ms task on an idle CI machine is timing noise, not a regression.

    From pressing Train, through the first slices (a new network, the inspection views redrawn for it) and
    several epochs (charts, read-outs, the inspection after each epoch). Python on the main thread would block
    it for each training slice (~120 ms) and leave about 8 frames a second; a free main thread paints about 60.
    """
    page.add_init_script(
        """
        window.__frameGaps = [];
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push({start: e.startTime, duration: Math.round(e.duration)});
        }).observe({type: "longtask", buffered: true});
        """
    )
    open_page(page, site_url)
    short_run(page, 5000, 1000)  # stopped below: it must still be training after 6 s however fast the machine
    start = page.evaluate("performance.now()")
    button(page, "Train").click()
    page.evaluate(
        """() => { let last = performance.now();
        const tick = (now) => { window.__frameGaps.push(now - last); last = now;
                                if (window.__frameGaps.length < 100000) requestAnimationFrame(tick); };
        requestAnimationFrame(tick); }"""
    )
    task_delays = []  # how long a task queued now waits for the main thread
    for _ in range(6):
        page.wait_for_timeout(1000)
        task_delays.append(page.evaluate(
            "() => new Promise((resolve) => { const t = performance.now();"
            " setTimeout(() => resolve(performance.now() - t), 0); })"
        ))
    assert state(page) == "training"
    assert chart_points(page)["loss"] > 10  # it really trained meanwhile
    worst_gap = page.evaluate("Math.max(...window.__frameGaps)")
    frames_per_second = page.evaluate("window.__frameGaps.length / (window.__frameGaps.reduce((a, b) => a + b, 0) / 1000)")
    long_tasks = page.evaluate(f"window.__longTasks.filter((t) => t.start >= {start}).map((t) => t.duration)")
    button(page, "Stop").click()
    print(f"{frames_per_second:.0f} frames/s, worst frame gap {worst_gap:.0f} ms; queued tasks waited {task_delays} ms; long tasks (ms): {long_tasks}")
    assert frames_per_second > 20, f"only {frames_per_second:.0f} frames/s while training"
    assert worst_gap < 1000, f"the page froze for {worst_gap:.0f} ms while training"
    assert max(task_delays) < 1000, f"queued tasks waited {task_delays} ms"


def test_stop_condition_ends_the_run_when_the_accuracy_is_reached(page, site_url):
    open_page(page, site_url)
    short_run(page, 2000, 30)
    fill(page, "Stop when accuracy reaches (%)", 50)
    train_to_end(page)
    assert "test accuracy reached" in page.locator("#run-message").inner_text()
    assert epoch_value(page) < 30
    assert percent(readout(page, "Test accuracy")) >= 50.0
