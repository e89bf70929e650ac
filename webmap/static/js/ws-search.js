/* The search box (搜索): sections, reservoirs, rivers, units, villages (坐落单位), parcels by
 * BSM, 永久基本农田 by 图斑编号 and 生态保护红线 by code or name (GET /map/search). Offline,
 * the layers kept on the device are searched instead (not the parcels, which are tiles). */
(function () {
  "use strict";
  const WS = window.WS;
  const LOCAL = { sections: "水质断面", reservoirs: "水库", rivers: "河流", units: "单元", eco_redline: "生态保护红线" };
  let timer = null;
  let asked = 0;

  /* Offline: the GeoJSON layers the page holds, by code or name. */
  function localHits(q) {
    const needle = q.toLowerCase();
    const hits = [];
    for (const [key, kindZh] of Object.entries(LOCAL)) {
      const layer = WS.layers[key];
      if (!layer || !layer.eachLayer) continue;
      layer.eachLayer((sub) => {
        const p = (sub.feature && sub.feature.properties) || {};
        const names = [p.code, p.name, p.alias].filter(Boolean).map(String);
        if (!names.some((n) => n.toLowerCase().includes(needle))) return;
        const b = sub.getBounds ? sub.getBounds() : L.latLngBounds([sub.getLatLng(), sub.getLatLng()]);
        hits.push({
          kind: key === "sections" ? "section" : key,
          kind_zh: kindZh,
          code: p.code || null,
          label: p.name || p.code,
          bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        });
      });
    }
    return hits.slice(0, 20);
  }

  function render(list, hits, note) {
    list.hidden = false;
    const items = hits.map(
      (h, i) => `<li><button type="button" class="ws-search-hit" data-index="${i}" data-kind="${WS.esc(h.kind)}">
        <span class="ws-search-label">${WS.esc(h.label || h.code)}</span>
        <span class="ws-muted">${WS.esc(h.kind_zh)}${h.code && h.code !== h.label ? ` · ${WS.esc(h.code)}` : ""}</span></button></li>`
    );
    list.innerHTML =
      (note ? `<li class="ws-search-note">${WS.esc(note)}</li>` : "") +
      (items.join("") || '<li class="ws-muted ws-search-none">没有找到</li>');
    list.hits = hits;
  }

  function go(hit) {
    if (hit.kind === "section" && hit.code && WS.sections.get(hit.code)) {
      WS.sections.open(hit.code);
      return;
    }
    const [w, s, e, n] = hit.bbox;
    if (w === e && s === n) WS.map.setView([s, w], Math.max(WS.map.getZoom(), 15));
    else WS.map.fitBounds([[s, w], [n, e]], { maxZoom: 16, padding: [30, 30] });
  }

  async function run(input, list) {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      list.hidden = true;
      return;
    }
    let hits;
    let note = "";
    try {
      hits = await WS.api(WS.url("/map/search", { q }));
    } catch (err) {
      if (!err.offline) {
        if (mine === asked) render(list, [], WS.errorText(err));
        return;
      }
      hits = localHits(q);
      note = "离线：只搜索本设备保存的图层（不含图斑、村）";
    }
    if (mine === asked) render(list, hits, note);
  }

  WS.search = {
    control() {
      const control = L.control({ position: "topleft" });
      control.onAdd = function () {
        const box = L.DomUtil.create("div", "ws-search leaflet-bar");
        box.innerHTML = `<input type="search" id="ws-search" class="form-control" placeholder="搜索断面、水库、村、图斑BSM、红线编号"
            aria-label="搜索" autocomplete="off" enterkeyhint="search"><ul class="ws-search-results" id="ws-search-results" hidden></ul>`;
        const input = box.querySelector("input");
        const list = box.querySelector("ul");
        input.addEventListener("input", () => {
          clearTimeout(timer);
          timer = setTimeout(() => run(input, list), 300);
        });
        input.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter") {
            clearTimeout(timer);
            run(input, list);
          } else if (ev.key === "Escape") list.hidden = true;
        });
        list.addEventListener("click", (ev) => {
          const button = ev.target.closest(".ws-search-hit");
          if (!button) return;
          list.hidden = true;
          go(list.hits[Number(button.dataset.index)]);
        });
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      return control;
    },
  };
})();
