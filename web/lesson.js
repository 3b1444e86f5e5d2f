// Lessons a teacher can set: "Share this lesson" copies a link holding the current settings plus the settings
// to lock and the sections to hide (chosen with the checkboxes next to it). Opening such a link fixes those
// fields, hides those sections and says which. The link's format and its checks are settings.js's (readUrl,
// settingsHash): a lesson is URL state like any setting, and an invalid locked value falls back to the
// default with the same notice as any other bad setting in a link.
import { FIELD_NAMES, HIDABLE_SECTIONS, setLesson, settingsHash } from "./settings.js";
import { readConfig, setLessonLocks } from "./settings_form.js";

const $ = (id) => document.getElementById(id);

/** Follow `lesson` ({lock, hide}, from readUrl): lock its fields, hide its sections, say so. */
export function applyLesson(registry, lesson) {
  setLesson(lesson);
  setLessonLocks(lesson.lock);
  for (const id of Object.keys(HIDABLE_SECTIONS)) {
    const section = $(id);
    if (section) section.hidden = lesson.hide.includes(id);
  }
  const notice = $("lesson-notice");
  const parts = [];
  if (lesson.lock.length) {
    const free = FIELD_NAMES.filter((n) => !lesson.lock.includes(n)).map((n) => registry[n].label);
    parts.push(`This lesson's link locked ${lesson.lock.map((n) => registry[n].label).join(", ")}` +
      (free.length ? `; you can change ${free.join(", ")}.` : "."));
  }
  if (lesson.hide.length) parts.push(`It hides ${lesson.hide.map((id) => HIDABLE_SECTIONS[id]).join(", ")}.`);
  notice.textContent = parts.join(" ");
  notice.hidden = parts.length === 0;
}

/** The lesson editor: a checkbox per setting (lock) and per section (hide), pre-ticked with `lesson`. */
export function createLessonEditor(registry, lesson) {
  const box = (name, text, checked) => {
    const label = document.createElement("label");
    label.className = "checkbox";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = name;
    input.checked = checked;
    label.append(input, ` ${text}`);
    return label;
  };
  $("lesson-locks").replaceChildren(...FIELD_NAMES.map((n) => box(n, `Lock ${registry[n].label}`, lesson.lock.includes(n))));
  $("lesson-hides").replaceChildren(...Object.entries(HIDABLE_SECTIONS)
    .map(([id, title]) => box(id, `Hide ${title}`, lesson.hide.includes(id))));
  const ticked = (id) => [...$(id).querySelectorAll("input:checked")].map((i) => i.value);

  $("btn-share-lesson").addEventListener("click", async () => {
    const { config, errors } = readConfig(registry);
    const message = $("lesson-message");
    if (Object.keys(errors).length > 0) {
      message.textContent = `Check the settings first: ${Object.entries(errors).map(([k, e]) => `${registry[k].label} ${e}`).join("; ")}`;
      return;
    }
    const url = new URL(window.location.href);
    url.search = ""; // test flags and the like are not part of a lesson
    url.hash = settingsHash(registry, config, { lock: ticked("lesson-locks"), hide: ticked("lesson-hides") });
    const link = $("lesson-link");
    link.value = url.href;
    link.hidden = false;
    try {
      await navigator.clipboard.writeText(url.href);
      message.textContent = "Link copied. Whoever opens it gets these settings, with the ticked ones locked.";
    } catch {
      link.select();
      message.textContent = "The browser did not let the page copy: copy the link from the box.";
    }
  });
}
