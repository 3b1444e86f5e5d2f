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

// Views waiting to be redrawn take turns, one a frame (a Throttle's redraws come here), each in a task of its own
// after a frame was painted, not inside the frame: drawn in an animation frame, a view's drawing and that frame's
// layout and paint made one task, and the charts and the layers' view redrawn together when a run starts made
// one of over 50 ms.
const waiting = [];
let turnRequested = false;

/** Run `draw` in a task of its own once the next frame is painted; draws asked for meanwhile follow one a frame,
 * in order. A background tab paints no frames: there they wait until the tab is shown. */
export function drawInTurn(draw) {
  waiting.push(draw);
  if (!turnRequested) requestTurn();
}

function requestTurn() {
  turnRequested = true;
  requestAnimationFrame(() => setTimeout(nextTurn, 0));
}

function nextTurn() {
  turnRequested = false;
  const draw = waiting.shift();
  if (waiting.length > 0) requestTurn(); // before drawing: a draw that throws does not stop the others
  draw();
}
