// Lessons a teacher can set: "Share this lesson" copies a link holding the current settings plus the settings
// to lock, the sections to hide (chosen with the checkboxes next to it) and the stage of "One training step"
// to open. Opening such a link fixes those fields, hides those sections, opens that stage and says which. The link's format and its checks are settings.js's (readUrl,
// settingsHash): a lesson is URL state like any setting, and an invalid locked value falls back to the
// default with the same notice as any other bad setting in a link.
import { FIELD_NAMES, HIDABLE_SECTIONS, setLesson, settingsHash } from "./settings.js";
import { STAGES } from "./step_stages.js";
import { readConfig, setLessonLocks } from "./settings_form.js";

const $ = (id) => document.getElementById(id);

/**
 * Follow `lesson` ({lock, hide, stage}, from readUrl): lock its fields, hide its sections, say so. Opening the
 * stage is the caller's (it needs the learning view, once the page is ready).
 */
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
  if (lesson.stage !== null) {
    parts.push(`It opens "One training step, taken apart" at stage ${lesson.stage} of ${STAGES.length}.`);
  }
  notice.textContent = parts.join(" ");
  notice.hidden = parts.length === 0;
}

/**
 * The lesson editor: a checkbox per setting (lock) and per section (hide), pre-ticked with `lesson`, and a choice
 * of the training step's stage to open (none, or 1 to STAGES.length).
 */
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
  const stageChoice = $("lesson-stage");
  stageChoice.replaceChildren(new Option("No, leave it at the first stage", ""),
    ...STAGES.map((_, k) => new Option(`Stage ${k + 1} of ${STAGES.length}`, String(k + 1))));
  stageChoice.value = lesson.stage === null ? "" : String(lesson.stage);

  $("btn-share-lesson").addEventListener("click", async () => {
    const { config, errors } = readConfig(registry);
    const message = $("lesson-message");
    if (Object.keys(errors).length > 0) {
      message.textContent = `Check the settings first: ${Object.entries(errors).map(([k, e]) => `${registry[k].label} ${e}`).join("; ")}`;
      return;
    }
    const url = new URL(window.location.href);
    url.search = ""; // test flags and the like are not part of a lesson
    const hide = ticked("lesson-hides");
    // the stages are in "Learn how it works": a lesson that hides it opens none
    const stage = stageChoice.value === "" || hide.includes("learn") ? null : Number(stageChoice.value);
    url.hash = settingsHash(registry, config, { lock: ticked("lesson-locks"), hide, stage });
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
