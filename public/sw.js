// BudTags service worker: the app shell, so a reload without the network (or
// with the server down) still opens the app. Only the page and its hashed
// assets are cached; /api, live streams and Pusher never pass through here:
// the app keeps its own data (IndexedDB) and its own outbox.
const CACHE = "budtags-shell-v1";
const SHELL = "/index.html";

// The hashed files an index.html names: scripts, styles, the wasm module, icons.
function assetsOf(html) {
  const found = html.matchAll(/["'](\/[^"'?#]+\.(?:js|wasm|css|svg))["']/g);
  return [...new Set([...found].map((m) => m[1]))];
}

function passesThrough(url) {
  return (
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/") ||
    url.pathname.startsWith("/ws") ||
    url.pathname.startsWith("/app/") ||
    url.pathname.startsWith("/apps/") ||
    url.pathname.startsWith("/broadcasting/") ||
    url.pathname === "/sw.js"
  );
}

// Keeps `response` as the shell and fetches what it names; drops the files of
// older deploys.
async function keepShell(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  const assets = assetsOf(html);
  await cache.put(SHELL, response);
  await Promise.all(
    assets.map(async (path) => {
      if (!(await cache.match(path))) await cache.add(path);
    }),
  );
  const keep = new Set([SHELL, ...assets]);
  for (const request of await cache.keys()) {
    if (!keep.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(SHELL, { cache: "no-store" })
      .then((response) => (response.ok ? keepShell(response) : undefined))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || passesThrough(url)) return;
  if (request.mode === "navigate") {
    // Network first, so a new deploy is picked up at the next load; the kept
    // shell when the network or the server is not there.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && (response.headers.get("content-type") || "").includes("text/html")) {
            event.waitUntil(keepShell(response.clone()));
          }
          return response;
        })
        .catch(() => caches.match(SHELL).then((hit) => hit || Response.error())),
    );
    return;
  }
  // Hashed files never change: the kept copy, else the network.
  event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
});
