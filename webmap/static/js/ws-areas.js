/* Offline areas (离线区域): before going out, a unit's vector tiles (z13–z16, the map's tiled
 * layers), its relief and land-cover basemap tiles (z10 to their native zoom) and the data the map shows (small layers, sections with their assessments and
 * charts for the period shown, the list evaluation) are stored on the device, in a cache
 * "ws-area-<unit>-<time>" the service worker falls back to (sw.js). The size is shown before
 * downloading (GET /map/offline-area measures every tile in PostGIS), a progress bar during;
 * stored areas are listed with size and as-of time, refreshed and deleted. */
(function () {
  "use strict";
  const WS = window.WS;
  const $ = (id) => document.getElementById(id);
  const KEY = "ws-areas"; // localStorage: {code: {name, cache, bytes, items, asOf}}
  const PARALLEL = 6;
  let plan = null;

  function stored() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "{}");
    } catch (err) {
      return {};
    }
  }

  function store(areas) {
    localStorage.setItem(KEY, JSON.stringify(areas));
  }

  function mb(bytes) {
    return `${WS.num(bytes / 1048576, bytes < 1048576 ? 2 : 1)} MB`;
  }

  /* The data every area holds besides tiles: what the map loads for the period shown. */
  function dataUrls() {
    const cfg = WS.config();
    const period = WS.state.period;
    const urls = [
      "/",
      cfg.endpoints.sections,
      `${cfg.endpoints.sections}/default-period`,
      WS.url(cfg.endpoints.checks, { period }),
      WS.url(cfg.endpoints.checks, {}),
      ...cfg.layers.filter((l) => l.geojson_url).map((l) => l.geojson_url),
      ...WS.sections.assessmentUrls(period),
      ...WS.sections.chartUrls(period),
      ...WS.sections.catchmentUrls(period).answers,
    ];
    return [...new Set(urls)];
  }
  /* Kept where the server has them: a section's catchment outline (a section without one
   * answers 404, which is no failure of the download; its popup says 无汇水区数据 from the
   * answer kept above). */
  function optionalUrls() {
    return WS.sections.catchmentUrls(WS.state.period).outlines;
  }

  /* Bytes of the data an area holds besides tiles: the copies the service worker keeps,
   * else fetched once (a few kilobytes each; the tiles dominate). */
  async function dataBytes(urls) {
    const sizes = await WS.pool(urls, PARALLEL, async (url) => {
      const href = new URL(url, location.origin).href;
      const hit = "caches" in window ? await caches.match(href, { ignoreVary: true }) : null;
      const response = hit || (await fetch(href, { credentials: "same-origin" }));
      return response.ok ? (await response.blob()).size : 0;
    });
    return sizes.reduce((sum, n) => sum + (typeof n === "number" ? n : 0), 0);
  }

  function tileUrl(template, [z, x, y]) {
    return template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
  }

  async function estimate() {
    const code = $("ws-area-unit").value;
    if (!code) return;
    $("ws-area-size").textContent = "正在计算…";
    $("ws-area-download").disabled = true;
    try {
      plan = await WS.api(WS.url("/map/offline-area", { unit: code }));
    } catch (err) {
      $("ws-area-size").textContent = WS.errorText(err);
      return;
    }
    const data = dataUrls();
    plan.data = data;
    plan.optional = optionalUrls();
    plan.estimate = plan.tile_bytes + plan.basemap_bytes + (await dataBytes([...data, ...plan.optional]));
    const fetched = plan.layers.reduce((n, l) => n + l.tiles.filter((t) => t[3] > 0).length, 0);
    const basemaps = plan.basemaps
      .map((b) => `；底图${b.name} ${b.tiles.length} 块（z${b.zooms[0]}–z${b.zooms[1]}，约 ${mb(b.bytes)}）`)
      .join("");
    $("ws-area-size").textContent =
      `${plan.unit.name}：约 ${mb(plan.estimate)}（瓦片 ${plan.tile_count} 个，z${plan.zooms[0]}–z${plan.zooms[1]}，` +
      `其中 ${fetched} 个有图斑${basemaps}；数据 ${data.length} 项）`;
    $("ws-area-size").dataset.bytes = String(plan.estimate);
    $("ws-area-download").disabled = false;
  }

  function stamp(body, headers) {
    const h = new Headers(headers || {});
    h.delete("Content-Encoding");
    h.delete("Content-Length");
    h.set("X-WS-Cached-At", new Date().toISOString());
    return h;
  }

  async function download() {
    if (!plan || !("caches" in window)) return;
    const { code, name } = plan.unit;
    const cacheName = `ws-area-${code}-${Date.now()}`;
    const cache = await caches.open(cacheName);
    const jobs = [...plan.data.map((url) => ({ url })), ...plan.optional.map((url) => ({ url, optional: true }))];
    for (const layer of plan.layers) {
      // the map's own tile URLs (with its ?properties=…): the cache is keyed by them
      const cfg = WS.layerConfig(layer.key);
      const template = (cfg && cfg.tiles_url) || layer.tiles_url;
      for (const tile of layer.tiles) jobs.push({ url: tileUrl(template, tile), empty: tile[3] === 0 });
    }
    // the relief and land-cover basemaps, at the URLs the map's base layers request
    for (const basemap of plan.basemaps) {
      for (const tile of basemap.tiles) jobs.push({ url: tileUrl(basemap.tiles_url, tile) });
    }
    const bar = $("ws-area-progress");
    bar.hidden = false;
    bar.max = jobs.length;
    bar.value = 0;
    let bytes = 0;
    let failed = 0;
    let kept = 0;
    $("ws-area-download").disabled = true;
    await WS.pool(jobs, PARALLEL, async (job) => {
      try {
        let response;
        if (job.empty) {
          // no feature there when measured: kept as an empty tile without a request
          response = new Response(new Blob([]), {
            status: 200,
            headers: stamp(null, { "Content-Type": "application/vnd.mapbox-vector-tile" }),
          });
        } else {
          const network = await fetch(job.url, { credentials: "same-origin" });
          if (job.optional && network.status === 404) return;
          if (!network.ok || network.redirected) throw new Error(`HTTP ${network.status}`);
          const body = await network.blob();
          bytes += body.size;
          response = new Response(body, { status: 200, headers: stamp(null, network.headers) });
        }
        await cache.put(new URL(job.url, location.origin).href, response);
        kept++;
      } catch (err) {
        failed++;
      } finally {
        bar.value += 1;
        $("ws-area-size").textContent = `正在下载 ${name}：${bar.value} / ${jobs.length}`;
      }
    });
    if (failed) {
      await caches.delete(cacheName);
      bar.hidden = true;
      $("ws-area-size").textContent = `下载未完成：${failed} 项失败，已放弃（原有离线区域保留），请联网后重试。`;
      $("ws-area-download").disabled = false;
      return;
    }
    const areas = stored();
    const previous = areas[code];
    areas[code] = { name, cache: cacheName, bytes, items: kept, asOf: new Date().toISOString() };
    store(areas);
    if (previous && previous.cache !== cacheName) await caches.delete(previous.cache); // refreshed
    bar.hidden = true;
    $("ws-area-size").textContent = `${name} 已保存到本设备：${mb(bytes)}，${kept} 项。`;
    $("ws-area-download").disabled = false;
    renderList();
  }

  function renderList() {
    const areas = stored();
    const codes = Object.keys(areas);
    $("ws-area-list").innerHTML = codes.length
      ? codes
          .map((code) => {
            const a = areas[code];
            const asOf = a.asOf.replace("T", " ").slice(0, 16);
            return `<li class="ws-area" data-unit="${WS.esc(code)}"><span class="ws-area-name">${WS.esc(a.name)}</span>
              <span class="ws-muted">${mb(a.bytes)} · ${a.items} 项 · 截至 ${WS.esc(asOf)} UTC</span>
              <span class="ws-area-actions"><button type="button" class="ws-btn ws-btn-light" data-area="refresh">刷新</button>
              <button type="button" class="ws-btn ws-btn-light" data-area="delete">删除</button></span></li>`;
          })
          .join("")
      : '<li class="ws-muted">尚无离线区域。</li>';
  }

  async function remove(code) {
    const areas = stored();
    if (!areas[code]) return;
    await caches.delete(areas[code].cache);
    delete areas[code];
    store(areas);
    renderList();
  }

  async function refresh(code) {
    $("ws-area-unit").value = code;
    await estimate();
    if (plan) await download();
  }

  WS.areas = {
    stored,
    init() {
      $("ws-area-estimate").addEventListener("click", estimate);
      $("ws-area-download").addEventListener("click", download);
      $("ws-area-unit").addEventListener("change", () => {
        plan = null;
        $("ws-area-download").disabled = true;
        $("ws-area-size").textContent = "";
      });
      $("ws-area-list").addEventListener("click", (ev) => {
        const button = ev.target.closest("button[data-area]");
        if (!button) return;
        const code = button.closest(".ws-area").dataset.unit;
        if (button.dataset.area === "delete") remove(code);
        else refresh(code);
      });
      renderList();
    },

    /* The units of the district, from the units layer once it is loaded. */
    fillUnits() {
      const units = [];
      WS.layers.units.eachLayer((l) => l.feature && units.push(l.feature.properties));
      units.sort((a, b) => String(a.code).localeCompare(String(b.code)));
      $("ws-area-unit").innerHTML = units.length
        ? units.map((u) => `<option value="${WS.esc(u.code)}">${WS.esc(u.name)}（${WS.esc(u.code)}）</option>`).join("")
        : '<option value="">无单元数据</option>';
    },
  };
})();
