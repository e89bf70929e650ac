/* The compliance panel (底线核查): every line of the bottom-line list per unit with its
 * status; a line's evidence is outlined on the map when the line is chosen. */
(function () {
  "use strict";
  const WS = window.WS;
  const ICONS = { pass: "✓", warn: "!", fail: "✕", nodata: "–" };
  const ORDER = ["fail", "warn", "pass", "nodata"];
  let data = null;
  let active = null;

  function figure(value, uom, line) {
    if (value == null || value === "") return "—";
    switch (uom) {
      case "class":
        return `${WS.esc(value)}类`;
      case "%":
        return `${WS.num(value, 1)}%`;
      case "万亩":
        return `${WS.num(value, 4).replace(/0{1,2}$/, "")} 万亩`;
      case "亩":
        return `${WS.num(value, 2)} 亩`;
      case "count":
        return `${WS.esc(value)} ${line.startsWith("reservoir") ? "座" : "个"}`;
      default:
        return `${WS.esc(value)} ${WS.esc(uom)}`;
    }
  }

  function figures(r) {
    if (r.status === "nodata") {
      const reason = r.detail && r.detail.reason;
      return reason ? WS.esc(reason) : "缺少核查所需数据";
    }
    if (r.line === "reservoir_appraisal") return `逾期 ${figure(r.measured, r.uom, r.line)}`;
    if (r.target === 0 && r.uom === "亩") return `重叠 ${figure(r.measured, r.uom, r.line)}（应为 0）`;
    return `实测 ${figure(r.measured, r.uom, r.line)} / 目标 ${figure(r.target, r.uom, r.line)}`;
  }

  function lineHtml(r, i) {
    const subject = r.subject ? ` · ${WS.esc(r.subject)}` : "";
    return `<li><button type="button" class="ws-line ws-status-${r.status}" data-index="${i}" data-line="${WS.esc(r.line)}" data-status="${r.status}">
        <span class="ws-status-icon" aria-hidden="true">${ICONS[r.status]}</span>
        <span class="ws-line-main"><span class="ws-line-label">${WS.esc(r.line_label)}${subject}</span>
        <span class="ws-line-fig">${figures(r)}</span></span>
        <span class="ws-status-text">${WS.esc(r.status_label)}</span></button></li>`;
  }

  function counts(results) {
    const n = {};
    for (const r of results) n[r.status] = (n[r.status] || 0) + 1;
    return ORDER.filter((s) => n[s])
      .map((s) => `<span class="ws-count ws-status-${s}">${WS.statusLabel(s)} ${n[s]}</span>`)
      .join("");
  }

  function render() {
    const el = document.getElementById("ws-checks");
    const onlyProblems = document.getElementById("ws-only-problems").checked;
    const units = [];
    data.results.forEach((r, i) => {
      let u = units.find((x) => x.code === r.unit_code);
      if (!u) units.push((u = { code: r.unit_code, name: r.unit, items: [] }));
      u.items.push([r, i]);
    });
    const blocks = units.map((u) => {
      const shown = u.items.filter(([r]) => !onlyProblems || r.status === "fail" || r.status === "warn");
      const items = shown.length
        ? shown.map(([r, i]) => lineHtml(r, i)).join("")
        : '<li class="ws-muted ws-none">没有问题项</li>';
      return `<section class="ws-unit" data-unit="${WS.esc(u.code)}"><h2>${WS.esc(u.name)}</h2>
        <div class="ws-counts">${counts(u.items.map(([r]) => r))}</div><ul class="ws-lines">${items}</ul></section>`;
    });
    el.innerHTML = blocks.join("") || '<p class="ws-muted">没有可核查的底线。</p>';
    document.getElementById("ws-checks-title").innerHTML =
      `${WS.esc(data.baseline || "底线管控清单")}<br>评价时段：${WS.esc(WS.periodLabel(data.period))}`;
    const xlsx = document.getElementById("ws-checks-xlsx");
    xlsx.href = WS.url(WS.config().endpoints.checksXlsx, { period: data.period });
  }

  async function focus(i, button) {
    const r = data.results[i];
    if (active) active.classList.remove("ws-active");
    active = button;
    button.classList.add("ws-active");
    WS.ui.showMapOnSmallScreens();
    await WS.showEvidence(r.evidence);
    if (r.line === "section" && r.subject) {
      const s = WS.sections.all().find((e) => e.feature && e.feature.properties.name === r.subject);
      if (s) WS.sections.open(s.code);
    }
  }

  WS.checks = {
    /* GET /api/checks for ``period`` (null: the API's default, the latest year with data). */
    async load(period) {
      const el = document.getElementById("ws-checks");
      let answer;
      try {
        answer = await WS.api(WS.url(WS.config().endpoints.checks, { period }));
      } catch (err) {
        el.innerHTML = `<p class="ws-error">无法加载底线核查结果：${WS.esc(WS.errorText(err))}</p>`;
        return null;
      }
      if (period && period !== WS.state.period) return answer; // the period changed meanwhile
      data = answer;
      render();
      return data;
    },

    isOverdueReservoir(id) {
      if (!data) return false;
      return data.results.some(
        (r) => r.line === "reservoir_appraisal" && r.evidence.some((e) => e.layer === "reservoirs" && Number(e.id) === Number(id))
      );
    },

    init() {
      document.getElementById("ws-checks").addEventListener("click", (ev) => {
        const button = ev.target.closest(".ws-line");
        if (button) focus(Number(button.dataset.index), button);
      });
      document.getElementById("ws-only-problems").addEventListener("change", () => data && render());
    },
  };
})();
