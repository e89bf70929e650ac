/* Monitoring sections: coloured by their class over the selected period, with a popup that
 * shows the class against the section's own target (达标) and 优良 (Ⅰ–Ⅲ), the sample count and
 * months behind it, the main pollutants and a twelve-month chart. A period whose samples fall
 * below the evaluation method's rule is 数据不足 (hatched), apart from 无数据 (grey).
 * Below: what drains to the section (汇水区溯源, GET /api/sections/{code}/catchment for the
 * period shown): the tree of sections up and down (clickable), the catchment's areas and
 * land, and for a failing section which upstream sections fail too; 显示汇水区 draws the
 * catchment and its incremental part on the map while the popup is open. */
(function () {
  "use strict";
  const WS = window.WS;
  const byCode = {}; // code -> {feature, marker, info, assessment}
  let list = [];
  let defaultPeriod = null; // GET /api/sections/default-period: the latest year meeting the rule

  function entry(code) {
    return (byCode[code] = byCode[code] || { code });
  }

  WS.sections = {
    all: () => Object.values(byCode),
    get: (code) => byCode[code],

    /* GET /api/sections: control level, target and the span of each section's samples. */
    async loadList() {
      const base = WS.config().endpoints.sections;
      const [sections, period] = await Promise.all([
        WS.api(base),
        WS.api(`${base}/default-period`).catch(() => ({ period: null })),
      ]);
      list = sections;
      defaultPeriod = period.period;
      for (const s of list) entry(s.code).info = s;
    },

    years() {
      const first = list.map((s) => s.first_sampled_on).filter(Boolean).sort()[0];
      const last = list.map((s) => s.last_sampled_on).filter(Boolean).sort().pop();
      if (!first) return [];
      const years = [];
      for (let y = Number(last.slice(0, 4)); y >= Number(first.slice(0, 4)); y--) years.push(String(y));
      return years;
    },

    /* The checks' default period (used when the checks did not answer): the latest year in
     * which a section meets the annual sample rule, not merely the newest sample's year. */
    latestPeriod() {
      if (defaultPeriod) return defaultPeriod;
      const last = list.map((s) => s.last_sampled_on).filter(Boolean).sort().pop();
      return last ? last.slice(0, 4) : String(new Date().getFullYear());
    },

    /* Called for each section feature as the GeoJSON layer is filled. */
    bind(feature, marker) {
      const e = entry(feature.properties.code);
      e.feature = feature;
      e.marker = marker;
      // the 汇水区溯源 part makes the popup long: it scrolls within the window's height
      const maxHeight = Math.max(260, window.innerHeight - 140);
      marker.bindPopup(() => popupHtml(e), Object.assign({ minWidth: 260, maxHeight, className: "ws-section-popup" }, WS.POPUP));
      // the name is a permanent label (ws-layers.js), readable without hovering
      marker.on("popupopen", (ev) => {
        listen(ev.popup);
        fillCharts(ev.popup, e);
        fillCatchment(ev.popup, e);
      });
      marker.on("popupclose", () => hideCatchment(e.code));
    },

    assessmentUrls(period) {
      return Object.values(byCode)
        .filter((e) => e.marker)
        .map((e) => assessmentUrl(e.code, period));
    },

    /* What the popup's 汇水区溯源 asks for each section on the map, for an offline area: the
     * answers over ``period`` (every known section has one, saying why when it has no
     * catchment) and the outlines behind 显示汇水区 (only sections with a catchment have one). */
    catchmentUrls(period) {
      const shown = Object.values(byCode).filter((e) => e.marker);
      return {
        answers: shown.map((e) => catchmentUrl(e.code, period)),
        outlines: shown.map((e) => `${WS.config().endpoints.catchments}/${encodeURIComponent(e.code)}`),
      };
    },

    /* Every section's assessment over ``period``, then the marker colours. A section whose
     * answer is not on the device while offline keeps its last colour and popup (never
     * repainted grey as 无数据); it is marked as such. */
    async refresh(period) {
      const entries = Object.values(byCode).filter((e) => e.marker);
      await WS.pool(entries, 6, async (e) => {
        let answer;
        try {
          answer = await WS.api(assessmentUrl(e.code, period));
        } catch (err) {
          if (err.offline && e.assessment) {
            e.marker.getElement && e.marker.getElement() && e.marker.getElement().classList.add("ws-stale");
            return;
          }
          answer = { error: WS.errorText(err), offline: Boolean(err.offline) };
        }
        if (period !== WS.state.period) return; // the period changed meanwhile
        e.assessment = answer;
        paint(e);
      });
    },

    /* The series URLs a section's popup charts for ``period`` (for offline areas). */
    chartUrls(period) {
      const win = WS.chartWindow(period);
      const urls = [];
      for (const e of Object.values(byCode)) {
        const a = e.assessment && e.assessment.assessment;
        if (!a) continue;
        const base = `${WS.config().endpoints.sections}/${encodeURIComponent(e.code)}/series`;
        for (const key of worstIndicators(a, 2)) urls.push(WS.url(base, { indicator: key, from: win.from, to: win.to }));
      }
      return urls;
    },

    open(code) {
      const e = byCode[code];
      if (!e || !e.marker) return;
      if (!WS.map.hasLayer(WS.layers.sections)) WS.map.addLayer(WS.layers.sections);
      WS.map.setView(e.marker.getLatLng(), Math.max(WS.map.getZoom(), 13));
      e.marker.openPopup();
    },
  };

  function assessmentUrl(code, period) {
    return WS.url(`${WS.config().endpoints.sections}/${encodeURIComponent(code)}/assessment`, { period });
  }

  function grade(e) {
    const a = e.assessment && e.assessment.assessment;
    return a ? a.grade : null;
  }

  function insufficient(e) {
    return Boolean(e.assessment && e.assessment.status === "insufficient");
  }

  function paint(e) {
    const g = grade(e);
    const short = insufficient(e);
    // offline with nothing cached: its own look (离线，未缓存), not the grey of 无数据
    const missing = e.assessment && e.assessment.offline;
    const classes = [missing ? "ws-uncached" : short ? "ws-insufficient" : g == null ? "ws-nodata" : `ws-grade-${g}`];
    const colour = short || missing ? null : WS.gradeColour(g);
    e.marker.setIcon(WS.markerIcon("sections", e.feature.properties, { colour, classes, grade: g }));
  }

  /* "12 次监测 · 12 个月" and, for a year, the water periods covered. */
  function coverageText(result) {
    const parts = [`${result.sample_count} 次监测`];
    if (result.months && result.months.length) parts.push(`${result.months.length} 个月`);
    if (result.period_kind === "year" && result.water_periods) parts.push(result.water_periods.join("、") || "未覆盖任何水期");
    return parts.join(" · ");
  }

  /* The indicators worth a chart: the main pollutants, else the worst-classed ones. */
  function worstIndicators(assessment, n) {
    const main = assessment.main_pollutants.map((m) => m.key);
    if (main.length) return main.slice(0, n);
    return assessment.indicators
      .filter((i) => i.evaluated && i.grade != null)
      .sort((a, b) => b.grade - a.grade || (b.exceedance || 0) - (a.exceedance || 0))
      .slice(0, n)
      .map((i) => i.key);
  }

  function pollutantText(assessment) {
    if (!assessment.main_pollutants.length) return "无（各项指标均达到Ⅲ类）";
    return assessment.main_pollutants
      .map((m) => (m.exceedance != null ? `${WS.esc(m.name)}（超标 ${WS.num(m.exceedance, 2)} 倍）` : WS.esc(m.name)))
      .join("、");
  }

  /* A drinking-water source: the GB 3838 Table 2 items measured and any over its limit. */
  function drinkingText(a) {
    if (!a.drinking_source || !a.drinking_items.length) return "";
    if (a.drinking_exceeded.length) {
      return `<p><strong>表2补充项目超标：</strong><span class="ws-status ws-status-fail">${a.drinking_exceeded.map(WS.esc).join("、")}</span></p>`;
    }
    return `<p class="ws-muted">表2补充项目（${a.drinking_items.map((i) => WS.esc(i.name)).join("、")}）均未超标</p>`;
  }

  function popupHtml(e) {
    const p = e.feature.properties;
    const info = e.info || {};
    const result = e.assessment || {};
    const a = result.assessment;
    const target = WS.config().grades[p.target_grade];
    const where = [info.waterbody_name, p.river].filter(Boolean).map(WS.esc).join(" · ");
    let body;
    if (result.error) {
      body = `<p class="ws-muted">${WS.esc(result.error)}</p>`;
    } else if (!a && result.status === "insufficient") {
      body = `<p class="ws-class-row"><span class="ws-class-chip ws-insufficient">${WS.esc(WS.statusLabel("insufficient"))}</span>
          <span>目标 ${WS.esc(target.label)}类</span></p>
        <p class="ws-muted">${WS.esc(WS.periodLabel(WS.state.period))} · ${WS.esc(coverageText(result))}</p>
        <p>${WS.esc(result.shortfall || result.note || "")}</p>
        <p class="ws-muted">评价规则：${WS.esc(result.rule || "")}</p>`;
    } else if (!a) {
      body = `<p class="ws-class-row"><span class="ws-class-chip ws-nodata">无数据</span> ${WS.esc(WS.periodLabel(WS.state.period))}没有监测数据</p>`;
    } else {
      const meets = result.meets_target;
      body = `<p class="ws-class-row">
          <span class="ws-class-chip" style="background:${a.colour}" data-grade="${a.grade}">${WS.esc(a.label)}类</span>
          <span>目标 ${WS.esc(target.label)}类</span>
          <span class="ws-status ws-status-${meets ? "pass" : "fail"}">${meets ? "达标" : "不达标"}</span>
          <span class="ws-good" data-good="${result.good ? 1 : 0}">${result.good ? "优良" : "非优良"}</span>
        </p>
        <p class="ws-muted">${WS.esc(WS.periodLabel(WS.state.period))} · ${WS.esc(a.state)} · ${WS.esc(coverageText(result))}</p>
        <p><strong>主要污染物：</strong>${pollutantText(a)}</p>
        ${a.tn_label ? `<p class="ws-muted">总氮单独评价：${WS.esc(a.tn_label)}类</p>` : ""}
        ${drinkingText(a)}
        <div class="ws-charts" data-code="${WS.esc(p.code)}">${chartsHtml(e)}</div>`;
    }
    return `<div class="ws-popup ws-popup-section" data-code="${WS.esc(p.code)}">
      <div class="ws-popup-layer">水质监测断面 · ${WS.esc(p.control_level)}</div>
      <h3>${WS.esc(p.name)} <small>${WS.esc(p.code)}</small></h3>
      <p class="ws-muted">${where}${p.drinking_source ? " · 饮用水水源地" : ""}</p>${body}
      <div class="ws-catchment" data-code="${WS.esc(p.code)}">${catchmentHtml(e)}</div></div>`;
  }

  function chartsHtml(e) {
    if (e.charts && e.charts.period === WS.state.period) return e.charts.html;
    return '<p class="ws-muted">正在绘制近12个月变化…</p>';
  }

  /* Fetch the series of the worst indicators, keep the charts, re-render the open popup. */
  async function fillCharts(popup, e) {
    const a = e.assessment && e.assessment.assessment;
    const period = WS.state.period;
    if (!a || (e.charts && e.charts.period === period)) return;
    const win = WS.chartWindow(period);
    const base = `${WS.config().endpoints.sections}/${encodeURIComponent(e.code)}/series`;
    const svgs = await WS.pool(worstIndicators(a, 2), 2, async (key) =>
      WS.chartSvg(await WS.api(WS.url(base, { indicator: key, from: win.from, to: win.to })), win)
    );
    const html = svgs.map((s) => (typeof s === "string" ? s : `<p class="ws-muted">${WS.esc(WS.errorText(s))}</p>`)).join("");
    if (period !== WS.state.period) return;
    e.charts = { period, html };
    if (popup.isOpen()) popup.update();
  }

  /* ---- 汇水区溯源 ---- */

  const LAND = [
    ["farmland", "耕地"],
    ["construction", "建设用地"],
    ["forest", "林地"],
    ["eco_redline", "生态保护红线"],
    ["water_source", "水源保护区"],
  ];
  let shown = null; // {code, layer}: the catchment drawn on the map

  function catchmentUrl(code, period) {
    return WS.url(`${WS.config().endpoints.sections}/${encodeURIComponent(code)}/catchment`, { period });
  }

  /* Clicks inside the popup: Leaflet stops them at the popup, so listen on its element. */
  function listen(popup) {
    const el = popup.getElement();
    if (!el || el.dataset.wsCatchment) return;
    el.dataset.wsCatchment = "1";
    el.addEventListener("click", (ev) => {
      const link = ev.target.closest("button[data-section]");
      if (link) return WS.sections.open(link.dataset.section);
      const toggle = ev.target.closest("button.ws-catchment-show");
      if (toggle) toggleCatchment(toggle.dataset.code, popup);
    });
  }

  async function fillCatchment(popup, e) {
    const period = WS.state.period;
    if (e.catchment && e.catchment.period === period) return;
    let answer;
    try {
      answer = await WS.api(catchmentUrl(e.code, period));
    } catch (err) {
      answer = { error: WS.errorText(err) };
    }
    if (period !== WS.state.period) return;
    e.catchment = { period, answer };
    if (popup.isOpen()) popup.update();
  }

  function sectionButton(code, name) {
    return `<button type="button" class="ws-link" data-section="${WS.esc(code)}">${WS.esc(name || code)}</button>`;
  }

  function verdictChip(u) {
    const text = u.status === "pass" || u.status === "fail" ? `${u.grade_label}类 ${u.status_label}` : u.status_label;
    return `<span class="ws-status ws-status-${WS.esc(u.status)}">${WS.esc(text)}</span>`;
  }

  function upstreamHtml(a) {
    if (!a.upstream.length) return '<p><strong>上游断面：</strong>无（源头断面）</p>';
    const items = a.upstream
      .map((u) => `<li data-upstream="${WS.esc(u.code)}"${u.direct ? ' class="ws-direct"' : ""}>${sectionButton(u.code, u.name)} ${verdictChip(u)}${u.direct ? "" : ' <span class="ws-muted">（更上游）</span>'}</li>`)
      .join("");
    return `<p><strong>上游断面</strong>（${WS.esc(WS.periodLabel(a.period))}）：</p><ul class="ws-upstream">${items}</ul>`;
  }

  /* For a failing section: where the cause lies, bracketed by the upstream verdicts. */
  function bracketHtml(a) {
    if (!a.upstream_failing) return "";
    const names = Object.fromEntries(a.upstream.map((u) => [u.code, u.name]));
    const list = (codes) => (codes.length ? codes.map((c) => sectionButton(c, names[c])).join("、") : "无");
    let sentence;
    if (!a.upstream.length) return '<div class="ws-bracket"><p><strong>不达标溯源：</strong>上游没有监测断面：原因在本断面自身的集水区内。</p></div>';
    if (a.upstream_failing.length) sentence = "上游已有断面不达标：问题可能来自更上游，也可能沿程叠加。";
    else if (a.upstream_passing.length) sentence = "上游断面无一不达标：问题河段位于达标的上游断面与本断面之间（区间汇水区）。";
    else sentence = "上游断面均无法判定，不能据此划定问题河段。";
    return `<div class="ws-bracket">
        <p><strong>不达标溯源：</strong>${sentence}</p>
        <p data-list="failing">上游同样不达标：${list(a.upstream_failing)}</p>
        <p data-list="passing">上游达标：${list(a.upstream_passing)}</p>
        <p data-list="unknown">上游无法判定（数据不足/无数据）：${list(a.upstream_unknown)}</p></div>`;
  }

  function landHtml(attr) {
    const whole = attr.catchment || {};
    const part = attr.incremental || {};
    const cell = (x) => (x ? `${WS.num(WS.mu(x.m2), 0)} 亩 <span class="ws-muted">${WS.percent(x.share)}</span>` : "—");
    const rows = LAND.map(([key, name]) => `<tr data-land="${key}"><th>${name}</th><td>${cell(whole[key])}</td><td>${cell(part[key])}</td></tr>`).join("");
    const reservoirs = whole.reservoir_codes && whole.reservoir_codes.length ? whole.reservoir_codes.map(WS.esc).join("、") : "无";
    return `<table class="ws-catchment-land"><thead><tr><th>区内用地</th><th>集水区</th><th>区间</th></tr></thead><tbody>${rows}</tbody></table>
      <p class="ws-reservoirs"><strong>区内水库：</strong>${reservoirs}</p>`;
  }

  function catchmentHtml(e) {
    const c = e.catchment && e.catchment.period === WS.state.period ? e.catchment.answer : null;
    const title = "<h4>汇水区溯源</h4>";
    if (!c) return `${title}<p class="ws-muted">正在读取汇水区…</p>`;
    if (c.error) return `${title}<p class="ws-muted">${WS.esc(c.error)}</p>`;
    const down = c.downstream ? sectionButton(c.downstream.code, c.downstream.name) : "无（区内最下游或出境）";
    if (!c.available) {
      const tree = c.downstream ? `<p><strong>下游断面：</strong>${down}</p>` : "";
      return `${title}<p class="ws-catchment-none"><strong>无汇水区数据</strong>：${WS.esc(c.reason)}</p>${tree}`;
    }
    const label = shown && shown.code === e.code ? "隐藏汇水区" : "显示汇水区";
    return `${title}
      <p class="ws-catchment-area">集水面积 <strong>${WS.num(c.catchment_km2, 2)} km²</strong> · 区间集水面积 ${WS.num(c.incremental_km2, 2)} km²</p>
      <p><strong>下游断面：</strong>${down}</p>
      ${upstreamHtml(c)}${bracketHtml(c)}${landHtml(c.attribution)}
      <button type="button" class="ws-catchment-show" data-code="${WS.esc(e.code)}">${label}</button>`;
  }

  async function toggleCatchment(code, popup) {
    if (shown && shown.code === code) {
      hideCatchment(code);
    } else {
      let geo;
      try {
        geo = await WS.api(`${WS.config().endpoints.catchments}/${encodeURIComponent(code)}`);
      } catch (err) {
        return WS.toast(`汇水区：${WS.errorText(err)}`, "error");
      }
      hideCatchment();
      const features = [
        { type: "Feature", properties: { part: "catchment" }, geometry: geo.catchment },
        { type: "Feature", properties: { part: "incremental" }, geometry: geo.incremental },
      ].filter((f) => f.geometry);
      const layer = L.geoJSON(features, {
        interactive: false,
        style: (f) =>
          f.properties.part === "catchment"
            ? { color: "#1565c0", weight: 2.5, dashArray: "6 4", fillColor: "#1565c0", fillOpacity: 0.06 }
            : { color: "#1565c0", weight: 1, fillColor: "#42a5f5", fillOpacity: 0.22 },
      }).addTo(WS.map);
      shown = { code, layer };
      WS.sections.catchmentLayer = layer;
    }
    if (popup.isOpen()) popup.update();
  }

  function hideCatchment(code) {
    if (!shown || (code && shown.code !== code)) return;
    WS.map.removeLayer(shown.layer);
    shown = null;
    WS.sections.catchmentLayer = null;
  }
})();
