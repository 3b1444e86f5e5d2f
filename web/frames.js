// Waiting for the page to paint before the next piece of work. Each frame the page paints is a layout, a paint
// and a compositor commit, tens of milliseconds in software-rendered Chromium: views that change together (the
// charts when a run starts, the inspection after an epoch) are redrawn one per frame, so that no single task on
// the main thread grows past 50 ms and the page keeps answering clicks and strokes in between.

/** Resolves once the next frame has been painted (a task queued from an animation frame runs after that frame),
 * or after 100 ms in a background tab, which paints no frames. */
export function afterNextFrame() {
  return new Promise((resolve) => {
    setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}
