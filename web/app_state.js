// Which phase the page is in, kept on <body data-state> (CSS and the tests read it there). setAppState tells
// every module through the bus's "state" event.

export const APP_STATES = ["loading", "ready", "training", "paused", "error"];

export const appState = () => document.body.dataset.state;

/** The worker is loaded and alive: requests may be sent. */
export const workerUsable = () => ["ready", "training", "paused"].includes(appState());

/** Set <body data-state> and tell everyone on the bus ("state" event, detail = the new state). */
export function setAppState(bus, state) {
  if (!APP_STATES.includes(state)) throw new Error(`unknown app state ${state}`);
  if (appState() === state) return;
  document.body.dataset.state = state;
  bus.dispatchEvent(new CustomEvent("state", { detail: state }));
}
