// The site's one service worker. It keeps an offline copy of one build of the site and serves it whole, and it
// adds the headers that make the page cross-origin isolated (so Python can be interrupted through a shared buffer).
//
// One registration, one worker per build: the page registers "service_worker.js?build=<build_id>" (the id that
// build-info.json gives), so each published build is a new worker with its own cache "nn-impl-<build_id>".
//
// Never two builds in one tab: each tab (and each Web Worker it starts) is served, for as long as it lives, from
// the build its page was loaded from. The worker records, at every page load, which build that page got (the
// record survives the worker being stopped and restarted, in the cache "nn-impl-clients"), and deletes a build's
// cache only when no open tab uses it any more. That is why a new worker can take over at once (skipWaiting):
// tabs already open keep their build; the next load of any tab gets the new one.
//
// Messages to the pages: {type: "offline-copy", build, status: "progress", done, total} while the copy is made,
// {status: "saved"} once it is complete and in use, {status: "failed", message} when it could not be made, and the
// answers to the page's requests below ("saved" | "missing", "removed").

const BUILD = new URL(self.location.href).searchParams.get("build");
const CACHE_PREFIX = "nn-impl-";
const CLIENTS_CACHE = `${CACHE_PREFIX}clients`;
const CLIENTS_KEY = "clients.json";
const SCOPE = new URL(self.registration.scope);
const PARALLEL_DOWNLOADS = 4;

// Cross-origin isolation: every file comes from this origin, so "require-corp" costs nothing here.
const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const cacheName = (build) => `${CACHE_PREFIX}${build}`;

async function tellPages(message) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const page of pages) page.postMessage({ type: "offline-copy", build: BUILD, ...message });
}

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

/** Download every file build-info.json lists, check each one's sha256, and keep them in this build's cache. */
async function saveCopy() {
  const infoResponse = await fetch(new URL("build-info.json", SCOPE), { cache: "no-cache" });
  if (!infoResponse.ok) throw new Error(`build-info.json: HTTP ${infoResponse.status}`);
  const infoBytes = await infoResponse.arrayBuffer();
  const info = JSON.parse(new TextDecoder().decode(infoBytes));
  if (info.build_id !== BUILD) {
    throw new Error(`the server now holds build ${String(info.build_id).slice(0, 8)}, not ${BUILD.slice(0, 8)}`);
  }
  const cache = await caches.open(cacheName(BUILD));
  const paths = Object.keys(info.files).filter((path) => path !== "service_worker.js");
  let done = 0;
  const saveOne = async (path) => {
    const url = new URL(path, SCOPE);
    // "no-cache": revalidate, so a file the page has just downloaded comes from the HTTP cache (a 304), once
    const response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const body = await response.arrayBuffer();
    if (hex(await crypto.subtle.digest("SHA-256", body)) !== info.files[path].sha256) {
      throw new Error(`${path} on the server is not the file of this build`);
    }
    const type = response.headers.get("Content-Type") || "application/octet-stream";
    await cache.put(url, new Response(body, { headers: { "Content-Type": type } }));
    done += 1;
    tellPages({ status: "progress", done, total: paths.length });
  };
  const queue = [...paths];
  const downloader = async () => {
    while (queue.length > 0) await saveOne(queue.shift());
  };
  await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, downloader));
  await cache.put(new URL("build-info.json", SCOPE),
    new Response(infoBytes, { headers: { "Content-Type": "application/json" } }));
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    try {
      await saveCopy();
    } catch (err) {
      await caches.delete(cacheName(BUILD)); // never a partial copy
      const message = err && err.name === "QuotaExceededError"
        ? "the browser has no room left for it" : (err && err.message) || String(err);
      await tellPages({ status: "failed", message });
      throw err;
    }
    await self.skipWaiting();
  })());
});

// --- which build each open tab was loaded from ---------------------------------------------------------------

let clientBuilds = null; // Map client id -> build id, read once from the cache

async function readClientBuilds() {
  if (clientBuilds === null) {
    const stored = await (await caches.open(CLIENTS_CACHE)).match(CLIENTS_KEY);
    clientBuilds = new Map(stored ? Object.entries(await stored.json()) : []);
  }
  return clientBuilds;
}

/** Record that ``clientId`` is served from ``build``; forget tabs and workers that have closed. */
async function recordClientBuild(clientId, build) {
  const builds = await readClientBuilds();
  builds.set(clientId, build);
  const open = new Set((await self.clients.matchAll({ type: "all", includeUncontrolled: true })).map((c) => c.id));
  for (const id of builds.keys()) if (id !== clientId && !open.has(id)) builds.delete(id);
  await (await caches.open(CLIENTS_CACHE)).put(CLIENTS_KEY, new Response(JSON.stringify(Object.fromEntries(builds))));
}

/** Delete the copies of builds that no open tab was loaded from. */
async function deleteUnusedCopies() {
  const builds = await readClientBuilds();
  const open = await self.clients.matchAll({ type: "all", includeUncontrolled: true });
  const inUse = new Set([BUILD, ...open.map((c) => builds.get(c.id)).filter(Boolean)]);
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== CLIENTS_CACHE && !inUse.has(name.slice(CACHE_PREFIX.length))) {
      await caches.delete(name);
    }
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    await deleteUnusedCopies();
    await tellPages({ status: "saved" });
  })());
});

// --- serving -------------------------------------------------------------------------------------------------

function isolated(response) {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function serve(event) {
  const request = event.request;
  const navigation = request.mode === "navigate";
  let build = BUILD;
  if (navigation) {
    await recordClientBuild(event.resultingClientId, build);
  } else {
    build = (await readClientBuilds()).get(event.clientId) || BUILD;
    // a Web Worker's script: the worker is served from its page's build too
    if (event.resultingClientId) await recordClientBuild(event.resultingClientId, build);
  }
  const url = new URL(request.url);
  // the page itself, whatever its query and fragment (settings travel in them)
  const key = navigation && url.pathname === SCOPE.pathname ? new URL("index.html", SCOPE)
    : new URL(url.pathname, url.origin);
  const cached = await caches.match(key, { cacheName: cacheName(build) });
  return isolated(cached || (await fetch(request)));
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const inScope = url.origin === SCOPE.origin && url.pathname.startsWith(SCOPE.pathname);
  // "?latest" asks the server, not the copy: that is how the page learns that a newer build was published
  if (event.request.method !== "GET" || !inScope || url.searchParams.has("latest")) return;
  event.respondWith(serve(event));
});

async function removeEveryCopy() {
  for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
  clientBuilds = null;
}

// From the page: "offline-copy-status" (is this build's copy still there? the browser may evict it) and
// "remove-offline-copy" (the visitor asked to forget it; the page then unregisters this worker).
self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  const reply = (status) => event.source.postMessage({ type: "offline-copy", build: BUILD, status });
  if (type === "offline-copy-status") {
    event.waitUntil(caches.has(cacheName(BUILD)).then((saved) => reply(saved ? "saved" : "missing")));
  } else if (type === "remove-offline-copy") {
    event.waitUntil(removeEveryCopy().then(() => reply("removed")));
  }
});
