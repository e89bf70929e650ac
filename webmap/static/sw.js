/* The map's service worker (served at /sw.js, scope "/"): the page opens with no network
 * after one visit, and the data it showed stay available.
 *
 * - Precached (Workbox precaching, revisions from the files' hashes, injected by the server
 *   in place of Workbox's manifest marker below): every script, style, image and icon the page loads.
 * - The page "/" and the data (sections and their assessments, series and catchments, the
 *   bottom-line list, reservoirs, the small layers' GeoJSON, vector tiles): network first, cache when the
 *   network fails. Each cached copy carries the time it was fetched (X-WS-Cached-At): the
 *   page shows "离线 · 数据截至 …" from it.
 * - A request that can be served neither way gets a 503 "离线，未缓存" (X-WS-Offline: miss)
 *   and the page is told (postMessage): never an empty answer read as 无数据.
 * Workbox comes from the app's own copy (scripts/vendor-assets.sh), never a CDN. */
/* global workbox */
importScripts(
  "/static/vendor/workbox/workbox-core.prod.js",
  "/static/vendor/workbox/workbox-routing.prod.js",
  "/static/vendor/workbox/workbox-strategies.prod.js",
  "/static/vendor/workbox/workbox-precaching.prod.js",
  "/static/vendor/workbox/workbox-expiration.prod.js"
);

const { core, routing, strategies, precaching, expiration } = workbox;
const PAGES = "ws-pages";
const DATA = "ws-data";
const TILES = "ws-tiles";
const MISS = "离线，未缓存 (offline, not cached)";
// Responses vary on Accept-Encoding (gzip); the cached body is already decoded.
const MATCH = { ignoreVary: true };

core.setCacheNameDetails({ prefix: "ws", precache: "precache", runtime: "runtime" });
self.skipWaiting();
core.clientsClaim();
precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });

/* A copy worth keeping: a 200 that is not a redirect (the sign-in page is not the map). */
async function stamped(response) {
  if (!response || response.status !== 200 || response.redirected) return null;
  const headers = new Headers(response.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  headers.set("X-WS-Cached-At", new Date().toISOString());
  return new Response(await response.blob(), { status: 200, statusText: response.statusText, headers });
}

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

function missResponse(request) {
  tellPages({ type: "offline-miss", url: request.url });
  if (request.mode === "navigate") {
    const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
      <title>离线，未缓存</title><body style="font-family:sans-serif;padding:2em"><h1>离线，未缓存</h1>
      <p>此页面未保存到本设备，联网后再打开。<a href="/">返回地图</a></p></body></html>`;
    return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "X-WS-Offline": "miss" } });
  }
  return new Response(JSON.stringify({ detail: MISS }), {
    status: 503,
    headers: { "Content-Type": "application/json; charset=utf-8", "X-WS-Offline": "miss" },
  });
}

const keepStamped = { cacheWillUpdate: ({ response }) => stamped(response) };
/* The network failed and the strategy's own cache has no copy: an offline area (离线区域,
 * caches "ws-area-…", filled by ws-areas.js) may hold it; else "离线，未缓存". */
const offlineMiss = {
  handlerDidError: async ({ request }) => (await caches.match(request, MATCH)) || missResponse(request),
};

const pageStrategy = new strategies.NetworkFirst({ cacheName: PAGES, matchOptions: MATCH, plugins: [keepStamped, offlineMiss] });
const dataStrategy = new strategies.NetworkFirst({
  cacheName: DATA,
  matchOptions: MATCH,
  plugins: [keepStamped, offlineMiss, new expiration.ExpirationPlugin({ maxEntries: 3000, purgeOnQuotaError: true })],
});
const tileStrategy = new strategies.NetworkFirst({
  cacheName: TILES,
  matchOptions: MATCH,
  plugins: [keepStamped, offlineMiss, new expiration.ExpirationPlugin({ maxEntries: 5000, purgeOnQuotaError: true })],
});

/* Which strategy serves a GET of this URL (same origin only); null: not cached. */
function strategyFor(url, request) {
  if (url.origin !== self.location.origin) return null;
  const path = url.pathname;
  if (request && request.mode === "navigate") return path === "/" ? pageStrategy : null;
  if (/^\/ogc\/collections\/[^/]+\/tiles\//.test(path)) return tileStrategy;
  // the platform's own basemaps (relief, land cover): kept like the vector tiles
  if (/^\/api\/rasters\/[^/]+\/tiles\//.test(path)) return tileStrategy;
  if (/^\/ogc\/collections\/[^/]+\/items$/.test(path)) return dataStrategy;
  // the small layers' GeoJSON (/api/layers/{key}.geojson), not the exports for desks; the
  // sections' catchments (their 汇水区溯源 answers are under /api/sections, outlines here)
  if (/^\/api\/(sections|reservoirs|layers|catchments)(\/|\.|$)/.test(path) && !path.endsWith("/export")) return dataStrategy;
  if (path === "/api/checks") return dataStrategy;
  // Not /api/records: inspection records wait in ws-records.js's IndexedDB queue until the
  // server has answered them; no copy here may stand in for the server (writes are never routed).
  return null;
}

routing.registerRoute(({ url, request }) => request.method === "GET" && strategyFor(url, request) !== null, (options) =>
  strategyFor(options.url, options.request).handle(options)
);
/* Any other page opened offline: say so rather than the browser's error page. */
routing.registerRoute(
  ({ request }) => request.mode === "navigate",
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch (err) {
      return missResponse(request);
    }
  }
);

/* The page as it was at installation, for an offline start even if never navigated since. */
self.addEventListener("install", (event) => {
  event.waitUntil(warm(["/"]));
});

/* The data the page fetched before this worker controlled it (first visit): fetched again
 * into the caches, so the first visit is enough to open offline. */
async function warm(urls) {
  let cached = 0;
  for (const href of urls) {
    const url = new URL(href, self.location.origin);
    const isPage = url.pathname === "/" && !url.search;
    const strategy = isPage ? pageStrategy : strategyFor(url, null);
    if (!strategy) continue;
    const name = isPage ? PAGES : strategy.cacheName;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      const copy = await stamped(response);
      if (copy) {
        await (await caches.open(name)).put(url.href, copy);
        cached++;
      }
    } catch (err) {
      // offline already: what is cached stays
    }
  }
  return cached;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm") {
    event.waitUntil(
      warm(data.urls || []).then((cached) => event.source && event.source.postMessage({ type: "warmed", cached }))
    );
  } else if (data.type === "forget") {
    // signing out: nothing of the protected layers stays on the device (offline areas too)
    event.waitUntil(
      caches
        .keys()
        .then((names) => names.filter((n) => [PAGES, DATA, TILES].includes(n) || n.startsWith("ws-area-")))
        .then((names) => Promise.all(names.map((n) => caches.delete(n))))
        .then(() => event.source && event.source.postMessage({ type: "forgotten" }))
    );
  }
});
