// Collect: after a prediction, "It is a 0" … "It is a 9" (or the keys 0-9 while the focus is on a button by the
// pad: the canvas itself is not focusable, since a focusable element there stops a finger's swipe beside the pad
// from scrolling the page in Chromium, tests/browser/test_touch_and_layout.py) add the
// picture on the pad to My digits as the 28×28 image the network saw, with the label the learner says it has.
// A drawing or an opened photo, alike: both reach the network through the same preprocessing.
//
// Bus events listened to: "prediction-shown" (prediction.js).
import { LABELS } from "./my_digits.js";

/** "a 3", "an 8" (said "eight"): how the page names a digit in a sentence. */
const aDigit = (label) => `${label === 8 ? "an" : "a"} ${label}`;

/**
 * @param bus the page's EventTarget
 * @param digits the MyDigits set
 * @param prediction what createPrediction returns (seenInput, padEmpty)
 * @param elements {buttons (the group the "It is a …" buttons go in), pad (the pad's column: its keys 0-9 count),
 *   message}
 */
export function createCollect({ bus, digits, prediction, elements }) {
  const { buttons, pad, message } = elements;
  let waitingLabel = null; // a label said before the current picture's answer came back
  let added = null; // {input: the pixels added last, key}: the same picture said again is relabelled, not added twice

  const say = (text) => { message.textContent = text; };

  function collect(label) {
    if (prediction.padEmpty()) {
      say("Draw a digit on the pad (or open an image) first; then say what it is.");
      return;
    }
    const seen = prediction.seenInput();
    if (!seen) { // the answer for this picture is on its way: add it when it comes
      waitingLabel = label;
      say(`Adding it as ${aDigit(label)} when the network has seen the picture…`);
      return;
    }
    waitingLabel = null;
    if (added && digits.items.has(added.key) && samePixels(added.input, seen.pixels)) {
      digits.relabel(added.key, label);
      say(`Changed: this picture is in My digits as ${aDigit(label)} now.`);
      return;
    }
    const [key] = digits.add([{ label, pixels: seen.pixels }]);
    added = { input: seen.pixels, key };
    const count = digits.counts()[label];
    say(`Added to My digits as ${aDigit(label)} (${count} × ${label}, ${digits.size} in all).`);
  }

  bus.addEventListener("prediction-shown", () => {
    if (waitingLabel === null) {
      if (!prediction.seenInput() || !added || !samePixels(added.input, prediction.seenInput().pixels)) say("");
      return;
    }
    if (prediction.seenInput()) collect(waitingLabel);
    else if (prediction.padEmpty()) {
      waitingLabel = null;
      say("No ink found on the pad: nothing was added.");
    }
  });

  buttons.replaceChildren(...LABELS.map((label) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = `It is ${aDigit(label)}`;
    b.addEventListener("click", () => collect(label));
    return b;
  }));
  pad.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || !/^[0-9]$/.test(event.key)) return;
    if (event.target.matches("input, select, textarea")) return; // typing there is not saying a label
    event.preventDefault();
    collect(Number(event.key));
  });
}

function samePixels(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
