// "Reproduce this run in Python": the `nn-impl train` command and the Python code that repeat the run the form
// describes (settings, seed, training subset) on CPython, each with a copy button. Python writes both
// (nn_impl.reproduce, the "reproduce" request), from the same settings table and flag names as the command line,
// so what is shown always parses; this module only asks again whenever the settings change.
import { withoutErrorClass } from "./protocol.js";
import { readConfig } from "./settings_form.js";
import { runSettings } from "./settings.js";

/**
 * @param client the WorkerClient
 * @param bus the page's event bus ("ready", "state")
 * @param {() => object|null} registry the settings registry once the table has arrived
 */
export function createReproduce({ client, bus, registry }) {
  const $ = (id) => document.getElementById(id);
  const command = $("reproduce-command");
  const python = $("reproduce-python");
  const notes = $("reproduce-notes");
  const message = $("reproduce-message");
  let asked = 0; // the latest request; older replies are dropped
  let timer = null;

  async function refresh() {
    if (!registry()) return;
    const { config, errors } = readConfig(registry(), { quietly: true });
    const bad = Object.keys(errors);
    if (bad.length) {
      notes.textContent = `Fix the settings above (${bad.join(", ")}) to see the command for them.`;
      return;
    }
    const mine = ++asked;
    try {
      const reply = await client.request("reproduce", { config: runSettings(config) });
      if (mine !== asked) return;
      command.textContent = reply.command;
      python.textContent = reply.python;
      notes.textContent = reply.notes.join(" ");
      $("copy-command").disabled = $("copy-python").disabled = false;
    } catch (err) {
      if (mine === asked) notes.textContent = withoutErrorClass(err.message);
    }
  }

  // Typing fires many events: ask once the settings have been still for a moment.
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      message.textContent = `${what} copied.`;
    } catch {
      message.textContent = `Could not copy here: select the ${what.toLowerCase()} and copy it by hand.`;
    }
  }

  $("settings").addEventListener("input", soon);
  $("settings").addEventListener("change", soon);
  for (const button of document.querySelectorAll("[data-preset]")) button.addEventListener("click", soon);
  bus.addEventListener("ready", soon);
  bus.addEventListener("state", soon);
  $("copy-command").addEventListener("click", () => copy(command.textContent, "Command"));
  $("copy-python").addEventListener("click", () => copy(python.textContent, "Python code"));
}
