/* Monitoring sections: coloured by their class over the selected period, with a popup that
 * shows the class against the section's own target (达标) and 优良 (Ⅰ–Ⅲ), the sample count and
 * months behind it, the main pollutants and a twelve-month chart. A period whose samples fall
 * below the evaluation method's rule is 数据不足 (hatched), apart from 无数据 (grey). */
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
      marker.bindPopup(() => popupHtml(e), Object.assign({ minWidth: 260, className: "ws-section-popup" }, WS.POPUP));
      // the name is a permanent label (ws-layers.js), readable without hovering
      marker.on("popupopen", (ev) => fillCharts(ev.popup, e));
    },

    assessmentUrls(period) {
      return Object.values(byCode)
        .filter((e) => e.marker)
        .map((e) => assessmentUrl(e.code, period));
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
      <p class="ws-muted">${where}${p.drinking_source ? " · 饮用水水源地" : ""}</p>${body}</div>`;
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
})();
