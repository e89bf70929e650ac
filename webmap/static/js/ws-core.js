/* The map application's core: configuration, API calls, formatting, start-up.
 * Every other ws-*.js file adds to the WS namespace defined here. Data come from the API
 * with the page's own cookie; nothing is fetched from any other host. */
(function () {
  "use strict";
  const WS = (window.WS = window.WS || {});

  WS.state = { period: null, ready: false, readyAt: null };
  /* Popups keep clear of the map's controls when they pan into view. */
  WS.POPUP = { maxWidth: 360, autoPanPaddingTopLeft: [60, 12], autoPanPaddingBottomRight: [60, 12] };

  let config = null;
  WS.config = function () {
    if (!config) config = JSON.parse(document.getElementById("ws-config").textContent);
    return config;
  };
  WS.layerConfig = function (key) {
    return WS.config().layers.find((l) => l.key === key);
  };
  /* Whether the signed-in user's role is at least ``role`` (the server's api.auth.Principal.allows;
     ranks in the order of layers.models.system.ROLES). The server checks again on every write. */
  const ROLE_RANK = { viewer: 0, analyst: 1, editor: 2, admin: 3 };
  WS.allows = (role) => (ROLE_RANK[WS.config().user.role] ?? -1) >= ROLE_RANK[role];

  /* ---- text ---- */
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  WS.esc = (value) => String(value == null ? "" : value).replace(/[&<>"']/g, (c) => ESCAPES[c]);

  WS.num = function (value, digits) {
    if (value == null || value === "" || isNaN(value)) return "—";
    const d = digits == null ? 2 : digits;
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: d, maximumFractionDigits: d });
  };
  WS.mu = (m2) => (m2 == null ? null : m2 / WS.config().m2PerMu);
  WS.areaText = (m2) => (m2 == null ? "—" : `${WS.num(WS.mu(m2), 2)} 亩（${WS.num(m2, 0)} m²）`);
  WS.percent = (share) => (share == null ? "—" : `${WS.num(100 * share, 2)}%`);
  WS.gradeLabel = (g) => (g == null ? "无数据" : WS.config().grades[g].label + "类");
  WS.gradeColour = (g) => (g == null ? "#9e9e9e" : WS.config().grades[g].colour);
  WS.statusLabel = (s) => WS.config().statuses[s] || s;

  /* ---- API ---- */
  class ApiError extends Error {
    constructor(status, message, hint) {
      super(message);
      this.status = status;
      this.hint = hint;
    }
  }
  WS.ApiError = ApiError;

  function detailText(body, fallback) {
    const d = body && body.detail;
    if (typeof d === "string") return d;
    if (Array.isArray(d) && d.length) return d.map((e) => e.msg || JSON.stringify(e)).join("；");
    return fallback;
  }

  /* fetch with the page's cookie; 401 sends the user to the sign-in page. */
  WS.request = async function (url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, (options && options.headers) || {});
    let resp;
    try {
      resp = await fetch(url, opts);
    } catch (err) {
      if (!navigator.onLine) throw offlineError();
      throw new ApiError(0, "无法连接服务器，请检查网络。");
    }
    if (resp.status === 503 && resp.headers.get("X-WS-Offline")) {
      WS.offline.noteMiss(); // the service worker had no copy (ws-offline.js, sw.js)
      throw offlineError();
    }
    WS.offline.noteResponse(resp);
    if (resp.status === 401) {
      WS.signIn();
      throw new ApiError(401, "登录已失效，请重新登录。");
    }
    if (!resp.ok) {
      const body = await resp.json().catch(() => null);
      throw new ApiError(resp.status, detailText(body, `请求失败（HTTP ${resp.status}）`), body && body.hint);
    }
    return resp;
  };
  function offlineError() {
    const err = new ApiError(503, "离线，未缓存：本设备没有保存这项数据，联网后再试。");
    err.offline = true;
    return err;
  }

  WS.api = async (url, options) => (await WS.request(url, options)).json();
  WS.url = function (path, params) {
    const query = Object.entries(params || {})
      .filter(([, v]) => v != null && v !== "")
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join("&");
    return query ? `${path}?${query}` : path;
  };

  WS.signIn = function () {
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign(`${WS.config().endpoints.signin}?next=${next}`);
  };

  /* Run ``task(item)`` over ``items`` with at most ``limit`` at a time. */
  WS.pool = async function (items, limit, task) {
    const results = new Array(items.length);
    let next = 0;
    async function worker() {
      while (next < items.length) {
        const i = next++;
        try {
          results[i] = await task(items[i]);
        } catch (err) {
          results[i] = err;
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
  };

  /* ---- messages ---- */
  let toastTimer = null;
  WS.toast = function (message, kind) {
    const el = document.getElementById("ws-toast");
    el.textContent = message;
    el.className = `ws-toast ws-toast-${kind || "info"}`;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), 6000);
  };
  WS.errorText = (err) => (err && err.message ? err.message + (err.hint ? `（${err.hint}）` : "") : String(err));

  /* ---- periods: "2025" (a year) or "2025-06" (a month) ---- */
  WS.periodLabel = function (period) {
    if (!period) return "—";
    const [y, m] = period.split("-");
    return m ? `${y}年${Number(m)}月` : `${y}年`;
  };
  /* The twelve months ending with the period: [from, to] as ISO dates. */
  WS.chartWindow = function (period) {
    const [y, m] = period.split("-").map(Number);
    const endMonth = m || 12;
    const start = new Date(Date.UTC(y, endMonth - 12, 1));
    const end = new Date(Date.UTC(y, endMonth, 0));
    const iso = (d) => d.toISOString().slice(0, 10);
    return { from: iso(start), to: iso(end), start, end };
  };

  /* ---- start-up, called by the page once the folium layers exist ---- */
  WS.start = async function (map, layers, control) {
    WS.map = map;
    WS.layers = layers;
    WS.control = control;
    try {
      WS.offline.init();
      WS.ui.init();
      WS.records.init(); // not awaited: the queue syncs in the background (ws-records.js)
      const layerLoads = WS.loadLayers();
      const checks = WS.checks.load(null);
      const sections = WS.sections.loadList();
      await layerLoads;
      WS.areas.fillUnits();
      const firstChecks = await checks;
      await sections;
      const period = (firstChecks && firstChecks.period) || WS.sections.latestPeriod();
      WS.ui.setPeriodChoices(WS.sections.years(), period);
      WS.state.period = period;
      await WS.sections.refresh(period);
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    } finally {
      WS.state.ready = true;
      WS.state.readyAt = performance.now();
      document.body.dataset.ready = "1";
      WS.offline.register();
    }
  };

  /* A new period from the selector: classes, popups and the compliance panel follow. */
  let periodChanges = 0;
  WS.setPeriod = async function (period) {
    if (!period || period === WS.state.period) return;
    // Offline, a period whose answers are not on the device is refused: the map keeps the
    // last good period rather than painting every section grey (read as 无数据).
    const change = ++periodChanges;
    document.body.dataset.ready = "0"; // at once: the check below is asynchronous
    const needed = [WS.url(WS.config().endpoints.checks, { period }), ...WS.sections.assessmentUrls(period)];
    if (!(await WS.offline.available(needed))) {
      WS.ui.setPeriodChoices(WS.sections.years(), WS.state.period);
      WS.offline.noteMiss();
      WS.toast(`离线，未缓存：${WS.periodLabel(period)}的评价未保存到本设备，仍显示${WS.periodLabel(WS.state.period)}。`, "error");
      if (change === periodChanges) document.body.dataset.ready = "1";
      return;
    }
    if (change !== periodChanges) return; // a later change took over meanwhile
    WS.state.period = period;
    WS.map.closePopup();
    await Promise.all([WS.sections.refresh(period), WS.checks.load(period)]);
    if (change === periodChanges) document.body.dataset.ready = "1"; // a later change is still loading
  };
})();
