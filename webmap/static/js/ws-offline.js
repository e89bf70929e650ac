/* Offline use (离线): registers the service worker (/sw.js), says 离线 with the time the data
 * shown were fetched, says "离线，未缓存" when something cannot be served, and keeps the map
 * as it was rather than painting anything grey as 无数据 (WS.setPeriod asks canShow first).
 * Service workers need a secure context: HTTPS (watershed serve --tls) or localhost. */
(function () {
  "use strict";
  const WS = window.WS;
  const MISS = "离线，未缓存";
  const state = { asOf: null, fromCache: false, misses: 0, controlled: false };

  function badge() {
    return document.getElementById("ws-offline");
  }

  function timeText(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function offlineNow() {
    return !navigator.onLine || state.fromCache;
  }

  function render() {
    const el = badge();
    if (!el) return;
    if (!offlineNow()) {
      el.hidden = true;
      document.body.classList.remove("ws-is-offline");
      return;
    }
    const asOf = state.asOf ? `数据截至 ${timeText(state.asOf)}` : "数据截至 —";
    const misses = state.misses ? ` · ${state.misses} 项${MISS}` : "";
    const back = navigator.onLine ? " · 已恢复联网，刷新以更新" : "";
    el.textContent = `离线 · ${asOf}${misses}${back}`;
    el.dataset.asOf = state.asOf ? state.asOf.toISOString() : "";
    el.hidden = false;
    document.body.classList.add("ws-is-offline");
  }

  /* Every API answer passes here (WS.request): the oldest time among the data shown. */
  function noteResponse(resp) {
    const cachedAt = resp.headers.get("X-WS-Cached-At");
    const when = cachedAt ? new Date(cachedAt) : new Date();
    if (cachedAt) state.fromCache = true;
    if (!state.asOf || when < state.asOf) state.asOf = when;
    if (cachedAt) render();
  }

  function noteMiss() {
    state.misses++;
    render();
  }

  let missToast = 0;
  function onWorkerMessage(event) {
    const data = event.data || {};
    if (data.type === "offline-miss") {
      noteMiss();
      // tiles and other misses the page's code does not see: one message, not one per tile
      if (Date.now() - missToast > 8000) {
        missToast = Date.now();
        WS.toast(`${MISS}：部分数据或瓦片未保存到本设备，联网后可查看。`, "error");
      }
    } else if (data.type === "warmed") {
      document.body.dataset.offlineReady = "1";
    }
  }

  /* Same-origin data the page loaded before the worker controlled it (tiles included). */
  function loadedUrls() {
    const urls = new Set([location.pathname === "/" ? "/" : null]);
    for (const entry of performance.getEntriesByType("resource")) {
      const url = new URL(entry.name);
      if (url.origin === location.origin && /^\/(api|ogc)\//.test(url.pathname)) urls.add(url.pathname + url.search);
    }
    urls.delete(null);
    return [...urls];
  }

  async function register() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) {
      document.body.dataset.offlineReady = "unsupported";
      return;
    }
    navigator.serviceWorker.addEventListener("message", onWorkerMessage);
    state.controlled = Boolean(navigator.serviceWorker.controller);
    try {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    } catch (err) {
      document.body.dataset.offlineReady = "failed";
      console.warn("service worker", err);
      return;
    }
    const registration = await navigator.serviceWorker.ready;
    if (state.controlled) {
      document.body.dataset.offlineReady = "1";
      return;
    }
    // first visit: once the worker controls the page, have it keep what was already loaded
    const send = () => navigator.serviceWorker.controller.postMessage({ type: "warm", urls: loadedUrls() });
    if (navigator.serviceWorker.controller) send();
    else navigator.serviceWorker.addEventListener("controllerchange", send, { once: true });
    return registration;
  }

  /* Signing out: the cached layers and data leave the device with the session. */
  function forgetOnSignOut() {
    document.addEventListener(
      "submit",
      (ev) => {
        const form = ev.target;
        const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
        if (!form.matches || !form.matches('form[action$="/signout"]') || !controller || form.dataset.forgotten) return;
        ev.preventDefault();
        const done = () => {
          form.dataset.forgotten = "1";
          form.submit();
        };
        navigator.serviceWorker.addEventListener("message", (e) => e.data && e.data.type === "forgotten" && done());
        localStorage.removeItem("ws-areas"); // the offline areas' list (ws-areas.js)
        controller.postMessage({ type: "forget" });
        setTimeout(done, 3000); // never keep someone from signing out
      },
      true
    );
  }

  /* Whether ``urls`` can be answered now: online, or each one in the worker's caches. */
  async function available(urls) {
    if (navigator.onLine && !state.fromCache) return true;
    if (!("caches" in window)) return false;
    for (const url of urls) {
      const hit = await caches.match(new URL(url, location.origin).href, { ignoreVary: true });
      if (!hit) return false;
    }
    return true;
  }

  WS.offline = {
    MISS,
    isOffline: offlineNow,
    noteResponse,
    noteMiss,
    available,
    asOf: () => state.asOf,
    init() {
      window.addEventListener("online", render);
      window.addEventListener("offline", render);
      forgetOnSignOut();
      render();
    },
    /* After the first load: what was loaded is then known (warmed into the caches). */
    register,
  };
})();
