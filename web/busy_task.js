// "Python is busy": when a request has waited for its answer longer than BUSY_AFTER_MS, say what Python is doing
// and offer Cancel, which restarts the worker and restores the network that answered (worker_recovery.js).
// A training slice lasts ~0.12 s and a drawing's prediction a few ms, so only a long task shows here: an
// import or an inspection of a wide network, an evaluation at the end of an epoch.

const BUSY_AFTER_MS = 1000;
const POLL_MS = 250;
const MESSAGE_MS = 15_000;

// request type -> what Python is doing, for the visitor
const DOING = {
  train: "training", configure: "building the network", predict: "classifying the picture",
  export: "exporting the model", import: "importing a model", inspect: "inspecting the model",
  restore: "restoring the network", use_pretrained: "going back to the pre-trained model",
  check_settings: "checking the settings", stop: "stopping the run",
  checkpoint: "keeping the run on this device", resume: "continuing the interrupted run",
  read_digits: "reading the digits file", write_digits: "writing the digits file", set_my_digits: "taking your digits",
  teach: "scoring the network before teaching", teaching_result: "scoring the taught network",
  undo_teaching: "undoing the teaching",
};

/**
 * @param client the WorkerClient
 * @param elements {box, text, cancelButton, message (where a cancel's outcome is said, for MESSAGE_MS)}
 * @param {(reason: string) => Promise<string|null>} cancel restarts the worker and restores the network
 */
export function createBusyTask({ client, elements, cancel }) {
  const { box, text, cancelButton, message } = elements;
  let cancelling = false;
  let clearTimer = null;
  function say(line) {
    message.textContent = line;
    clearTimeout(clearTimer);
    clearTimer = setTimeout(() => { message.textContent = ""; }, MESSAGE_MS);
  }

  function busyTask() {
    const oldest = client.dead ? null : client.oldestPending();
    if (!oldest || !(oldest.type in DOING)) return null;
    const ms = performance.now() - oldest.since;
    return ms >= BUSY_AFTER_MS ? { doing: DOING[oldest.type], seconds: ms / 1000 } : null;
  }

  function refresh() {
    const task = cancelling ? null : busyTask();
    box.hidden = task === null;
    if (task) text.textContent = `Python is busy ${task.doing} (${task.seconds.toFixed(0)} s so far).`;
  }
  setInterval(refresh, POLL_MS);

  cancelButton.addEventListener("click", async () => {
    const task = busyTask();
    if (cancelling || !task) return;
    cancelling = true;
    refresh();
    say(`Cancelled ${task.doing}: Python restarts with the network that answered before…`);
    try {
      const name = await cancel(`cancelled ${task.doing}`);
      if (name) say(`Cancelled ${task.doing}. Python restarted; the ${name} model answers again.`);
    } finally {
      cancelling = false;
    }
  });

  return { busyTask };
}
