/* 耕地非农化候选 on the map: an overlay in the layer control (offered when a land-cover raster
 * is registered), filled from GET /api/rasters/landcover/nonfarm.geojson the first time it is
 * switched on. Candidates for a field check, never a verdict: a purple dashed outline over a
 * hatch, no status colour; the box at the bottom left says so and links the Excel list. */
(function () {
  "use strict";
  const WS = window.WS;
  const NAME = '<span class="ws-nonfarm-swatch"></span>耕地非农化候选（需实地核查）';
  const STYLE = { color: "#6a1b9a", weight: 2, dashArray: "5 3", fillOpacity: 1, className: "ws-nonfarm" };
  let layer = null;
  let info = null;
  let answer = null; // the GeoJSON, once loaded

  WS.nonfarm = {
    get layer() {
      return layer;
    },
    init() {
      if (!(WS.config().rasters || []).includes("landcover")) return;
      hatchPattern();
      layer = L.geoJSON(null, {
        style: () => STYLE,
        onEachFeature: (feature, sub) => sub.bindPopup(() => popupHtml(feature.properties), Object.assign({ minWidth: 220 }, WS.POPUP)),
      });
      layer.on("add", show);
      layer.on("remove", () => info && info.remove());
      WS.control.addOverlay(layer, NAME);
    },
  };

  /* Called once the page's own start-up is done (ws-core.js), without touching it. */
  const start = WS.start;
  WS.start = async function (...args) {
    await start.apply(this, args);
    WS.nonfarm.init();
  };

  /* The hatch, an SVG pattern the overlay's paths fill with (app.css .ws-nonfarm). */
  function hatchPattern() {
    if (document.getElementById("ws-nonfarm-hatch")) return;
    const holder = document.createElement("div");
    holder.innerHTML = `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
      <pattern id="ws-nonfarm-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="8" height="8" fill="#6a1b9a" fill-opacity="0.08"/><line x1="0" y1="0" x2="0" y2="8" stroke="#6a1b9a" stroke-width="2" stroke-opacity="0.55"/>
      </pattern></defs></svg>`;
    document.body.appendChild(holder.firstChild);
  }

  function url(ext) {
    return `${WS.config().endpoints.nonfarm}.${ext}`;
  }

  async function show() {
    if (!info) info = infoControl();
    info.addTo(WS.map);
    if (answer) return render();
    setInfo('<p class="ws-muted">正在筛查耕地图斑…</p>');
    try {
      answer = await WS.api(url("geojson"));
    } catch (err) {
      return setInfo(`<p class="ws-muted">${WS.esc(WS.errorText(err))}</p>`);
    }
    layer.addData(answer);
    render();
  }

  function render() {
    const n = answer.features.length;
    const rule = `非耕地覆盖 &gt; ${WS.num(100 * answer.threshold, 0)}%`;
    const undetermined = answer.undetermined ? `；另有 ${answer.undetermined} 块栅格覆盖不足，无法判定` : "";
    setInfo(`<h4><span class="ws-nonfarm-swatch"></span>耕地非农化候选（需实地核查）</h4>
      <p><strong data-count="${n}">${n}</strong> 块（${rule}，共筛查 ${answer.parcels} 块耕地${undetermined}）</p>
      <p class="ws-muted">依据土地覆盖栅格筛出，供实地核查，不是违法认定。</p>
      <p><a class="ws-nonfarm-xlsx" href="${WS.esc(url("xlsx"))}" download>下载候选清单（Excel）</a></p>`);
  }

  function infoControl() {
    const control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      const div = L.DomUtil.create("div", "ws-nonfarm-info");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control;
  }

  function setInfo(html) {
    const el = info && info.getContainer();
    if (el) el.innerHTML = html;
  }

  function popupHtml(p) {
    const rows = [
      ["标识码 BSM", WS.esc(p.bsm)],
      ["坐落", WS.esc(p.zldwmc || "—")],
      ["地类编码", WS.esc(p.dlbm)],
      ["图斑面积", WS.areaText(p.area_m2)],
      ["非耕地覆盖比例", WS.percent(p.nonfarm_share)],
    ]
      .map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`)
      .join("");
    return `<div class="ws-popup ws-popup-nonfarm" data-bsm="${WS.esc(p.bsm)}">
      <div class="ws-popup-layer">耕地非农化候选 · 需实地核查</div>
      <h3>${WS.esc(p.zldwmc || "耕地图斑")} <small>${WS.esc(p.bsm)}</small></h3>
      <table class="ws-props">${rows}</table>
      <p class="ws-muted">土地覆盖栅格显示该耕地图斑多为非耕地覆盖：列为候选，需实地核查，不是认定。</p></div>`;
  }
})();
