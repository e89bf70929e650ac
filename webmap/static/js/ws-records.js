/* Inspection records (巡查记录): a point from GPS or a tap, a form, photos from the camera.
 *
 * Saved on the device first (IndexedDB "ws-records"), queued, and sent when online (on open,
 * on the "online" event, after each save, and by 立即同步) with ids generated here: a record
 * or photo sent twice (an answer lost mid-sync) is the same row on the server, never two
 * (PUT /api/records/{id}, PUT /api/records/{id}/photos/{photoId}). An edit carries the version
 * it started from; the server merges a stale one and keeps the losing version in the record's
 * history (gis/records.py). Photos are checked here (type, ≤ 10 MB) and their EXIF time and
 * position read with exifr (vendored); the server checks them again by decoding.
 * The record layer: markers coloured by status, popups with photos, filters; offline it shows
 * the records kept on this device. Record POSTs/PUTs are never cached by the service worker:
 * this queue is what survives being offline. */
(function () {
  "use strict";
  const WS = window.WS;
  const $ = (id) => document.getElementById(id);
  const API = "/api/records";
  const KINDS = ["排污口", "违法占用", "水华", "垃圾", "水利设施损坏", "其他"];
  const SEVERITIES = { low: "一般", medium: "较重", high: "严重" };
  const STATUS = { open: "未关闭", closed: "已关闭", pending: "待同步" };
  const COLOURS = { open: "#e31a1c", closed: "#33a02c", pending: "#ff7f00" };
  const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
  const PHOTO_MAX = 10 * 1024 * 1024;
  const PAGE = 1000; // records per request of the list (the API sends at most 5000)

  /* ---- the device's store ---- */
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open("ws-records", 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("records", { keyPath: "id" });
          open.result.createObjectStore("photos", { keyPath: "id" }).createIndex("record", "record_id");
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }
  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function store(name, mode) {
    return (await db()).transaction(name, mode || "readonly").objectStore(name);
  }
  const all = async (name) => done((await store(name)).getAll());
  const get = async (name, key) => done((await store(name)).get(key));
  const put = async (name, value) => done((await store(name, "readwrite")).put(value));

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function deviceId() {
    let id = localStorage.getItem("ws-device-id");
    if (!id) localStorage.setItem("ws-device-id", (id = newId()));
    return id;
  }
  async function sha256(buffer) {
    if (!crypto.subtle) return null;
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("");
  }

  /* ---- who may do what (the server checks again) ---- */
  const mayWrite = () => WS.allows("analyst");
  const mayClose = () => WS.allows("editor");

  /* ---- the queue ---- */
  async function pendingCount() {
    const [records, photos] = await Promise.all([all("records"), all("photos")]);
    const ids = new Set(records.filter((r) => r.pending).map((r) => r.id));
    photos.filter((p) => !p.uploaded && !p.error).forEach((p) => ids.add(p.record_id));
    return ids.size;
  }
  async function renderBadge() {
    const n = await pendingCount();
    const badge = $("ws-records-queue");
    badge.textContent = String(n);
    badge.hidden = n === 0;
    badge.title = `${n} 条记录待同步`;
    document.body.dataset.recordsPending = String(n);
    return n;
  }

  /* One sync at a time; asked again meanwhile (back online during a sync), it runs once more. */
  let syncing = null;
  let again = false;
  function sync() {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        await runSync();
      } while (again);
    })().finally(() => (syncing = null));
    return syncing;
  }
  function syncState(text, state) {
    $("ws-record-sync-state").textContent = text;
    document.body.dataset.recordsSync = state;
  }

  async function send(url, init) {
    const resp = await fetch(url, Object.assign({ credentials: "same-origin" }, init));
    const body = await resp.json().catch(() => null);
    return { resp, body };
  }

  async function runSync() {
    if (!navigator.onLine) {
      await renderBadge();
      await refresh();
      // the state last, once the layer shows the device's records (tests wait for it)
      syncState("离线：记录保存在本设备，联网后自动同步。", "offline");
      return;
    }
    syncState("正在同步…", "running");
    let outcome = [`已同步 ${new Date().toLocaleTimeString("zh-CN")}`, "idle"];
    try {
      for (const record of await all("records")) {
        if (record.pending) await sendRecord(record);
      }
      for (const photo of await all("photos")) {
        if (!photo.uploaded && !photo.error) await sendPhoto(photo);
      }
    } catch (err) {
      // a cut connection or the server away: everything stays queued, sent again next time
      outcome = [`同步中断，稍后重试：${WS.errorText(err)}`, "failed"];
    }
    await renderBadge();
    await loadServer(); // what other devices sent meanwhile
    await refresh();
    // the state last, once the layer shows the outcome (tests wait for it)
    document.body.dataset.recordsSyncs = String(Number(document.body.dataset.recordsSyncs || 0) + 1);
    syncState(...outcome);
  }

  async function sendRecord(record) {
    const body = Object.assign({}, record.values, { base_version: record.base_version, device_id: deviceId() });
    const { resp, body: answer } = await send(`${API}/${record.id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (resp.status === 401) throw new Error("登录已失效，请重新登录后同步。");
    if (resp.status >= 500) throw new Error(`服务器错误（HTTP ${resp.status}）`);
    const latest = await get("records", record.id);
    if (latest && latest.saved_at !== record.saved_at) {
      // edited again on this device while the answer was on its way: that edit stays queued,
      // now based on the version just stored (after a conflict, on the same base again, so
      // the server merges it by the same rule and nothing is overwritten unseen)
      if (resp.ok) {
        latest.server = answer.record;
        if (answer.outcome !== "conflict") latest.base_version = answer.version;
      }
      return put("records", latest);
    }
    if (!resp.ok) {
      record.error = (answer && answer.detail && String(answer.detail)) || `HTTP ${resp.status}`;
      record.pending = false; // refused, not lost: shown with its error, edit to send again
      return put("records", record);
    }
    keepServerCopy(record, answer.record);
    if (answer.outcome === "conflict") {
      const fields = answer.conflicts.map((f) => FIELD_LABELS[f] || f).join("、");
      WS.toast(`记录“${record.values.kind}”在其他设备上也被修改：${fields} 保留了先到服务器的内容，本设备的版本已存入历史。`, "error");
    }
    return put("records", record);
  }
  const FIELD_LABELS = { kind: "类型", severity: "严重程度", notes: "说明", location: "位置", observed_at: "发现时间" };

  function keepServerCopy(record, feature) {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    record.values = {
      kind: p.kind,
      severity: p.severity,
      notes: p.notes,
      lon,
      lat,
      accuracy_m: p.accuracy_m,
      located_by: p.located_by,
      observed_at: p.observed_at,
    };
    record.base_version = p.version;
    record.server = feature;
    record.pending = false;
    record.error = null;
  }

  async function sendPhoto(photo) {
    const form = new FormData();
    form.append("file", new Blob([photo.data], { type: photo.type }), photo.name);
    const { resp, body } = await send(`${API}/${photo.record_id}/photos/${photo.id}`, { method: "PUT", body: form });
    if (resp.status === 401) throw new Error("登录已失效，请重新登录后同步。");
    if (resp.status >= 500) throw new Error(`服务器错误（HTTP ${resp.status}）`);
    if (resp.status === 404) return; // its record is not on the server yet: next time
    if (!resp.ok) photo.error = (body && body.detail) || `HTTP ${resp.status}`;
    else {
      photo.uploaded = true;
      photo.server_sha256 = body.sha256;
      photo.data = null; // on the server now (checksum equal): the device keeps no copy
    }
    return put("photos", photo);
  }

  /* ---- the form ---- */
  let draft = null; // {id, base_version, values, photos: [...]}
  let pickMarker = null;

  function openForm(existing) {
    if (!mayWrite()) return WS.toast("新建或修改巡查记录需要 analyst 及以上角色。", "error");
    const v = existing ? existing.values : {};
    draft = {
      id: existing ? existing.id : newId(),
      base_version: existing ? existing.base_version : null,
      values: Object.assign({ located_by: null, observed_at: new Date().toISOString() }, v),
      photos: [],
    };
    $("ws-record-kind").value = v.kind || KINDS[0];
    $("ws-record-severity").value = v.severity || "low";
    $("ws-record-notes").value = v.notes || "";
    $("ws-record-form-title").textContent = existing ? `修改记录（基于第 ${existing.base_version || 1} 版）` : "新建巡查记录";
    renderWhere();
    renderDraftPhotos();
    $("ws-record-form").hidden = false;
    $("ws-tab-btn-records").click();
  }

  function closeForm() {
    draft = null;
    $("ws-record-form").hidden = true;
    if (pickMarker) pickMarker.remove();
    pickMarker = null;
    stopPicking();
  }

  function setPoint(lat, lon, accuracy, how) {
    Object.assign(draft.values, { lat: Number(lat.toFixed(7)), lon: Number(lon.toFixed(7)), accuracy_m: accuracy, located_by: how });
    if (pickMarker) pickMarker.remove();
    pickMarker = L.circleMarker([lat, lon], { radius: 9, color: "#ff7f00", weight: 3, fill: false }).addTo(WS.map);
    renderWhere();
  }

  function renderWhere() {
    const v = draft.values;
    const el = $("ws-record-where");
    if (v.lat == null) {
      el.textContent = "位置：未选择";
      el.dataset.set = "";
      return;
    }
    const how = v.located_by === "gps" ? `定位${v.accuracy_m != null ? `，精度 ±${WS.num(v.accuracy_m, 0)} m` : ""}` : "地图点选";
    el.textContent = `位置：${v.lat.toFixed(6)}°N，${v.lon.toFixed(6)}°E（${how}）`;
    el.dataset.set = "1";
  }

  function locate() {
    if (!window.isSecureContext || !navigator.geolocation) return WS.toast("定位需要 HTTPS 与浏览器定位权限。", "error");
    $("ws-record-where").textContent = "位置：正在定位…";
    navigator.geolocation.getCurrentPosition(
      (pos) => draft && setPoint(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy, "gps"),
      (err) => {
        WS.toast(`无法定位（${err.message}），请在地图上点选位置。`, "error");
        if (draft) renderWhere();
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 }
    );
  }

  /* A tap on the map while picking: caught before Leaflet sees it, since the layers under it
   * (the units cover the whole district) take their clicks and open their popups. */
  let downAt = null;
  const onDown = (ev) => (downAt = [ev.clientX, ev.clientY]);
  function onPick(ev) {
    if (!draft || ev.target.closest(".leaflet-control, .leaflet-popup")) return;
    if (downAt && Math.hypot(ev.clientX - downAt[0], ev.clientY - downAt[1]) > 6) return; // a pan
    ev.stopPropagation();
    ev.preventDefault();
    const at = WS.map.mouseEventToLatLng(ev);
    setPoint(at.lat, at.lng, null, "map");
    stopPicking();
  }
  function pick() {
    WS.toast("在地图上点选发现问题的位置。", "info");
    const container = WS.map.getContainer();
    container.classList.add("ws-picking");
    container.addEventListener("pointerdown", onDown, true);
    container.addEventListener("click", onPick, true);
    WS.ui.showMapOnSmallScreens();
  }
  function stopPicking() {
    const container = WS.map.getContainer();
    container.classList.remove("ws-picking");
    container.removeEventListener("pointerdown", onDown, true);
    container.removeEventListener("click", onPick, true);
  }

  /* A photo checked on the device: type and size, EXIF time and position (exifr). */
  async function addPhotos(files) {
    for (const file of files) {
      if (/hei[cf]/i.test(file.type) || /\.hei[cf]$/i.test(file.name)) {
        WS.toast(`照片 ${file.name} 为 HEIC 格式，请在相机设置中选择“兼容性最佳”（JPEG）后重拍。`, "error");
        continue;
      }
      if (!PHOTO_TYPES.includes(file.type)) {
        WS.toast(`照片 ${file.name} 的格式不受支持：只接受 JPEG、PNG、WebP。`, "error");
        continue;
      }
      if (file.size > PHOTO_MAX) {
        WS.toast(`照片 ${file.name} 为 ${WS.num(file.size / 1048576, 1)} MB，超过 10 MB 的限制。`, "error");
        continue;
      }
      const data = await file.arrayBuffer();
      let exif = null;
      try {
        exif = await window.exifr.parse(data, { tiff: true, exif: true, gps: true });
      } catch (err) {
        exif = null; // no EXIF (a PNG, a screenshot): the photo still counts
      }
      const taken = exif && exif.DateTimeOriginal instanceof Date ? exif.DateTimeOriginal : null;
      const photo = {
        id: newId(),
        name: file.name || "photo.jpg",
        type: file.type,
        size: file.size,
        data,
        sha256: await sha256(data),
        taken_at: taken ? localTimeText(taken) : null,
        taken_lat: exif && isFinite(exif.latitude) ? exif.latitude : null,
        taken_lon: exif && isFinite(exif.longitude) ? exif.longitude : null,
        uploaded: false,
      };
      draft.photos.push(photo);
      if (draft.values.lat == null && photo.taken_lat != null) setPoint(photo.taken_lat, photo.taken_lon, null, "gps");
    }
    renderDraftPhotos();
  }

  /* EXIF times have no zone: shown as the camera wrote them. */
  function localTimeText(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  function renderDraftPhotos() {
    $("ws-record-photos").innerHTML = draft.photos
      .map((p) => {
        const where = p.taken_lat != null ? `，${p.taken_lat.toFixed(5)}°N ${p.taken_lon.toFixed(5)}°E` : "";
        const when = p.taken_at ? `拍摄于 ${p.taken_at}${where}` : "无 EXIF 时间";
        return `<li class="ws-record-photo">${WS.esc(p.name)}（${WS.num(p.size / 1024, 0)} KB，${WS.esc(when)}）</li>`;
      })
      .join("");
  }

  async function saveDraft(ev) {
    ev.preventDefault();
    if (draft.values.lat == null) return WS.toast("请先确定位置：定位或在地图上点选。", "error");
    const record = (await get("records", draft.id)) || { id: draft.id };
    Object.assign(record, {
      values: Object.assign({}, draft.values, {
        kind: $("ws-record-kind").value,
        severity: $("ws-record-severity").value,
        notes: $("ws-record-notes").value.trim(),
      }),
      base_version: draft.base_version,
      pending: true,
      error: null,
      saved_at: new Date().toISOString(),
    });
    await put("records", record);
    for (const photo of draft.photos) await put("photos", Object.assign({ record_id: draft.id }, photo));
    closeForm();
    WS.toast(navigator.onLine ? "已保存，正在同步。" : "已保存在本设备，联网后自动同步。", "info");
    await renderBadge();
    await refresh();
    if (navigator.onLine) sync();
  }

  /* ---- the layer ---- */
  let layer = null;
  let serverFeatures = [];
  let loadedOnline = false;

  function filters() {
    return { kind: $("ws-record-filter-kind").value, status: $("ws-record-filter-status").value };
  }

  async function loadServer() {
    if (!navigator.onLine) return;
    try {
      const { kind, status } = filters();
      // page by page (the list sends at most PAGE at once) until every match is here; a
      // record added meanwhile shifts the pages by one, so the ids are kept once each
      const byId = new Map();
      for (let offset = 0; ; offset += PAGE) {
        const answer = await WS.api(WS.url(API, { kind, status, limit: PAGE, offset }));
        answer.features.forEach((f) => byId.set(f.id, f));
        if (!answer.features.length || offset + answer.numberReturned >= answer.numberMatched) break;
      }
      serverFeatures = [...byId.values()];
      loadedOnline = true;
    } catch (err) {
      if (!err.offline) WS.toast(`巡查记录加载失败：${WS.errorText(err)}`, "error");
    }
  }

  /* What the layer shows: the server's records as last loaded (offline: as they were when the
   * network went), and this device's own records, pending ones first. After an offline start
   * only the device's own records are known. */
  async function items() {
    const local = await all("records");
    const photos = await all("photos");
    const { kind, status } = filters();
    const byId = new Map();
    if (loadedOnline) serverFeatures.forEach((f) => byId.set(f.id, { id: f.id, feature: f }));
    for (const r of local) {
      const known = byId.get(r.id);
      if (!r.pending && !r.error && known) {
        // the newer of the list's copy and the answer this device's last sync got
        const mine = r.server && r.server.properties.version;
        if (mine > known.feature.properties.version) known.feature = r.server;
        continue;
      }
      if (!r.pending && !r.error && navigator.onLine && loadedOnline) continue; // filtered out there
      const state = r.pending || r.error ? "pending" : (r.server && r.server.properties.status) || "open";
      if (kind && r.values.kind !== kind) continue;
      if (status && (state === "pending" ? "open" : state) !== status) continue;
      byId.set(r.id, { id: r.id, local: r, state, photos: photos.filter((p) => p.record_id === r.id) });
    }
    return [...byId.values()];
  }

  /* Rebuilding the markers closes an open popup: while one of ours is open (someone reading,
   * or typing a close note), a background sync's refresh waits until it closes. */
  let deferred = false;
  async function refresh() {
    if (!layer) return;
    const list = await items();
    // asked after reading the device's store: a popup opened meanwhile must not be closed
    if (layer.getLayers().some((m) => m.isPopupOpen())) {
      if (!deferred) {
        deferred = true;
        WS.map.once("popupclose", () => {
          deferred = false;
          refresh();
        });
      }
      return;
    }
    layer.clearLayers();
    const rows = [];
    for (const item of list) {
      const f = item.feature || (item.local.server && !item.local.pending ? item.local.server : null);
      const v = item.local ? item.local.values : null;
      const lat = f ? f.geometry.coordinates[1] : v.lat;
      const lon = f ? f.geometry.coordinates[0] : v.lon;
      const state = item.state || f.properties.status;
      const marker = L.circleMarker([lat, lon], {
        pane: "ws-records",
        radius: 8,
        color: "#fff",
        weight: 2,
        fillColor: COLOURS[state],
        fillOpacity: 0.95,
        dashArray: state === "pending" ? "3 3" : null,
      });
      marker.wsRecord = { id: item.id, state };
      // the popup's previews of photos not yet sent are blob URLs: released when it closes
      // (built again at each opening, they would otherwise hold the photos in memory)
      const blobs = [];
      marker.bindPopup(() => popupHtml(item, f, state, blobs), WS.POPUP);
      marker.on("popupclose", () => blobs.splice(0).forEach((url) => URL.revokeObjectURL(url)));
      marker.addTo(layer);
      const p = f && state !== "pending" ? f.properties : v;
      rows.push({ id: item.id, state, kind: p.kind, severity: p.severity, notes: p.notes, at: p.observed_at || "" });
    }
    listRows(rows);
    $("ws-record-count").textContent = `${list.length} 条`;
    document.body.dataset.recordsShown = String(list.length);
  }

  /* The panel's list, newest first: a tap takes the map to the record and opens it (a team
     finds its records without hunting for dots). */
  function listRows(rows) {
    rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    $("ws-record-list").innerHTML = rows
      .map((r) => {
        const when = r.at ? new Date(r.at).toLocaleString("zh-CN", { dateStyle: "short", timeStyle: "short" }) : "";
        return `<li><button type="button" class="ws-record-row" data-record-go="${WS.esc(r.id)}">
          <span class="ws-swatch" style="background:${COLOURS[r.state]}"></span>
          <span class="ws-record-row-main"><strong>${WS.esc(r.kind)}</strong> · ${WS.esc(SEVERITIES[r.severity] || r.severity)} · ${WS.esc(STATUS[r.state])}
          <span class="ws-muted">${WS.esc(when)}${r.notes ? "，" + WS.esc(r.notes) : ""}</span></span></button></li>`;
      })
      .join("");
  }

  function goTo(id) {
    const marker = WS.records.marker(id);
    if (!marker) return;
    WS.map.setView(marker.getLatLng(), Math.max(WS.map.getZoom(), 16), { animate: false });
    marker.openPopup();
  }

  function popupHtml(item, f, state, blobs) {
    const p = f && state !== "pending" ? f.properties : Object.assign({}, item.local.values, { status: "pending" });
    const photos = f && state !== "pending" ? f.properties.photos : [];
    const imgs = photos
      .map((ph) => `<img class="ws-record-img" alt="巡查照片" loading="lazy" src="${API}/${WS.esc(item.id)}/photos/${WS.esc(ph.id)}">`)
      .join("");
    const localPhotos = (item.photos || []).filter((ph) => ph.data);
    const localImgs = localPhotos
      .map((ph) => {
        const url = URL.createObjectURL(new Blob([ph.data], { type: ph.type }));
        blobs.push(url);
        return `<img class="ws-record-img" alt="待上传照片" src="${url}">`;
      })
      .join("");
    const when = p.observed_at ? new Date(p.observed_at).toLocaleString("zh-CN") : "—";
    const rows = [
      ["类型", p.kind],
      ["严重程度", SEVERITIES[p.severity] || p.severity],
      ["状态", STATUS[p.status] || p.status],
      ["发现时间", when],
      ["说明", p.notes || "—"],
    ];
    if (p.created_by) rows.push(["记录人", p.created_by]);
    if (p.status === "closed") rows.push(["关闭说明", `${p.close_note}（${p.closed_by}）`]);
    if (item.local && item.local.error) rows.push(["未能同步", item.local.error]);
    const table = rows.map(([k, v]) => `<tr><th>${k}</th><td>${WS.esc(v)}</td></tr>`).join("");
    const conflicts = p.conflicts ? `<p class="ws-record-conflict">有 ${p.conflicts} 个未采用的版本（冲突），见历史。</p>` : "";
    const actions = [];
    if (mayWrite() && p.status !== "closed") actions.push(`<button type="button" class="ws-btn ws-btn-light" data-record-edit="${WS.esc(item.id)}">修改</button>`);
    if (f && state !== "pending") actions.push(`<button type="button" class="ws-btn ws-btn-light" data-record-history="${WS.esc(item.id)}">历史</button>`);
    const close =
      mayClose() && f && p.status === "open" && state !== "pending"
        ? `<div class="ws-record-close"><label for="ws-close-note">关闭说明</label>
           <input type="text" id="ws-close-note" class="form-control" maxlength="2000">
           <button type="button" class="ws-btn ws-btn-primary" data-record-close="${WS.esc(item.id)}">关闭</button></div>`
        : "";
    return `<div class="ws-record-popup" data-record="${WS.esc(item.id)}"><h3>巡查记录</h3><table class="ws-popup-table">${table}</table>
      ${conflicts}<div class="ws-record-imgs">${imgs}${localImgs}</div>
      <div class="ws-actions">${actions.join("")}</div>${close}<div class="ws-record-history"></div></div>`;
  }

  async function onPopupClick(ev) {
    const target = ev.target;
    if (target.dataset.recordEdit) {
      const id = target.dataset.recordEdit;
      const local = await get("records", id);
      const feature = serverFeatures.find((f) => f.id === id);
      if (local && (local.pending || !feature)) openForm(local);
      else {
        const copy = { id, values: {} };
        keepServerCopy(copy, feature);
        openForm(copy);
      }
      WS.map.closePopup();
    } else if (target.dataset.recordClose) {
      await closeRecord(target.dataset.recordClose, $("ws-close-note").value.trim());
    } else if (target.dataset.recordHistory) {
      await showHistory(target.dataset.recordHistory, target.closest(".ws-record-popup").querySelector(".ws-record-history"));
    }
  }

  async function closeRecord(id, note) {
    if (!note) return WS.toast("请填写关闭说明。", "error");
    if (!navigator.onLine) return WS.toast("关闭记录需要联网。", "error");
    try {
      await WS.api(`${API}/${id}/close`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ note }),
      });
      WS.map.closePopup();
      WS.toast("记录已关闭。", "info");
      await loadServer();
      await refresh();
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    }
  }

  async function showHistory(id, el) {
    try {
      const record = await WS.api(`${API}/${id}`);
      el.innerHTML = `<h4>历史版本</h4><ol>${record.history
        .map((h) => {
          const s = h.snapshot;
          const head = h.reason === "conflict" ? `未采用（冲突：${h.conflicts.map((c) => FIELD_LABELS[c] || c).join("、")}，基于第 ${h.based_on} 版）` : `第 ${h.version} 版`;
          return `<li class="ws-history-${WS.esc(h.reason)}">${WS.esc(head)} · ${WS.esc(h.written_by)}：${WS.esc(s.kind)}，${WS.esc(SEVERITIES[s.severity] || s.severity)}，${WS.esc(s.notes || "—")}</li>`;
        })
        .join("")}</ol>`;
    } catch (err) {
      el.textContent = WS.errorText(err);
    }
  }

  /* ---- start ---- */
  function fillSelects() {
    const options = (pairs) => pairs.map(([v, t]) => `<option value="${WS.esc(v)}">${WS.esc(t)}</option>`).join("");
    $("ws-record-kind").innerHTML = options(KINDS.map((k) => [k, k]));
    $("ws-record-severity").innerHTML = options(Object.entries(SEVERITIES));
    $("ws-record-filter-kind").innerHTML = options([["", "全部类型"], ...KINDS.map((k) => [k, k])]);
    $("ws-record-filter-status").innerHTML = options([["", "全部状态"], ["open", "未关闭"], ["closed", "已关闭"]]);
  }

  WS.records = {
    init() {
      fillSelects();
      // above the layers' polygons and the highlight (590), below the section markers (600)
      WS.map.createPane("ws-records").style.zIndex = 595;
      layer = L.layerGroup().addTo(WS.map);
      const swatch = `<span class="ws-swatch" style="background:${COLOURS.open}" data-layer="records"></span>`;
      WS.control.addOverlay(layer, `${swatch} 巡查记录`);
      $("ws-records-btn").addEventListener("click", () => $("ws-tab-btn-records").click());
      $("ws-record-new").addEventListener("click", () => openForm(null));
      $("ws-record-new").disabled = !mayWrite();
      if (!mayWrite()) $("ws-record-new").title = "新建巡查记录需要 analyst 及以上角色";
      $("ws-record-sync").addEventListener("click", () => sync());
      $("ws-record-gps").addEventListener("click", locate);
      $("ws-record-pick").addEventListener("click", pick);
      $("ws-record-cancel").addEventListener("click", closeForm);
      $("ws-record-photo").addEventListener("change", async (ev) => {
        await addPhotos([...ev.target.files]);
        ev.target.value = "";
      });
      $("ws-record-form").addEventListener("submit", saveDraft);
      for (const id of ["ws-record-filter-kind", "ws-record-filter-status"]) {
        $(id).addEventListener("change", async () => {
          await loadServer();
          await refresh();
        });
      }
      document.addEventListener("click", onPopupClick);
      $("ws-record-list").addEventListener("click", (ev) => {
        const row = ev.target.closest("[data-record-go]");
        if (row) goTo(row.dataset.recordGo);
      });
      window.addEventListener("online", () => sync());
      window.addEventListener("offline", () => sync()); // says 离线 and shows the device's records
      return loadServer().then(sync);
    },
    sync,
    refresh,
    pendingCount,
    /* The marker of a record, for its popup (tests, and a link from elsewhere). */
    marker: (id) => layer && layer.getLayers().find((m) => m.wsRecord.id === id),
  };
})();
