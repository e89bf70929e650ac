/* The red-line check (红线检查) for land-use officers: draw or upload a project outline,
 * POST it to /api/overlap, show the areas per protected layer and how much of the project
 * the data cover (the part outside is 无法判定, in red, never 不涉及), outline the overlaps on
 * the map, print or download the filed report (printable page, PDF, Excel, JSON), and keep a list of one's saved checks
 * (打开 / 重命名 / 删除). A saved check is 拟建: it never counts in the bottom-line list. */
(function () {
  "use strict";
  const WS = window.WS;
  // 无法判定 is red like a conflict: it must never read as a pass
  const VERDICT_CLASS = { conflict: "fail", review: "warn", clear: "pass", undetermined: "fail" };
  const OUT = new Set(["partial", "undetermined"]);
  const SEVERITY = { prohibited: "禁止占用", restricted: "限制占用", informational: "提示" };
  let drawer = null;
  let overlay = null;
  let report = null;
  let lastInput = null; // {geojson} or {file}
  let keepView = false; // re-analysis after a vertex edit: do not move the map

  const $ = (id) => document.getElementById(id);

  function reportEl() {
    return $("ws-redline-report");
  }

  function clear() {
    stopSketch();
    if (overlay) WS.map.removeLayer(overlay);
    overlay = null;
    report = null;
    lastInput = null;
    submitted++; // an answer still on its way is for an outline no longer shown
    reportEl().innerHTML = "";
    delete reportEl().dataset.drawing;
    if (drawer) drawer.disable();
  }

  function params() {
    return { crs: $("ws-crs").value, gcj02: $("ws-gcj02").checked ? "true" : null };
  }

  // The POST options for an outline: the uploaded file as a form, or drawn GeoJSON.
  function postOf(input, accept) {
    const options = { method: "POST", headers: accept ? { Accept: accept } : {} };
    if (input.file) {
      const form = new FormData();
      form.append("file", input.file, input.file.name);
      options.body = form;
    } else {
      options.body = JSON.stringify(input.geojson);
      options.headers["Content-Type"] = "application/geo+json";
    }
    return options;
  }

  // The newest outline sent wins: an answer to an older one (an edit superseded by the next,
  // a drawing arriving late) is dropped, never shown over the newer figures.
  let submitted = 0;

  // The figures come first, without geometry (small and fast even for a large project); the
  // overlaps to draw follow in a second request (drawLater). A save asks for the drawing at
  // once, since the saved check keeps it.
  async function submit(input, extra) {
    const seq = ++submitted;
    const keep = keepView;
    keepView = false;
    lastInput = input;
    reportEl().innerHTML = '<p class="ws-muted">正在分析重叠情况…</p>';
    const save = Boolean(extra && extra.save);
    const query = Object.assign(params(), { geometry: save ? "display" : "none" }, extra || {});
    const url = WS.url(WS.config().endpoints.overlap, query);
    let answer;
    try {
      answer = await WS.api(url, postOf(input));
    } catch (err) {
      if (seq === submitted) reportEl().innerHTML = `<p class="ws-error">${WS.esc(WS.errorText(err))}</p>`;
      return null;
    }
    if (seq !== submitted) return null;
    report = answer;
    show(report, keep);
    if (!save) drawLater(report, seq);
    return report;
  }

  // The overlaps of a report fetched without geometry: the same check of the outline the
  // server returned (EPSG:4490, already converted and repaired), asking for the display drawing.
  async function drawLater(r, seq) {
    const hits = r.layers.filter((l) => l.area_m2 > 0);
    if (!hits.length) return;
    drawState("pending");
    const url = WS.url(WS.config().endpoints.overlap, { crs: "EPSG:4490", geometry: "display" });
    const body = { type: "Feature", properties: {}, geometry: r.project_geometry };
    try {
      const drawn = await WS.api(url, {
        method: "POST",
        headers: { "Content-Type": "application/geo+json" },
        body: JSON.stringify(body),
      });
      if (seq !== submitted || report !== r) return;
      const byLayer = new Map(drawn.layers.map((l) => [l.layer, l.geometry]));
      for (const l of hits) l.geometry = byLayer.get(l.layer) || null;
      drawOverlaps(r, true);
      drawState("done");
    } catch (err) {
      if (seq !== submitted || report !== r) return;
      drawState("failed");
      WS.toast(`重叠范围未能绘出（面积不受影响）：${WS.errorText(err)}`, "error");
    }
  }

  // data-drawing on the report: pending while the overlaps are fetched, done once drawn
  function drawState(state) {
    reportEl().dataset.drawing = state;
  }

  function layerStyle(key) {
    const cfg = WS.layerConfig(key);
    const colour = (cfg && (cfg.style.fillColor || cfg.style.color)) || "#d7301f";
    return { color: "#b71c1c", weight: 2, fillColor: colour, fillOpacity: 0.6, pane: "ws-highlight" };
  }

  function drawOverlaps(r, keep) {
    if (overlay) WS.map.removeLayer(overlay);
    overlay = L.featureGroup();
    const outline = { color: "#212121", weight: 3, dashArray: "8 6", fill: false, pane: "ws-highlight", interactive: false };
    L.geoJSON(r.project_geometry, { style: () => outline }).addTo(overlay);
    for (const l of r.layers) {
      if (!l.geometry || !(l.area_m2 > 0)) continue;
      L.geoJSON(l.geometry, { style: () => layerStyle(l.layer), interactive: false }).addTo(overlay);
    }
    const outside = r.coverage && r.coverage.outside_geometry;
    if (outside) {
      const style = { color: "#c00000", weight: 2, dashArray: "2 4", fillColor: "#c00000", fillOpacity: 0.25, pane: "ws-highlight", interactive: false };
      L.geoJSON(outside, { style: () => style }).addTo(overlay);
    }
    overlay.addTo(WS.map);
    if (!keep) WS.map.fitBounds(overlay.getBounds(), { maxZoom: 16, padding: [30, 30] });
  }

  function featuresHtml(l) {
    if (!l.features.length) return "";
    const items = l.features
      .map((f) => `<li>${WS.esc(f.name || `#${f.id}`)}：${WS.num(f.area_mu, 2)} 亩</li>`)
      .join("");
    return `<details class="ws-features"><summary>涉及要素 ${l.feature_count} 个</summary><ul>${items}</ul></details>`;
  }

  // 耕地 is filed net of 田坎 (TBDLMJ); layers declaring no net area have null here.
  function netHtml(l) {
    if (l.net_area_mu == null) return "";
    return `<p class="ws-net">扣除田坎等后 <strong data-field="net_area_mu">${WS.num(l.net_area_mu, 2)}</strong> 亩</p>`;
  }

  // The layer's own answer and its data coverage; reports saved before coverage was measured
  // have neither, and say so rather than imply full cover.
  function findingHtml(l) {
    if (!l.finding) return '<small class="ws-muted">保存时未量算覆盖范围</small>';
    const red = OUT.has(l.finding.status);
    const cover = `数据覆盖 <span data-field="covered_share">${WS.percent(l.coverage.covered_share)}</span>`;
    return `<small class="${red ? "ws-error ws-out" : "ws-muted"}" data-field="finding" data-finding="${WS.esc(l.finding.status)}">${WS.esc(l.finding.label)}（${cover}）</small>`;
  }

  function coverageHtml(r) {
    const c = r.coverage;
    if (!c) return "";
    const inside = `行政区界（数据范围）内 <strong data-field="covered_share">${WS.percent(c.covered_share)}</strong>`;
    const out = c.uncovered_m2 > 0
      ? `；<span class="ws-error ws-out" data-field="uncovered">界外 ${WS.num(c.uncovered_mu, 2)} 亩（${WS.percent(c.uncovered_share)}）无法判定（超出数据范围）</span>`
      : "";
    return `<p class="ws-coverage">${inside}${out}</p>`;
  }

  function statusHtml(r) {
    const status = r.project_status || "拟建";
    const note = r.project_status_note || "拟建项目不计入底线清单";
    return `<p class="ws-project-status">项目状态：<strong data-field="project_status">${WS.esc(status)}</strong>
      <small class="ws-muted" data-field="status_note">${WS.esc(note)}</small></p>`;
  }

  // A multi-plot file: each plot's area, overlaps and verdict, beside the total.
  function plotsHtml(r) {
    if (!r.plots || !r.plots.length) return "";
    const head = r.layers.map((l) => `<th>${WS.esc(l.name)}</th>`).join("");
    const row = (name, area, layers, verdict, cls) => `<tr class="${cls}"><th scope="row">${WS.esc(name)}</th>
      <td class="ws-num" data-field="plot_area_mu">${WS.num(area, 2)}</td>
      ${layers.map((l) => `<td class="ws-num">${WS.num(l.area_mu, 2)}</td>`).join("")}
      <td data-field="plot_verdict">${WS.esc(verdict.label)}</td></tr>`;
    const rows = r.plots.map((p) => row(p.name, p.area_mu, p.layers, p.verdict, "ws-plot")).join("");
    return `<details class="ws-plots" open><summary>分地块结果（${r.plots.length} 个地块，单位：亩）</summary>
      <div style="overflow-x:auto"><table class="ws-overlap-table"><thead><tr><th>地块</th><th>面积</th>${head}<th>结论</th></tr></thead>
      <tbody>${rows}${row("合计", r.project_area_mu, r.layers, r.verdict, "ws-plot-total")}</tbody></table></div></details>`;
  }

  function show(r, keep) {
    const v = r.verdict;
    const rows = r.layers
      .map((l) => {
        const hit = l.area_m2 > 0;
        return `<tr class="${hit ? "ws-hit" : ""}" data-layer="${WS.esc(l.layer)}">
          <th scope="row">${WS.esc(l.name)}<br><small class="ws-muted">${SEVERITY[l.severity] || ""}</small><br>${findingHtml(l)}</th>
          <td class="ws-num" data-field="area_mu">${WS.num(l.area_mu, 2)}</td>
          <td class="ws-num" data-field="area_m2">${WS.num(l.area_m2, 0)}</td>
          <td class="ws-num" data-field="share">${WS.percent(l.share)}</td></tr>
          ${hit ? `<tr class="ws-sub" data-sub-layer="${WS.esc(l.layer)}"><td colspan="4">${netHtml(l)}${featuresHtml(l)}</td></tr>` : ""}`;
      })
      .join("");
    const reasons = v.reasons
      .map((x) => `<li${x.severity === "undetermined" ? ' class="ws-error ws-out"' : ""}>${WS.esc(x.text)}</li>`)
      .join("");
    const notes = (r.input.notes || []).map((n) => `<li>${WS.esc(n)}</li>`).join("");
    const canSave = WS.allows("analyst") && !r.id;
    reportEl().innerHTML = `
      <div class="ws-verdict ws-status-${VERDICT_CLASS[v.status]}" data-verdict="${v.status}">
        <strong>${WS.esc(v.label)}</strong> ${WS.esc(v.summary)}</div>
      ${r.project_name ? `<p class="ws-project-name">项目：<strong>${WS.esc(r.project_name)}</strong>${r.id ? `（已保存，编号 ${r.id}）` : ""}</p>` : ""}
      ${statusHtml(r)}
      <p class="ws-project-area">项目面积：<strong data-field="project_area_mu">${WS.num(r.project_area_mu, 2)}</strong> 亩
        （<span data-field="project_area_m2">${WS.num(r.project_area_m2, 0)}</span> m²）</p>
      ${coverageHtml(r)}
      <table class="ws-overlap-table">
        <thead><tr><th>图层</th><th>重叠（亩）</th><th>重叠（m²）</th><th>占项目</th></tr></thead>
        <tbody>${rows}</tbody></table>
      ${plotsHtml(r)}
      ${reasons ? `<ul class="ws-reasons">${reasons}</ul>` : ""}
      ${notes ? `<details class="ws-notes"><summary>输入说明</summary><ul>${notes}</ul></details>` : ""}
      <div class="ws-actions">
        <button type="button" class="ws-btn ws-btn-light" id="ws-download-json">下载 JSON</button>
        <button type="button" class="ws-btn ws-btn-light" id="ws-download-xlsx">下载 Excel</button>
        <button type="button" class="ws-btn ws-btn-light" id="ws-print-report">打印报告</button>
        <button type="button" class="ws-btn ws-btn-light" id="ws-download-pdf">下载 PDF</button>
        ${canSave ? '<button type="button" class="ws-btn ws-btn-primary" id="ws-save-project">保存为项目</button>' : ""}
      </div>`;
    drawOverlaps(r, keep);
    drawState(r.layers.some((l) => l.area_m2 > 0 && !l.geometry) ? "pending" : "done");
    reportEl().scrollIntoView({ block: "start" });
  }

  function saveBlob(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }

  function baseName() {
    const stamp = new Date().toISOString().slice(0, 10);
    return report && report.id ? `红线检查报告-项目${report.id}` : `红线检查报告-${stamp}`;
  }

  // The filed report (html, pdf, xlsx): a saved check's by its number; an unsaved one is
  // checked afresh from the same input, so the document holds the server's figures.
  async function fetchDocument(fmt) {
    const base = WS.config().endpoints.overlap;
    if (report.id) return WS.request(`${base}/${report.id}.${fmt}`, { headers: { Accept: "*/*" } });
    if (!lastInput) throw new WS.ApiError(0, "请重新绘制或上传项目范围后再生成报告。");
    const url = WS.url(`${base}/report.${fmt}`, Object.assign(params(), { name: report.project_name }));
    return WS.request(url, postOf(lastInput, "*/*"));
  }

  async function downloadDocument(fmt) {
    try {
      saveBlob(await (await fetchDocument(fmt)).blob(), `${baseName()}.${fmt}`);
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    }
  }

  async function printReport() {
    // opened before the request, so no popup blocker takes it for an unsolicited window
    const win = window.open("", "_blank");
    try {
      const blob = await (await fetchDocument("html")).blob();
      const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
      if (win) win.location.href = url;
      else saveBlob(blob, `${baseName()}.html`);
    } catch (err) {
      if (win) win.close();
      WS.toast(WS.errorText(err), "error");
    }
  }

  async function saveProject() {
    const name = window.prompt("项目名称", (lastInput.file && lastInput.file.name) || "拟建项目");
    if (name === null) return;
    const saved = await submit(lastInput, { save: "true", name });
    // a saved check is not a project of the register: no layer to refresh, only the list
    if (saved) await loadSaved();
  }

  // --- the list of saved checks (own; an admin's: everyone's) ---------------------------

  function savedEl() {
    let el = $("ws-saved-checks");
    if (!el) {
      el = document.createElement("div");
      el.id = "ws-saved-checks";
      el.className = "ws-saved";
      reportEl().after(el);
    }
    return el;
  }

  async function loadSaved() {
    if (!WS.allows("analyst")) return;
    let items;
    try {
      items = await WS.api(WS.config().endpoints.overlap);
    } catch (err) {
      savedEl().innerHTML = `<p class="ws-error">${WS.esc(WS.errorText(err))}</p>`;
      return;
    }
    const rows = items
      .map(
        (p) => `<li data-saved-id="${p.id}">
          <span class="ws-saved-name">${WS.esc(p.name)}</span>
          <small class="ws-muted">编号 ${p.id} · ${WS.esc(p.status)} · ${WS.esc(p.verdict || "—")}${p.submitted_by ? ` · ${WS.esc(p.submitted_by)}` : ""}</small>
          <span class="ws-actions">
            <button type="button" class="ws-btn ws-btn-light" data-saved-action="open">打开</button>
            <button type="button" class="ws-btn ws-btn-light" data-saved-action="rename">重命名</button>
            <button type="button" class="ws-btn ws-btn-light" data-saved-action="delete">删除</button>
          </span></li>`
      )
      .join("");
    savedEl().innerHTML = `<details class="ws-saved-list" open><summary>已保存的核查（${items.length}）</summary>
      <p class="ws-muted">保存的核查均为 拟建：拟建项目不计入底线清单。</p>
      ${items.length ? `<ul>${rows}</ul>` : '<p class="ws-muted">暂无</p>'}</details>`;
  }

  async function openSaved(id) {
    try {
      const saved = await WS.api(`${WS.config().endpoints.overlap}/${id}`);
      submitted++; // a check still on its way must not replace the one opened
      lastInput = null;
      report = saved;
      show(saved);
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    }
  }

  async function renameSaved(id, current) {
    const name = window.prompt("新的项目名称", current);
    if (name === null || !name.trim()) return;
    try {
      await WS.api(`${WS.config().endpoints.overlap}/${id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: name.trim() }),
      });
      if (report && report.id === id) {
        report.project_name = name.trim();
        show(report);
      }
      await loadSaved();
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    }
  }

  async function deleteSaved(id, current) {
    if (!window.confirm(`删除已保存的核查「${current}」（编号 ${id}）？`)) return;
    try {
      await WS.request(`${WS.config().endpoints.overlap}/${id}`, { method: "DELETE" });
      if (report && report.id === id) clear();
      await loadSaved();
    } catch (err) {
      WS.toast(WS.errorText(err), "error");
    }
  }

  function onSavedClick(ev) {
    const action = ev.target.dataset.savedAction;
    if (!action) return;
    const item = ev.target.closest("[data-saved-id]");
    const id = Number(item.dataset.savedId);
    const name = item.querySelector(".ws-saved-name").textContent;
    if (action === "open") openSaved(id);
    else if (action === "rename") renameSaved(id, name);
    else if (action === "delete") deleteSaved(id, name);
  }

  // --- drawing: live area in 亩, snapping, vertex editing with undo ----------------------

  // Area on the CGCS2000 ellipsoid in a local plane (radii of curvature at the mean latitude):
  // within a few parts per million of the server's geodesic figure at project size, which
  // stays the filed one.
  const SEMI_MAJOR = 6378137;
  const FLATTENING = 1 / 298.257222101;
  const E2 = FLATTENING * (2 - FLATTENING);
  const M2_PER_MU = 10000 / 15;

  function areaM2(latlngs) {
    if (latlngs.length < 3) return 0;
    const rad = Math.PI / 180;
    const lat0 = (latlngs.reduce((s, p) => s + p.lat, 0) / latlngs.length) * rad;
    const w = 1 - E2 * Math.sin(lat0) ** 2;
    const meridional = (SEMI_MAJOR * (1 - E2)) / w ** 1.5;
    const normal = SEMI_MAJOR / Math.sqrt(w);
    const xy = latlngs.map((p) => [normal * Math.cos(lat0) * p.lng * rad, meridional * p.lat * rad]);
    let twice = 0;
    for (let i = 0; i < xy.length; i++) {
      const [x0, y0] = xy[i];
      const [x1, y1] = xy[(i + 1) % xy.length];
      twice += x0 * y1 - x1 * y0;
    }
    return Math.abs(twice) / 2;
  }

  function showLiveArea(latlngs) {
    const text = latlngs.length < 3 ? "—" : WS.num(areaM2(latlngs) / M2_PER_MU, 2);
    for (const el of document.querySelectorAll("[data-field=live_area_mu]")) el.textContent = text;
  }

  function drawingLatLngs(extra) {
    const points = drawer && drawer._poly ? drawer._poly.getLatLngs().slice() : [];
    return extra ? points.concat([extra]) : points;
  }

  // Snapping: at zoom 16 and closer, a drawn vertex within a few pixels of a parcel's,
  // 永久基本农田's or 生态保护红线's vertex takes its exact position.
  const SNAP_ZOOM = 16;
  const SNAP_PIXELS = 12;
  const SNAP_VIEW = 0.03; // degrees, the widest view the server answers
  let snapPoints = [];
  let snapBox = null;

  async function loadSnapPoints() {
    if (!(drawer || sketch) || WS.map.getZoom() < SNAP_ZOOM) return;
    const b = WS.map.getBounds();
    if (snapBox && snapBox.contains(b)) return;
    const c = b.getCenter();
    const half = Math.min(SNAP_VIEW / 2 - 1e-6, Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth()) * 0.75);
    const box = L.latLngBounds([c.lat - half, c.lng - half], [c.lat + half, c.lng + half]);
    const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()].map((v) => v.toFixed(7)).join(",");
    try {
      const body = await WS.api(WS.url(`${WS.config().endpoints.overlap}/vertices`, { bbox }));
      snapPoints = body.vertices.map(([lng, lat]) => L.latLng(lat, lng));
      snapBox = box;
    } catch (err) {
      snapPoints = [];
    }
  }

  function snap(latlng) {
    if (WS.map.getZoom() < SNAP_ZOOM || !snapPoints.length) return latlng;
    const at = WS.map.latLngToContainerPoint(latlng);
    let best = null;
    let bestDistance = SNAP_PIXELS;
    for (const p of snapPoints) {
      const d = at.distanceTo(WS.map.latLngToContainerPoint(p));
      if (d <= bestDistance) {
        best = p;
        bestDistance = d;
      }
    }
    return best ? L.latLng(best.lat, best.lng) : latlng;
  }

  // Editing: the drawn outline stays on the map with draggable vertices; every change is
  // re-analysed, and 撤销修改 steps back through the changes.
  let sketch = null;
  let sketchHistory = [];
  let sketchCurrent = null;
  let reanalyse = null;

  function cloneLatLngs(latlngs) {
    return latlngs.map((p) => (Array.isArray(p) ? cloneLatLngs(p) : L.latLng(p.lat, p.lng)));
  }

  function sketchBar() {
    let bar = $("ws-sketch-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "ws-sketch-bar";
      bar.className = "ws-sketch-bar";
      bar.innerHTML = `<p class="ws-muted">拖动拐点可修改范围，修改后自动重新分析。面积
        <strong data-field="live_area_mu">—</strong> 亩</p>
        <div class="ws-actions"><button type="button" class="ws-btn ws-btn-light" id="ws-sketch-undo" disabled>撤销修改</button>
        <button type="button" class="ws-btn ws-btn-light" id="ws-sketch-done">完成修改</button></div>`;
      reportEl().before(bar);
      $("ws-sketch-undo").addEventListener("click", undoSketch);
      $("ws-sketch-done").addEventListener("click", () => stopSketch());
    }
    return bar;
  }

  function startSketch(latlngs) {
    stopSketch();
    sketch = L.polygon(latlngs, { color: "#212121", weight: 2, fillOpacity: 0.05, pane: "ws-highlight" }).addTo(WS.map);
    sketch.editing.enable();
    sketchHistory = [];
    sketchCurrent = cloneLatLngs(sketch.getLatLngs());
    sketch.on("edit", onSketchEdit);
    sketchBar().hidden = false;
    showLiveArea(sketch.getLatLngs()[0]);
  }

  function stopSketch() {
    if (!sketch) return;
    sketch.editing.disable();
    WS.map.removeLayer(sketch);
    sketch = null;
    sketchHistory = [];
    clearTimeout(reanalyse);
    const bar = $("ws-sketch-bar");
    if (bar) bar.hidden = true;
  }

  function submitSketch() {
    clearTimeout(reanalyse);
    reanalyse = setTimeout(() => {
      keepView = true;
      submit({ geojson: sketch.toGeoJSON(false) });
    }, 400);
  }

  // A dragged vertex snaps like a drawn one (the others were placed or snapped already).
  function snapSketch() {
    const ring = sketch.getLatLngs()[0];
    const snapped = ring.map(snap);
    if (snapped.every((p, i) => p.equals(ring[i]))) return;
    sketch.editing.disable();
    sketch.setLatLngs([snapped]);
    sketch.editing.enable();
  }

  function onSketchEdit() {
    snapSketch();
    sketchHistory.push(sketchCurrent);
    sketchCurrent = cloneLatLngs(sketch.getLatLngs());
    $("ws-sketch-undo").disabled = false;
    showLiveArea(sketch.getLatLngs()[0]);
    submitSketch();
  }

  function undoSketch() {
    if (!sketch || !sketchHistory.length) return;
    sketchCurrent = sketchHistory.pop();
    sketch.editing.disable();
    sketch.setLatLngs(cloneLatLngs(sketchCurrent));
    sketch.editing.enable();
    $("ws-sketch-undo").disabled = !sketchHistory.length;
    showLiveArea(sketch.getLatLngs()[0]);
    submitSketch();
  }

  function startDrawing() {
    clear();
    WS.ui.showMapOnSmallScreens();
    drawer = new L.Draw.Polygon(WS.map, {
      allowIntersection: false,
      showArea: false,
      shapeOptions: { color: "#212121", weight: 3, dashArray: "8 6", fillOpacity: 0.05 },
    });
    const addVertex = drawer.addVertex;
    drawer.addVertex = function (latlng) {
      addVertex.call(this, snap(latlng));
      showLiveArea(drawingLatLngs());
    };
    drawer.enable();
    showLiveArea([]);
    loadSnapPoints();
  }

  function localiseDraw() {
    const t = L.drawLocal.draw.handlers.polygon.tooltip;
    t.start = "点击地图开始绘制项目范围";
    t.cont = "点击继续添加拐点";
    t.end = "点击第一个拐点结束绘制";
    L.drawLocal.draw.handlers.polyline.error = "<strong>错误：</strong>边界不能自相交！";
    L.drawLocal.draw.toolbar.actions.text = "取消";
    L.drawLocal.draw.toolbar.finish.text = "完成";
    L.drawLocal.draw.toolbar.undo.text = "撤销上一点";
  }

  WS.redline = {
    submit,
    areaM2,
    sketch: () => sketch,
    snapCount: () => snapPoints.length,
    drawing: () => drawingLatLngs().map((p) => [p.lng, p.lat]),
    undoSketch,
    report: () => report,
    loadSaved,
    init() {
      localiseDraw();
      savedEl().addEventListener("click", onSavedClick);
      loadSaved();
      $("ws-draw").addEventListener("click", startDrawing);
      $("ws-redline-clear").addEventListener("click", clear);
      $("ws-upload-btn").addEventListener("click", () => $("ws-upload").click());
      $("ws-upload").addEventListener("change", (ev) => {
        const file = ev.target.files[0];
        ev.target.value = "";
        if (!file) return;
        clear();
        submit({ file });
      });
      const bar = $("ws-draw-bar");
      bar.insertAdjacentHTML("afterbegin", '<span class="ws-draw-area" style="margin-right:.5em">面积 <strong data-field="live_area_mu">—</strong> 亩</span>');
      WS.map.on("mousemove", (ev) => {
        if (drawer && drawer._enabled && drawer._markers && drawer._markers.length >= 2) {
          showLiveArea(drawingLatLngs(snap(ev.latlng)));
        }
      });
      WS.map.on("moveend", loadSnapPoints);
      WS.map.on(L.Draw.Event.DRAWSTART, () => (bar.hidden = false));
      WS.map.on(L.Draw.Event.DRAWSTOP, () => (bar.hidden = true));
      bar.addEventListener("click", (ev) => {
        const action = ev.target.dataset.draw;
        if (!drawer || !action) return;
        if (action === "finish") drawer.completeShape();
        else if (action === "undo") {
          drawer.deleteLastVertex();
          showLiveArea(drawingLatLngs());
        }
        else drawer.disable();
      });
      WS.map.on(L.Draw.Event.CREATED, (ev) => {
        drawer = null;
        startSketch(ev.layer.getLatLngs());
        // unrounded: Leaflet's default 6 decimals move vertices by up to 5 cm, enough to
        // shift a drawn outline's area by a few m²
        submit({ geojson: ev.layer.toGeoJSON(false) });
      });
      reportEl().addEventListener("click", (ev) => {
        if (!report) return;
        if (ev.target.id === "ws-download-json") {
          saveBlob(new Blob([JSON.stringify(report, null, 2)], { type: "application/json" }), `${baseName()}.json`);
        } else if (ev.target.id === "ws-download-xlsx") {
          downloadDocument("xlsx");
        } else if (ev.target.id === "ws-download-pdf") {
          downloadDocument("pdf");
        } else if (ev.target.id === "ws-print-report") {
          printReport();
        } else if (ev.target.id === "ws-save-project") {
          saveProject();
        }
      });
    },
  };
})();
