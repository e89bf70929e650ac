/* Registry layers: GeoJSON layers filled from /api/layers/{key}.geojson, vector tiles from
 * /ogc, their popups, finding features by (layer, id), and highlighting evidence. */
(function () {
  "use strict";
  const WS = window.WS;
  const MARKER_LAYERS = { sections: "ws-section-marker", reservoirs: "ws-reservoir-marker" };
  const HIGHLIGHT = { color: "#d500f9", weight: 4, opacity: 1, fillOpacity: 0.12, fillColor: "#d500f9" };

  /* ---- popups of plain layers ---- */
  function fieldValue(value, format) {
    if (value == null || value === "") return null;
    if (format === "area_m2") return WS.areaText(Number(value));
    if (format === "datetime") return WS.esc(String(value).replace("T", " ").slice(0, 16));
    return WS.esc(value);
  }

  WS.popupTable = function (rows) {
    const body = rows
      .filter(([, v]) => v != null)
      .map(([label, value]) => `<tr><th>${WS.esc(label)}</th><td>${value}</td></tr>`)
      .join("");
    return `<table class="ws-props">${body}</table>`;
  };

  WS.featurePopup = function (key, props) {
    const cfg = WS.layerConfig(key);
    if (key === "reservoirs") return WS.reservoirPopup(props);
    const rows = cfg.popup_fields.map(([field, label, format]) => [label, fieldValue(props[field], format)]);
    const title = cfg.label_field && props[cfg.label_field] ? props[cfg.label_field] : cfg.name;
    return `<div class="ws-popup"><div class="ws-popup-layer">${WS.esc(cfg.name)}</div>
      <h3>${WS.esc(title)}</h3>${WS.popupTable(rows)}</div>`;
  };

  /* ---- reservoirs ---- */
  WS.reservoirPopup = function (p) {
    const rows = [
      ["规模", WS.esc(p.scale)],
      ["编码", WS.esc(p.code)],
      ["总库容", p.capacity_10k_m3 == null ? null : `${WS.num(p.capacity_10k_m3, 2)} 万m³`],
      ["正常蓄水位", p.normal_level_m == null ? null : `${WS.num(p.normal_level_m, 2)} m`],
      ["汛限水位", p.flood_limit_level_m == null ? null : `${WS.num(p.flood_limit_level_m, 2)} m`],
      ["建成日期", p.completed_on ? WS.esc(p.completed_on) : null],
      ["最近安全鉴定", p.last_appraisal_on ? WS.esc(p.last_appraisal_on) : "无记录"],
      ["饮用水水源地", p.drinking_source ? "是" : null],
    ];
    const overdue = WS.checks && WS.checks.isOverdueReservoir(p.id);
    const badges = [
      overdue ? '<span class="ws-badge ws-badge-fail">大坝安全鉴定逾期</span>' : "",
      p.bloom_risk ? '<span class="ws-badge ws-badge-bloom">水华风险水库</span>' : "",
    ].join(" ");
    const known = trophicTexts[`${p.code}|${WS.state.period}`];
    const trophic = p.bloom_risk
      ? `<div class="ws-trophic" data-code="${WS.esc(p.code)}">${known || "营养状态：正在查询…"}</div>`
      : "";
    return `<div class="ws-popup"><div class="ws-popup-layer">水库</div><h3>${WS.esc(p.name)}</h3>
      <div class="ws-badges">${badges}</div>${WS.popupTable(rows)}${trophic}</div>`;
  };

  /* The trophic state (TLI) of a bloom-risk reservoir for the period, kept per period. */
  const trophicTexts = {};
  async function fillTrophic(popup, code) {
    const period = WS.state.period;
    const cacheKey = `${code}|${period}`;
    if (trophicTexts[cacheKey]) return;
    const url = WS.url(WS.config().endpoints.reservoirTrophic.replace("{code}", encodeURIComponent(code)), { period });
    try {
      const t = await WS.api(url);
      trophicTexts[cacheKey] = t.index == null
        ? "营养状态：暂无评价数据"
        : `营养状态：<strong>${WS.esc(t.grade)}</strong>（TLI ${WS.num(t.index, 1)}）` +
          (t.complete ? "" : `<br><span class="ws-flag ws-status-insufficient">${WS.esc(t.note)}</span>`);
    } catch (err) {
      trophicTexts[cacheKey] = "营养状态：暂无评价数据";
    }
    if (popup.isOpen()) popup.update();
  }

  /* A 44 px touch target around a small coloured symbol; data-* attributes name the feature. */
  WS.markerIcon = function (key, props, opts) {
    const o = opts || {};
    const classes = [MARKER_LAYERS[key] || "ws-point-marker"].concat(o.classes || []);
    if (key === "reservoirs" && props.scale === "中型") classes.push("ws-medium");
    if (key === "reservoirs" && props.bloom_risk) classes.push("ws-bloom");
    const fill = o.colour ? ` style="background:${o.colour}"` : "";
    const code = props.code ? ` data-code="${WS.esc(props.code)}"` : "";
    const grade = o.grade !== undefined ? ` data-grade="${o.grade == null ? "" : o.grade}"` : "";
    return L.divIcon({
      className: `ws-marker ${classes.join(" ")}`,
      html: `<span class="ws-dot" data-layer="${key}" data-id="${WS.esc(props.id)}"${code}${grade}${fill}></span>`,
      iconSize: [44, 44],
      iconAnchor: [22, 22],
      popupAnchor: [0, -12],
    });
  };

  /* Names on the map for touch screens (no hover): sections, reservoirs and rivers, each
   * from the zoom at which they stop crowding each other (the district fits at z10). */
  const LABEL_ZOOM = { sections: 12, reservoirs: 12, rivers: 11 };
  function label(key, feature, sub) {
    if (!(key in LABEL_ZOOM)) return;
    const p = feature.properties;
    const text = p.name || p.code;
    if (!text) return;
    const point = key !== "rivers";
    sub.bindTooltip(WS.esc(text), {
      permanent: true,
      interactive: false,
      direction: point ? "bottom" : "center",
      offset: point ? [0, 12] : [0, 0],
      className: `ws-label ws-label-${key}`,
    });
  }
  WS.labelZoom = LABEL_ZOOM;
  WS.updateLabels = function () {
    const zoom = WS.map.getZoom();
    const box = WS.map.getContainer();
    for (const [key, min] of Object.entries(LABEL_ZOOM)) box.classList.toggle(`ws-hide-label-${key}`, zoom < min);
  };

  WS.geoJsonLayer = function (key) {
    const cfg = WS.layerConfig(key);
    const style = Object.assign({ pane: cfg.pane }, cfg.style);
    const layer = L.geoJSON(null, {
      pane: cfg.pane,
      style: () => style,
      pointToLayer(feature, latlng) {
        const name = feature.properties[cfg.label_field] || cfg.name;
        const marker = L.marker(latlng, {
          pane: cfg.pane,
          icon: WS.markerIcon(key, feature.properties),
          keyboard: true,
          title: key === "sections" ? "" : name,
          alt: name,
          riseOnHover: true,
        });
        return marker;
      },
      onEachFeature(feature, sub) {
        label(key, feature, sub);
        if (key === "sections") return WS.sections.bind(feature, sub);
        sub.bindPopup(() => WS.featurePopup(key, feature.properties), Object.assign({ minWidth: 220 }, WS.POPUP));
        if (key === "reservoirs" && feature.properties.bloom_risk) {
          sub.on("popupopen", (e) => fillTrophic(e.popup, feature.properties.code));
        }
      },
    });
    layer.wsKey = key;
    return layer;
  };

  WS.loadLayers = async function () {
    const geojson = WS.config().layers.filter((l) => l.geojson_url);
    await WS.pool(geojson, 4, async (cfg) => {
      try {
        const data = await WS.api(cfg.geojson_url);
        WS.layers[cfg.key].addData(data);
      } catch (err) {
        WS.toast(`${cfg.name}：${WS.errorText(err)}`, "error");
      }
    });
    fitToData();
  };

  function fitToData() {
    for (const key of ["district", "units", "sections", "rivers"]) {
      const layer = WS.layers[key];
      if (layer && layer.getLayers && layer.getLayers().length) {
        WS.map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
        return;
      }
    }
  }

  /* ---- vector tiles ---- */
  WS.tileOptions = function (key) {
    const cfg = WS.layerConfig(key);
    const farmland = new Set(WS.config().farmlandCodes);
    const base = Object.assign({ fill: true, fillOpacity: 0.35, weight: 1 }, cfg.style);
    const other = { fill: true, fillColor: "#bdbdbd", fillOpacity: 0.08, color: "#9e9e9e", weight: 0.4 };
    const styleOf = (props) => (key === "farmland" && !farmland.has(props.dlbm) ? other : base);
    const styles = { default: styleOf };
    styles[key] = styleOf;
    styles[cfg.collection] = styleOf;
    return {
      pane: cfg.pane,
      interactive: true,
      minZoom: WS.config().tileMinZoom,
      // z16 tiles are drawn larger above z16 (0.13 m per tile unit there: finer than the
      // survey), so an offline area's z13–z16 tiles serve every zoom.
      maxNativeZoom: 16,
      vectorTileLayerStyles: styles,
      getFeatureId: (f) => f.properties.id,
    };
  };

  function bindTileClicks() {
    for (const cfg of WS.config().layers.filter((l) => l.tiles_url)) {
      WS.layers[cfg.key].on("click", (e) => {
        L.popup(WS.POPUP)
          .setLatLng(e.latlng)
          .setContent(WS.featurePopup(cfg.key, e.layer.properties || {}))
          .openOn(WS.map);
      });
    }
  }

  /* ---- features by (layer, id), highlight, zoom to evidence ---- */
  WS.findFeatures = function (key, ids) {
    const layer = WS.layers[key];
    if (!layer || !layer.eachLayer) return [];
    const wanted = new Set(ids.map(Number));
    const found = [];
    layer.eachLayer((sub) => {
      if (sub.feature && wanted.has(Number(sub.feature.properties.id))) found.push(sub);
    });
    return found;
  };

  let highlight = null;
  WS.clearHighlight = function () {
    if (highlight) WS.map.removeLayer(highlight);
    highlight = null;
  };

  async function tileFeatures(cfg, ids) {
    const url = WS.url(WS.config().endpoints.ogcItems.replace("{collection}", cfg.collection), {
      ids: ids.join(","),
      limit: ids.length,
    });
    const data = await WS.api(url, { headers: { Accept: "application/geo+json" } });
    return data.features || [];
  }

  /* Outline the features named in ``evidence`` ([{layer, id}]) and zoom to them. */
  WS.showEvidence = async function (evidence) {
    WS.clearHighlight();
    const byLayer = {};
    for (const e of evidence || []) (byLayer[e.layer] = byLayer[e.layer] || []).push(e.id);
    const group = L.featureGroup();
    for (const [key, ids] of Object.entries(byLayer)) {
      const cfg = WS.layerConfig(key);
      if (!cfg) continue;
      if (cfg.tiles_url) {
        try {
          const features = await tileFeatures(cfg, ids);
          L.geoJSON(features, { pane: "ws-highlight", style: () => HIGHLIGHT, interactive: false }).addTo(group);
        } catch (err) {
          WS.toast(WS.errorText(err), "error");
        }
        continue;
      }
      for (const sub of WS.findFeatures(key, ids)) {
        if (sub.getLatLng) {
          L.circleMarker(sub.getLatLng(), { pane: "ws-highlight", radius: 20, color: HIGHLIGHT.color, weight: 4, fill: false, interactive: false }).addTo(group);
        } else {
          L.geoJSON(sub.feature, { pane: "ws-highlight", style: () => HIGHLIGHT, interactive: false }).addTo(group);
        }
      }
    }
    if (!group.getLayers().length) {
      WS.toast("该项没有可在地图上定位的要素。", "info");
      return null;
    }
    highlight = group.addTo(WS.map);
    WS.map.fitBounds(group.getBounds(), { maxZoom: 15, padding: [40, 40] });
    return group;
  };

  WS.layersInit = function () {
    const pane = WS.map.createPane("ws-highlight");
    pane.style.zIndex = 590;
    pane.style.pointerEvents = "none";
    bindTileClicks();
    // Leaflet's default prefix links to its website: no link to another host on an offline map.
    if (WS.map.attributionControl) WS.map.attributionControl.setPrefix("Leaflet");
  };
})();
