// My digits: the learner's own labelled digits, each the 28×28 image the network saw (after preprocessing,
// white ink on black, uint8) with the label the learner gave it. They are kept in IndexedDB (saved_state.js), one
// item per digit under a key of its own: two tabs adding digits keep both tabs' digits, and a digit removed or
// relabelled in one tab is written only under its own key (last writer wins for that digit alone).
//
// This module holds the set and draws the "My digits" region (a gallery grouped by label, each digit removable
// and relabelable, "Clear my digits" with a confirmation). Collecting (prediction.js's answer + "It is a 3"),
// teaching and the files in and out are elsewhere (collect.js, teaching.js, digit_files.js).
import { deleteItem, deleteItems, loadItems, saveItem, saveItems } from "./saved_state.js";
import { greyImageURL } from "./pixels.js";

const KEY_PREFIX = "my-digit:";
export const LABELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
export const PIXELS = 28 * 28;
// The gallery shows this many digits of a label (an imported set may hold tens of thousands); the rest are
// counted, and taught and exported all the same.
const SHOWN_PER_LABEL = 60;

let lastId = 0;
/** A key no other digit has, in this tab or another: the time it was made, then a random part. */
function newKey() {
  lastId = Math.max(lastId + 1, Date.now());
  return `${KEY_PREFIX}${lastId.toString(36).padStart(9, "0")}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The name a digit goes by on the page: "Digit 3, number 2" (its place among the 3s, in the order added). */
export const digitName = (label, place) => `Digit ${label}, number ${place}`;

export class MyDigits {
  /**
   * @param {(problem: string) => void} onStorageProblem told when the browser refuses to keep the digits
   */
  constructor(onStorageProblem) {
    this.items = new Map(); // key -> {label: 0..9, pixels: Uint8Array(784)}, in the order added (keys sort so)
    this.listeners = new Set();
    this.onStorageProblem = onStorageProblem;
  }

  /** Call `listener()` after every change of the set. */
  onChange(listener) {
    this.listeners.add(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  get size() {
    return this.items.size;
  }

  /** The digits grouped by label: [{label, entries: [{key, pixels}]}] for the labels that have any. */
  groups() {
    const byLabel = new Map(LABELS.map((label) => [label, []]));
    for (const [key, { label, pixels }] of [...this.items].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byLabel.get(label).push({ key, pixels });
    }
    return [...byLabel].filter(([, entries]) => entries.length > 0).map(([label, entries]) => ({ label, entries }));
  }

  /** Count of each label 0..9 (an array of 10). */
  counts() {
    const counts = LABELS.map(() => 0);
    for (const { label } of this.items.values()) counts[label]++;
    return counts;
  }

  /** All digits as arrays for Python: {x: Uint8Array (n*784, row-major n×28×28), y: Uint8Array (n,)}. */
  arrays() {
    const entries = this.groups().flatMap(({ label, entries: e }) => e.map(({ pixels }) => ({ label, pixels })));
    const x = new Uint8Array(entries.length * PIXELS);
    const y = new Uint8Array(entries.length);
    entries.forEach(({ label, pixels }, i) => {
      x.set(pixels, i * PIXELS);
      y[i] = label;
    });
    return { x, y };
  }

  /** Add digits [{label, pixels: 784 values 0..255}]; returns their keys. Kept in the browser too. */
  add(digits) {
    const entries = digits.map(({ label, pixels }) => {
      const item = { label: checkedLabel(label), pixels: Uint8Array.from(pixels) };
      if (item.pixels.length !== PIXELS) throw new Error(`a digit has ${PIXELS} pixels, not ${item.pixels.length}`);
      return [newKey(), item];
    });
    for (const [key, item] of entries) this.items.set(key, item);
    this.keep(saveItems(entries));
    this.changed();
    return entries.map(([key]) => key);
  }

  relabel(key, label) {
    const item = this.items.get(key);
    if (!item) return;
    item.label = checkedLabel(label);
    this.keep(saveItem(key, item));
    this.changed();
  }

  remove(key) {
    if (!this.items.delete(key)) return;
    this.keep(deleteItem(key));
    this.changed();
  }

  clear() {
    this.keep(deleteItems([...this.items.keys()]));
    this.items.clear();
    this.changed();
  }

  /** Read the digits kept in the browser (at start, and when the tab comes back: another tab may have changed
   * them). The browser's copy is the whole truth; without storage the digits of this visit stay. */
  async restore() {
    try {
      const items = await loadItems(KEY_PREFIX);
      this.items = new Map(items
        .filter(({ value }) => value && LABELS.includes(value.label) && value.pixels && value.pixels.length === PIXELS)
        .map(({ key, value }) => [key, { label: value.label, pixels: Uint8Array.from(value.pixels) }]));
      this.changed();
    } catch (err) {
      this.onStorageProblem(err.message);
    }
  }

  keep(saving) {
    saving.catch((err) => this.onStorageProblem(err.message));
  }
}

function checkedLabel(label) {
  const n = Number(label);
  if (!LABELS.includes(n)) throw new Error(`a label is a digit 0-9, not ${label}`);
  return n;
}

/**
 * The "My digits" gallery: a group per label with its count, each digit's image, its label (a select) and its
 * Remove button, named "Digit 3, number 2: label" and "Digit 3, number 2: remove"; then "Clear my digits", which
 * asks first. Keyboard focus stays near a removed or relabelled digit.
 */
export function createGallery({ digits, elements }) {
  const { gallery, summary, clearButton, confirmBox, confirmText, confirmYes, confirmNo, heading } = elements;
  const images = new Map(); // key -> data: URL of its image (made once: the image never changes)

  function imageOf(key, pixels) {
    if (!images.has(key)) images.set(key, greyImageURL(pixels));
    return images.get(key);
  }

  function render() {
    const groups = digits.groups();
    const counts = digits.counts();
    summary.textContent = digits.size === 0
      ? "None yet. Draw a digit above, then press “It is a …” with its true value."
      : `${digits.size} digit${digits.size === 1 ? "" : "s"}: ` +
        LABELS.filter((l) => counts[l] > 0).map((l) => `${counts[l]} × ${l}`).join(", ") + ".";
    gallery.replaceChildren(...groups.map(({ label, entries }) => groupElement(label, entries)));
    clearButton.disabled = digits.size === 0;
    if (digits.size === 0) confirmBox.hidden = true;
    for (const key of images.keys()) if (!digits.items.has(key)) images.delete(key);
  }

  function groupElement(label, entries) {
    const group = document.createElement("div");
    group.className = "digit-group";
    group.setAttribute("role", "group");
    const title = document.createElement("h3");
    title.id = `my-digits-${label}`;
    title.textContent = `${label} (${entries.length})`;
    title.setAttribute("aria-label", `Label ${label}: ${entries.length} digit${entries.length === 1 ? "" : "s"}`);
    group.setAttribute("aria-labelledby", title.id);
    const list = document.createElement("ul");
    list.className = "my-digit-list";
    const shown = entries.slice(0, SHOWN_PER_LABEL);
    list.append(...shown.map(({ key, pixels }, i) => digitElement(key, pixels, label, i + 1)));
    group.append(title, list);
    if (entries.length > shown.length) {
      const more = document.createElement("p");
      more.className = "caption";
      more.textContent = `… and ${(entries.length - shown.length).toLocaleString("en-US")} more, not shown ` +
        "(taught and exported all the same).";
      group.append(more);
    }
    return group;
  }

  function digitElement(key, pixels, label, place) {
    const name = digitName(label, place);
    const item = document.createElement("li");
    item.className = "my-digit";
    const image = document.createElement("img");
    image.src = imageOf(key, pixels);
    image.width = 28;
    image.height = 28;
    image.alt = name;
    const select = document.createElement("select");
    select.setAttribute("aria-label", `${name}: label`);
    select.append(...LABELS.map((l) => new Option(String(l), String(l), false, l === label)));
    select.addEventListener("change", () => {
      digits.relabel(key, select.value);
      focusDigit(key, "label");
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `${name}: remove`);
    remove.dataset.key = key;
    remove.addEventListener("click", () => {
      // focus goes to the next digit's Remove (or the previous one's, or the heading) once this one is gone
      const buttons = [...gallery.querySelectorAll("button[data-key]")];
      const at = buttons.indexOf(remove);
      const next = buttons[at + 1] || buttons[at - 1];
      digits.remove(key);
      focusDigit(next ? next.dataset.key : null, "remove");
    });
    select.dataset.key = key;
    item.append(image, select, remove);
    return item;
  }

  /** After a re-render, put the focus back on the digit's control (or on the region's heading). */
  function focusDigit(key, control) {
    const selector = control === "label" ? "select" : "button";
    const target = key ? gallery.querySelector(`${selector}[data-key="${CSS.escape(key)}"]`) : null;
    (target || heading).focus();
  }

  clearButton.addEventListener("click", () => {
    confirmText.textContent = `Remove all ${digits.size} of your digits from this browser? This cannot be undone` +
      " (export them first to keep a copy).";
    confirmBox.hidden = false;
    confirmNo.focus();
  });
  confirmNo.addEventListener("click", () => {
    confirmBox.hidden = true;
    clearButton.focus();
  });
  confirmYes.addEventListener("click", () => {
    confirmBox.hidden = true;
    digits.clear();
    heading.focus();
  });

  digits.onChange(render);
  render();
}
