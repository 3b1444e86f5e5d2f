// The page's side of the offline copy that service_worker.js keeps: where this visit was loaded from, the copy
// saved once the page is ready (so a first visit loads no slower), a newer published build announced with a
// button to reload into it, and the visitor's choice to remove the copy (remembered in localStorage).
//
// createOfflineCopy({status, buildInfo}) -> {loadedFrom, start()}
//   status     the element that says, in words, how the copy is doing (a polite live region)
//   buildInfo  a promise of this page's build-info.json (its build_id names the build)
//   loadedFrom "offline copy" when this visit was served by the service worker, else "network"
//   start()    saves the copy of this build (unless the visitor removed it), then looks for a newer build

const WORKER_SCRIPT = "./service_worker.js";
const OPT_OUT_KEY = "nn-impl-no-offline-copy";
const shortId = (build) => String(build).slice(0, 8);
const buildOf = (scriptURL) => new URL(scriptURL).searchParams.get("build");

/** localStorage that may be refused (private windows, blocked storage): then nothing is remembered. */
const remembered = {
  get: (key) => { try { return window.localStorage.getItem(key); } catch { return null; } },
  set: (key, value) => {
    try { if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value); }
    catch { /* not remembered: the page still works */ }
  },
};

export function createOfflineCopy({ status, buildInfo }) {
  const serviceWorker = "serviceWorker" in navigator && window.isSecureContext ? navigator.serviceWorker : null;
  const loadedFrom = serviceWorker && serviceWorker.controller ? "offline copy" : "network";
  const text = status.querySelector(".offline-text");
  let build = null;

  // `quiet`: the saving progress (many lines a second) is shown but not announced; the outcome is
  const say = (words, quiet = false) => {
    status.hidden = false;
    status.setAttribute("aria-live", quiet ? "off" : "polite");
    text.textContent = words;
  };

  function addButton(label, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.hidden = true;
    button.addEventListener("click", () => onClick().catch((err) => say(`That did not work: ${err.message}`)));
    status.append(" ", button);
    return button;
  }
  const reloadButton = addButton("Reload to use the new version", async () => window.location.reload());
  const removeButton = addButton("Remove the offline copy", remove);
  const saveButton = addButton("Save an offline copy", async () => {
    remembered.set(OPT_OUT_KEY, null);
    saveButton.hidden = true;
    await save();
  });

  const register = (forBuild) => serviceWorker.register(`${WORKER_SCRIPT}?build=${encodeURIComponent(forBuild)}`);

  /** Wait for the service worker's word on ``forBuild``'s copy: "saved", "failed", "missing" or "removed". */
  function awaitCopy(forBuild) {
    return new Promise((resolve) => {
      const onMessage = (event) => {
        const m = event.data;
        if (!m || m.type !== "offline-copy" || m.build !== forBuild) return;
        if (m.status === "progress") {
          const line = `Saving a copy of this page for offline use: ${m.done} of ${m.total} files.`;
          if (forBuild === build) say(line, true);
          return;
        }
        serviceWorker.removeEventListener("message", onMessage);
        resolve(m);
      };
      serviceWorker.addEventListener("message", onMessage);
    });
  }

  function showSaved() {
    removeButton.hidden = false;
    say(loadedFrom === "offline copy"
      ? `Loaded from the copy saved on this device (build ${shortId(build)}): this page works offline.`
      : `Saved on this device (build ${shortId(build)}): this page now works offline too.`);
  }

  const cannotSave = (reason) =>
    say(`Could not save a copy of this page for offline use (${reason}). It works while you are online.`);

  /** Save this build's copy (or check that the one saved earlier is still there), then look for a newer build. */
  async function save() {
    const existing = await serviceWorker.getRegistration();
    const activeBuild = existing && existing.active && buildOf(existing.active.scriptURL);
    if (loadedFrom === "offline copy" && activeBuild && activeBuild !== build) {
      offerReload(activeBuild); // another tab has already saved a newer build; this one keeps its own
      return;
    }
    let answer = awaitCopy(build);
    if (activeBuild === build) {
      existing.active.postMessage({ type: "offline-copy-status" });
      if ((await answer).status === "missing") {
        say("The browser had removed the saved copy of this page; saving it again.");
        answer = awaitCopy(build);
        await existing.unregister();
        await register(build);
      }
    } else {
      await register(build);
    }
    const result = await answer;
    if (result.status === "failed") {
      cannotSave(result.message);
      return;
    }
    showSaved();
    await lookForNewerBuild();
  }

  async function lookForNewerBuild() {
    if (!navigator.onLine) return;
    let latest;
    try {
      const response = await fetch(`./build-info.json?latest=${Date.now()}`, { cache: "no-store" });
      if (!response.ok) return;
      latest = (await response.json()).build_id;
    } catch {
      return; // offline, or the server is away: the copy keeps serving
    }
    if (!latest || latest === build) return;
    const answer = awaitCopy(latest);
    await register(latest);
    const result = await answer;
    if (result.status === "saved") offerReload(latest);
    else say(`A new version of this page exists but could not be saved (${result.message}). Reload to use it online.`);
  }

  function offerReload(newBuild) {
    reloadButton.hidden = false;
    say(`A new version of this page (build ${shortId(newBuild)}) has been published and saved for offline use. `
      + `This tab keeps running build ${shortId(build)} until you reload it.`);
  }

  /** Forget every saved build and the service worker; remember not to save one again on later visits. */
  async function remove() {
    remembered.set(OPT_OUT_KEY, "1");
    const registration = await serviceWorker.getRegistration();
    if (registration && registration.active) {
      const answer = awaitCopy(buildOf(registration.active.scriptURL));
      registration.active.postMessage({ type: "remove-offline-copy" });
      await answer;
    }
    if (registration) await registration.unregister();
    removeButton.hidden = true;
    reloadButton.hidden = true;
    saveButton.hidden = false;
    say("The copy of this page saved on this device was removed; later visits load it from the network.");
  }

  async function start() {
    const info = await buildInfo;
    build = info && info.build_id;
    if (!build) return; // a site assembled without build ids (never by build.py)
    if (!serviceWorker) {
      say("This browser cannot keep a copy of the page: it works while you are online.");
      return;
    }
    if (remembered.get(OPT_OUT_KEY)) {
      saveButton.hidden = false;
      say("No copy of this page is kept on this device (you removed it).");
      return;
    }
    try {
      await save();
    } catch (err) {
      cannotSave(err.message);
    }
  }

  return { loadedFrom, start };
}
