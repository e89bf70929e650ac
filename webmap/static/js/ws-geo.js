/* Where am I (我的位置), geofencing (电子围栏) and what is here (此处有什么).
 *
 * - The position is followed continuously (watchPosition, high accuracy): a dot with its
 *   accuracy circle, the accuracy in metres beside the button, a follow toggle (the map keeps
 *   the dot in view; dragging the map turns it off). One button starts and stops it.
 * - Geofencing: entering a 生态保护红线, 永久基本农田 or 饮用水水源保护区 polygon raises a banner
 *   and a beep (Web Audio, no sound file) naming the feature by the bureau's code, name and
 *   坐落, once per entry; leaving gives a quieter notice. It reads what the page holds, so it
 *   works offline: the small layers' GeoJSON (whole geometries, cached with every offline
 *   area) and, for the tiled layers, the z16 vector tile at the position decoded with
 *   Leaflet.VectorGrid's own decoders (the tiles an offline area keeps). A layer whose data are
 *   not on the device is named as 无法判断, never taken as "outside".
 * - Tapping the dot, or a long press (right click) anywhere, lists every layer at that point:
 *   GET /api/here online (one set-based query), the data on the device offline.
 * Geolocation needs a secure context: HTTPS (watershed serve --tls) or localhost. */
(function () {
  "use strict";
  const WS = window.WS;
  const $ = (id) => document.getElementById(id);
  const FENCED = ["eco_redline", "basic_farmland", "water_source_zones"];
  const TILE_ZOOM = 16; // the finest tiles an offline area keeps: 0.15 m per tile unit here
  const TAP_PX = 22; // half a fingertip: the search radius of a tap for points and lines
  const POOR_ACCURACY_M = 50;
  const STALE_MS = 30000;
  const M_PER_DEG_LAT = 110574;
  const M_PER_DEG_LON = 111320; // at the equator; times cos(latitude)
  const EARTH_CIRCUMFERENCE_M = 40075016.686; // Web Mercator's equator
  const MAX_MARGIN_M = 10;

  const state = { watch: null, follow: true, fix: null, inside: new Map(), unknown: [], beeps: 0, checks: 0 };
  let marker = null;
  let audio = null;

  /* ---- geometry: even-odd point in polygon, distances in a local plane (metres) ---- */
  function ringContains(ring, x, y) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  /* Over every ring of a (multi)polygon: holes take away, separate parts do not overlap. */
  function ringsContain(rings, x, y) {
    let count = 0;
    for (const ring of rings) if (ringContains(ring, x, y)) count++;
    return count % 2 === 1;
  }
  function polygonRings(geometry) {
    if (geometry.type === "Polygon") return geometry.coordinates;
    if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
    return null;
  }
  function segmentDistance([ax, ay], [bx, by]) {
    const dx = bx - ax;
    const dy = by - ay;
    const len = dx * dx + dy * dy;
    const t = len ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len)) : 0;
    return Math.hypot(ax + t * dx, ay + t * dy);
  }
  /* Metres from the origin to the nearest edge of ``rings`` already in local metres. */
  function edgeDistance(rings) {
    let best = Infinity;
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) best = Math.min(best, segmentDistance(ring[i - 1], ring[i]));
    }
    return best;
  }
  /* Metres from (lon, lat) to a point or line geometry (equirectangular about the point:
   * well under 1 % off over the tens of metres a tap covers). */
  function distanceTo(geometry, lon, lat) {
    const kx = M_PER_DEG_LON * Math.cos((lat * Math.PI) / 180);
    const local = ([x, y]) => [(x - lon) * kx, (y - lat) * M_PER_DEG_LAT];
    const lines = {
      Point: () => [[geometry.coordinates]],
      MultiPoint: () => geometry.coordinates.map((c) => [c]),
      LineString: () => [geometry.coordinates],
      MultiLineString: () => geometry.coordinates,
    }[geometry.type];
    if (!lines) return Infinity;
    let best = Infinity;
    for (const line of lines()) {
      const pts = line.map(local);
      if (pts.length === 1) best = Math.min(best, Math.hypot(...pts[0]));
      for (let i = 1; i < pts.length; i++) best = Math.min(best, segmentDistance(pts[i - 1], pts[i]));
    }
    return best;
  }

  /* ---- what the page holds at a point ---- */
  /* ``marginM`` > 0: polygons the point lies outside of by at most that much come too, marked
   * ``near`` with their distance (geofencing's hysteresis, see fence()). */
  function geojsonAt(key, lat, lon, toleranceM, marginM) {
    const features = [];
    WS.layers[key].eachLayer((sub) => sub.feature && features.push(sub.feature));
    if (!features.length) return { unknown: "无数据" }; // not loaded, or empty: cannot tell
    const hits = [];
    for (const f of features) {
      if (!f.geometry) continue;
      const rings = polygonRings(f.geometry);
      if (rings) {
        if (ringsContain(rings, lon, lat)) hits.push({ layer: key, props: f.properties, distance: 0 });
        else if (marginM > 0) {
          const kx = M_PER_DEG_LON * Math.cos((lat * Math.PI) / 180);
          const d = edgeDistance(rings.map((r) => r.map(([x, y]) => [(x - lon) * kx, (y - lat) * M_PER_DEG_LAT])));
          if (d <= marginM) hits.push({ layer: key, props: f.properties, distance: d, near: true });
        }
      } else {
        const d = distanceTo(f.geometry, lon, lat);
        if (d <= toleranceM) hits.push({ layer: key, props: f.properties, distance: d });
      }
    }
    return { hits };
  }

  function tileXY(lat, lon, z) {
    const n = 2 ** z;
    const s = Math.sin((lat * Math.PI) / 180);
    return { x: ((lon + 180) / 360) * n, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n };
  }

  const tiles = new Map(); // url -> decoded tile (successes only: a miss may be cached later)
  // Offline misses, not asked again for a minute: a fix a second would otherwise count a miss
  // (and the offline badge's tally) every second.
  const misses = new Map(); // url -> time of the miss
  const MISS_RETRY_MS = 60000;
  async function decodedTile(url) {
    if (tiles.has(url)) return tiles.get(url);
    if (Date.now() - (misses.get(url) || 0) < MISS_RETRY_MS) throw new Error(WS.offline.MISS);
    if (typeof window.VectorTile !== "function" || typeof window.Pbf !== "function") {
      throw new Error("矢量瓦片解码器不可用");
    }
    const resp = await fetch(url, { credentials: "same-origin" });
    if (resp.headers.get("X-WS-Offline")) {
      misses.set(url, Date.now());
      throw new Error(WS.offline.MISS);
    }
    if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
    const tile = new window.VectorTile(new window.Pbf(await resp.arrayBuffer()));
    if (tiles.size > 64) tiles.delete(tiles.keys().next().value);
    tiles.set(url, tile);
    return tile;
  }

  /* The polygons of a tiled layer at the point, from its z16 vector tile. */
  async function tileAt(key, lat, lon, marginM) {
    const cfg = WS.layerConfig(key);
    const t = tileXY(lat, lon, TILE_ZOOM);
    const tx = Math.floor(t.x);
    const ty = Math.floor(t.y);
    const url = cfg.tiles_url.replace("{z}", TILE_ZOOM).replace("{x}", tx).replace("{y}", ty);
    let tile;
    try {
      tile = await decodedTile(url);
    } catch (err) {
      return { unknown: navigator.onLine ? err.message : WS.offline.MISS };
    }
    const hits = [];
    for (const layer of Object.values(tile.layers)) {
      const x = (t.x - tx) * layer.extent;
      const y = (t.y - ty) * layer.extent;
      // ground metres per tile unit (Web Mercator's scale at this latitude)
      const unit = (EARTH_CIRCUMFERENCE_M * Math.cos((lat * Math.PI) / 180)) / 2 ** TILE_ZOOM / layer.extent;
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i);
        if (f.type !== 3) continue; // polygons only: the tiled layers are parcels
        const rings = f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]));
        if (ringsContain(rings, x, y)) hits.push({ layer: key, props: f.properties, distance: 0 });
        else if (marginM > 0) {
          const d = unit * edgeDistance(rings.map((r) => r.map(([px, py]) => [px - x, py - y])));
          if (d <= marginM) hits.push({ layer: key, props: f.properties, distance: d, near: true });
        }
      }
    }
    return { hits };
  }

  /* Every feature of ``keys`` at ``latlng`` from the data on the page (and device):
   * {hits: [{layer, props, distance}], unknown: [{layer, reason}]}. */
  async function featuresAt(latlng, keys, toleranceM, marginM) {
    const parts = await Promise.all(
      keys.map(async (key) => {
        const cfg = WS.layerConfig(key);
        if (!cfg || !WS.layers[key]) return { key, unknown: "无数据" };
        if (cfg.tiles_url) return Object.assign({ key }, await tileAt(key, latlng.lat, latlng.lng, marginM || 0));
        return Object.assign({ key }, geojsonAt(key, latlng.lat, latlng.lng, toleranceM, marginM || 0));
      })
    );
    const result = { hits: [], unknown: [] };
    for (const part of parts) {
      if (part.unknown) result.unknown.push({ layer: part.key, reason: part.unknown });
      else result.hits.push(...part.hits);
    }
    return result;
  }

  /* How people name a feature: the bureau's code, its name, 坐落 (never a database id). */
  function featureLabel(key, props) {
    const cfg = WS.layerConfig(key) || {};
    const code = cfg.code_field ? props[cfg.code_field] : null;
    const name = cfg.label_field ? props[cfg.label_field] : null;
    const where = cfg.location_field ? props[cfg.location_field] : null;
    const text = [code, name && name !== code ? name : null].filter(Boolean).join(" ") || cfg.name || key;
    return where ? `${text}（${where}）` : text;
  }
  const layerName = (key) => (WS.layerConfig(key) || {}).name || key;

  /* ---- warnings ---- */
  function sound(pulses, gain) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    const t0 = audio.currentTime + 0.02;
    pulses.forEach(([freq, start, length]) => {
      const osc = audio.createOscillator();
      const amp = audio.createGain();
      osc.type = "square";
      osc.frequency.value = freq;
      amp.gain.setValueAtTime(gain, t0 + start);
      amp.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      osc.connect(amp).connect(audio.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + length + 0.02);
    });
  }
  function alarm() {
    state.beeps++;
    document.body.dataset.geoBeeps = String(state.beeps);
    sound([[880, 0, 0.18], [660, 0.25, 0.18], [880, 0.5, 0.3]], 0.3);
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }

  function banner() {
    let el = $("ws-geofence");
    if (!el) {
      el = document.createElement("div");
      el.id = "ws-geofence";
      el.className = "ws-geofence";
      el.setAttribute("role", "alert");
      el.hidden = true;
      document.body.appendChild(el);
    }
    return el;
  }

  function renderBanner() {
    const el = banner();
    const inside = [...state.inside.values()];
    const unknown = state.watch === null ? [] : state.unknown;
    el.hidden = !inside.length && !unknown.length;
    el.classList.toggle("ws-geofence-inside", inside.length > 0);
    const lines = inside.map(
      (h) => `<li data-layer="${WS.esc(h.layer)}"><strong>${WS.esc(layerName(h.layer))}</strong>：${WS.esc(featureLabel(h.layer, h.props))}</li>`
    );
    const unknownLines = unknown.map(
      (u) => `<li class="ws-geofence-unknown" data-layer="${WS.esc(u.layer)}">${WS.esc(layerName(u.layer))}：无法判断是否在其范围内（${WS.esc(u.reason)}）</li>`
    );
    el.innerHTML =
      (inside.length ? `<div class="ws-geofence-title">⚠ 您位于受保护范围内</div>` : "") +
      `<ul>${lines.join("")}${unknownLines.join("")}</ul>`;
  }

  let noticeTimer = null;
  function notice(text) {
    let el = $("ws-geo-notice");
    if (!el) {
      el = document.createElement("div");
      el.id = "ws-geo-notice";
      el.className = "ws-geo-notice";
      el.setAttribute("role", "status");
      document.body.appendChild(el);
    }
    el.textContent = text;
    el.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (el.hidden = true), 8000);
  }

  /* One check at a time; fixes arriving meanwhile collapse into the latest.
   * Hysteresis: a feature one is inside counts as left only once the position is outside it by
   * more than the fix's accuracy (at most 10 m), so a position jittering across an edge does
   * not warn again and again; entering needs the position inside. */
  let checking = false;
  let pending = null;
  async function fence(fix) {
    if (checking) {
      pending = fix;
      return;
    }
    checking = true;
    try {
      const keys = FENCED.filter((k) => WS.layerConfig(k));
      const margin = Math.min(fix.accuracy || 0, MAX_MARGIN_M);
      const result = await featuresAt(fix.latlng, keys, 0, margin);
      if (state.watch === null) return; // stopped meanwhile
      const now = new Map();
      for (const h of result.hits) {
        const id = `${h.layer}:${h.props.id}`;
        if (!h.near || state.inside.has(id)) now.set(id, h.near ? state.inside.get(id) : h);
      }
      const unknownLayers = new Set(result.unknown.map((u) => u.layer));
      // a layer that cannot be read now keeps what was known of it: not "left" for want of data
      for (const [id, h] of state.inside) if (unknownLayers.has(h.layer)) now.set(id, h);
      const entered = [...now.keys()].filter((id) => !state.inside.has(id)).map((id) => now.get(id));
      const left = [...state.inside.keys()].filter((id) => !now.has(id)).map((id) => state.inside.get(id));
      state.inside = now;
      state.unknown = result.unknown;
      renderBanner();
      if (entered.length) alarm();
      if (left.length) {
        notice(`已离开 ${left.map((h) => `${layerName(h.layer)} ${featureLabel(h.layer, h.props)}`).join("、")}`);
        sound([[520, 0, 0.12]], 0.05);
      }
    } finally {
      checking = false;
      state.checks++;
      document.body.dataset.geoChecks = String(state.checks);
      if (pending) {
        const next = pending;
        pending = null;
        fence(next);
      }
    }
  }

  /* ---- the position ---- */
  function drawFix(latlng, accuracy) {
    if (!marker) {
      const circle = L.circle(latlng, { pane: "ws-position", radius: accuracy, color: "#1565c0", weight: 1, fillOpacity: 0.1, interactive: false });
      const dot = L.circleMarker(latlng, { pane: "ws-position", radius: 9, color: "#fff", weight: 3, fillColor: "#1565c0", fillOpacity: 1 });
      dot.on("click", (ev) => {
        L.DomEvent.stopPropagation(ev);
        showHere(dot.getLatLng());
      });
      marker = { circle, dot, group: L.featureGroup([circle, dot]).addTo(WS.map) };
    }
    marker.circle.setLatLng(latlng).setRadius(accuracy);
    marker.dot.setLatLng(latlng);
  }

  function onFix(pos) {
    const latlng = L.latLng(pos.coords.latitude, pos.coords.longitude);
    const accuracy = pos.coords.accuracy;
    const first = !state.fix;
    state.fix = { latlng, accuracy, at: Date.now() };
    drawFix(latlng, accuracy);
    const label = $("ws-geo-accuracy");
    label.textContent = `精度 ±${Math.round(accuracy)} 米${accuracy > POOR_ACCURACY_M ? "（偏低，围栏提醒仅供参考）" : ""}`;
    label.classList.toggle("ws-geo-poor", accuracy > POOR_ACCURACY_M);
    label.hidden = false;
    if (state.follow) {
      if (first) WS.map.setView(latlng, Math.max(WS.map.getZoom(), 16), { animate: false });
      else WS.map.panTo(latlng, { animate: false });
    }
    fence(state.fix);
  }

  function onError(err) {
    if (err.code === 1) {
      stop();
      WS.toast("无法定位：未获准使用位置信息，请在浏览器设置中允许本站定位。", "error");
      return;
    }
    // A missed fix between good ones is common (tunnels, tree cover): said only when the
    // position shown is getting old, since the warnings then rest on it.
    if (state.fix && Date.now() - state.fix.at < STALE_MS) return;
    const why = err.code === 3 ? "定位超时" : "暂时无法定位";
    const shown = state.fix ? "，地图上的位置已过时" : "";
    WS.toast(`${why}${shown}，仍在尝试…`, "error");
  }

  function setPressed(id, on) {
    const el = $(id);
    if (el) el.setAttribute("aria-pressed", String(on));
  }

  function start() {
    if (!window.isSecureContext || !navigator.geolocation) {
      WS.toast("定位需要通过 HTTPS 或本机地址访问本页面。", "error");
      return;
    }
    sound([], 0); // a gesture: the audio context may start now, so later warnings can sound
    state.follow = true;
    state.watch = navigator.geolocation.watchPosition(onFix, onError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
    document.body.classList.add("ws-locating");
    setPressed("ws-geo-toggle", true);
    setPressed("ws-geo-follow", true);
    WS.toast("正在定位…（长按地图任一点可列出此处所有图层）", "info");
  }

  function stop() {
    if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
    state.watch = null;
    state.fix = null;
    state.inside = new Map();
    state.unknown = [];
    if (marker) WS.map.removeLayer(marker.group);
    marker = null;
    document.body.classList.remove("ws-locating");
    setPressed("ws-geo-toggle", false);
    $("ws-geo-accuracy").hidden = true;
    renderBanner();
  }

  function setFollow(on) {
    state.follow = on;
    setPressed("ws-geo-follow", on);
    if (on && state.fix) WS.map.panTo(state.fix.latlng, { animate: false });
  }

  const ICONS = {
    locate: '<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="4"/><path d="M12 2v4M12 18v4M2 12h4M18 12h4"/></svg>',
    follow: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3l7 18-7-4-7 4z"/></svg>',
  };

  function control() {
    const ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      const box = L.DomUtil.create("div", "ws-geo");
      box.innerHTML = `<div class="leaflet-bar">
          <a href="#" role="button" id="ws-geo-toggle" aria-pressed="false" title="我的位置：开始或停止持续定位（进入生态保护红线、永久基本农田、水源保护区时提醒）" aria-label="我的位置">${ICONS.locate}</a>
          <a href="#" role="button" id="ws-geo-follow" aria-pressed="true" title="地图跟随我的位置" aria-label="跟随位置">${ICONS.follow}</a>
        </div><div id="ws-geo-accuracy" class="ws-geo-accuracy" aria-live="polite" hidden></div>`;
      const click = (id, fn) =>
        L.DomEvent.on(box.querySelector(`#${id}`), "click", (ev) => {
          L.DomEvent.preventDefault(ev);
          L.DomEvent.stopPropagation(ev);
          fn();
        });
      click("ws-geo-toggle", () => (state.watch === null ? start() : stop()));
      click("ws-geo-follow", () => setFollow(!state.follow));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return ctl;
  }

  /* ---- what is here ---- */
  function tapTolerance(latlng) {
    const perPixel = (40075016.686 * Math.cos((latlng.lat * Math.PI) / 180)) / 2 ** (WS.map.getZoom() + 8);
    return Math.min(500, Math.max(1, Math.round(perPixel * TAP_PX)));
  }

  /* ``fromDevice``: null (the server answered), else why the list comes from the device. */
  function hereHtml(latlng, toleranceM, hits, unknown, fromDevice) {
    const byLayer = new Map();
    for (const h of hits) {
      if (!byLayer.has(h.layer)) byLayer.set(h.layer, []);
      byLayer.get(h.layer).push(h);
    }
    const order = WS.config().layers.map((l) => l.key).filter((k) => byLayer.has(k));
    const items = order
      .map((key) => {
        const list = byLayer
          .get(key)
          .map((h) => WS.esc(featureLabel(key, h.props)) + (h.distance > 0.5 ? `<span class="ws-muted">（约 ${Math.round(h.distance)} 米）</span>` : ""))
          .join("；");
        return `<li data-layer="${WS.esc(key)}"><strong>${WS.esc(layerName(key))}</strong>：${list}</li>`;
      })
      .join("");
    const missing = unknown.length
      ? `<p class="ws-here-unknown">${unknown.map((u) => `${WS.esc(layerName(u.layer))}（${WS.esc(u.reason)}）`).join("、")}：无法判断此处</p>`
      : "";
    const head = order.length ? `此处 ${order.length} 个图层有要素` : "此处没有已有数据图层的要素";
    return `<div class="ws-popup ws-here" data-source="${fromDevice ? "device" : "server"}">
      <div class="ws-popup-layer">此处有什么</div><h3>${head}</h3>
      <ul class="ws-here-list">${items}</ul>${missing}
      <p class="ws-muted">${latlng.lng.toFixed(6)}, ${latlng.lat.toFixed(6)} · 点、线要素按 ${toleranceM} 米内查找${fromDevice ? ` · ${WS.esc(fromDevice)}` : ""}</p></div>`;
  }

  /* Opened once its content is known (a few milliseconds): a popup that grows after opening
   * is not panned into view by Leaflet. */
  let hereAsked = 0; // the newest question: a slower answer to an older one is dropped
  async function showHere(latlng) {
    const asked = ++hereAsked;
    WS.map.getContainer().classList.add("ws-busy");
    const toleranceM = tapTolerance(latlng);
    let html;
    try {
      if (WS.offline.isOffline()) throw new Error("offline");
      const url = WS.url(WS.config().endpoints.here, { lon: latlng.lng.toFixed(7), lat: latlng.lat.toFixed(7), tolerance_m: toleranceM });
      const answer = await WS.api(url);
      const hits = answer.hits.map((h) => ({ layer: h.layer, props: h.properties, distance: h.distance_m }));
      const unknown = answer.without_data.map((key) => ({ layer: key, reason: "无数据" }));
      html = hereHtml(latlng, toleranceM, hits, unknown, null);
    } catch (err) {
      if (err.status === 401) return; // WS.request is taking the user to sign in
      const keys = WS.config().layers.map((l) => l.key);
      const local = await featuresAt(latlng, keys, toleranceM);
      const why = WS.offline.isOffline() ? "离线：来自本设备保存的数据" : `服务器未答复（${WS.errorText(err)}）：来自本页已加载的数据`;
      html = hereHtml(latlng, toleranceM, local.hits, local.unknown, why);
    }
    if (asked !== hereAsked) return; // another point was asked meanwhile: its answer shows
    WS.map.getContainer().classList.remove("ws-busy");
    L.popup(Object.assign({ minWidth: 240, className: "ws-here-popup" }, WS.POPUP))
      .setLatLng(latlng)
      .setContent(html)
      .openOn(WS.map);
    document.body.dataset.hereShown = String(Number(document.body.dataset.hereShown || 0) + 1);
  }

  WS.geo = {
    init() {
      const pane = WS.map.createPane("ws-position");
      pane.style.zIndex = 650; // above the markers (600), under popups (700)
      control().addTo(WS.map);
      WS.map.on("dragstart", () => state.watch !== null && setFollow(false));
      WS.map.on("contextmenu", (e) => {
        const drawing = $("ws-draw-bar") && !$("ws-draw-bar").hidden; // a long press there edits the outline
        if (!drawing) showHere(e.latlng);
      });
    },
    start,
    stop,
    showHere,
    featuresAt,
    state: () => ({
      watching: state.watch !== null,
      follow: state.follow,
      inside: [...state.inside.keys()],
      unknown: state.unknown.map((u) => u.layer),
      beeps: state.beeps,
      checks: state.checks,
    }),
  };
})();
