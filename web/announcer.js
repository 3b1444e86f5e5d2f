// The page's one polite live region (#announcer in index.html): what a screen reader hears on its own, at a
// rate a listener can follow — once per finished epoch of training, once per finished drawing or loaded picture.
// The read-outs that change several times a second (loss, samples per second, elapsed time) are not live
// regions (aria-live="off" on their <output>s): they are read when the visitor goes to them.

let last = "";

/** Say `text` through the live region (a repeat of the same text is said again). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  // the same text set twice is not a change: empty the region first so that a repeat is announced too
  if (text === last) region.textContent = "";
  last = text;
  region.textContent = text;
}

/** "Epoch 2 of 6: test accuracy 95.1 %" from an epoch's history dict (epoch, val_accuracy) and the run's length. */
export function epochText(history, epochs) {
  const accuracy = history.val_accuracy != null ? `: test accuracy ${(history.val_accuracy * 100).toFixed(1)} %` : "";
  return `Epoch ${history.epoch} of ${epochs}${accuracy}`;
}
