// What the page keeps across reloads, in the browser's IndexedDB (on this computer only; nothing is sent).
//
// One object store of items, each under its own key ("run:3", ...): saving one item never rewrites another,
// and when two tabs save the same key the last writer wins. Every function returns a promise; when the
// browser refuses storage (private windows, storage turned off, quota) it rejects with a StorageRefused whose
// message says so in words a person can act on, and the page goes on without saving.

const DATABASE = "nn_impl";
const VERSION = 1;
const ITEMS = "items";

export class StorageRefused extends Error {}

let opening = null; // the one open connection, shared

function refused(err) {
  const why = (err && (err.message || err.name)) || "unknown reason";
  return new StorageRefused(`This browser refused to store data for this page (${why}); ` +
    "what you do here is kept only until the tab is closed or reloaded.");
}

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      let request;
      try {
        if (typeof indexedDB === "undefined") throw new Error("IndexedDB is not available");
        request = indexedDB.open(DATABASE, VERSION);
      } catch (err) {
        reject(refused(err));
        return;
      }
      request.onupgradeneeded = () => request.result.createObjectStore(ITEMS);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(refused(request.error));
      request.onblocked = () => reject(refused(new Error("another tab holds an older version of the database open")));
    });
    opening.catch(() => { opening = null; }); // a later call may try again
  }
  return opening;
}

/** Run `work(store)` in one transaction; resolves with the value `work` sets through `done`, when committed. */
async function transaction(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    let value;
    let tx;
    try {
      tx = db.transaction(ITEMS, mode);
      work(tx.objectStore(ITEMS), (v) => { value = v; });
    } catch (err) {
      reject(refused(err));
      return;
    }
    tx.oncomplete = () => resolve(value);
    tx.onerror = () => reject(refused(tx.error));
    tx.onabort = () => reject(refused(tx.error));
  });
}

/** Store `value` (anything the structured clone takes: plain objects, arrays, typed arrays) under `key`. */
export function saveItem(key, value) {
  return transaction("readwrite", (store) => store.put(value, key));
}

/** The item under `key`, or undefined if there is none. */
export function loadItem(key) {
  return transaction("readonly", (store, done) => {
    const request = store.get(key);
    request.onsuccess = () => done(request.result);
  });
}

/** Store many items at once, [[key, value], ...], in one transaction (all or none). */
export function saveItems(entries) {
  return transaction("readwrite", (store) => { for (const [key, value] of entries) store.put(value, key); });
}

/** Remove the items under `keys`, in one transaction. */
export function deleteItems(keys) {
  return transaction("readwrite", (store) => { for (const key of keys) store.delete(key); });
}

/** Remove the item under `key` (nothing happens if there is none). */
export function deleteItem(key) {
  return transaction("readwrite", (store) => store.delete(key));
}

/** Every item whose key starts with `prefix`, as [{key, value}] in key order. */
export function loadItems(prefix) {
  // every key that starts with prefix sorts between prefix and prefix + the highest code unit
  const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  return transaction("readonly", (store, done) => {
    const items = [];
    const request = store.openCursor(range);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) {
        done(items);
        return;
      }
      items.push({ key: cursor.key, value: cursor.value });
      cursor.continue();
    };
  });
}
