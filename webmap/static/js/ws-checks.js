/* The compliance panel (底线核查): every line of the bottom-line list per unit with its
 * status; a line's evidence is outlined on the map when the line is chosen. */
(function () {
  "use strict";
  const WS = window.WS;
  // One icon per status; the statuses that are no verdict (需核实, 数据不足, 无法判定, 无数据)
  // each look different from 达标 and from each other (colours in app.css).
  const ICONS = { pass: "✓", warn: "!", fail: "✕", review: "?", insufficient: "…", undetermined: "⊘", pending: "≈", nodata: "–" };
  const ORDER = ["fail", "warn", "review", "insufficient", "undetermined", "pending", "nodata", "pass"];
  const MAX_CODES = 3;
  let data = null;
  let active = null;

  /* Figures come rounded and with their Chinese unit from the API (gis.compliance.figure_text). */
  function fig(r, key) {
    return WS.esc(r[`${key}_text`] || "—");
  }

  /* What a line found, as the API words it: the line's own summary where its type gives one
   * (occupation, appraisal…), else measured against target; why there is no verdict where
   * there is none. Nothing here names a line or a line type. */
  function figures(r) {
    const d = r.detail || {};
    if (r.status === "nodata" && r.measured == null) {
      return d.reason ? WS.esc(d.reason) : "缺少核查所需数据";
    }
    const main = d.summary ? WS.esc(d.summary) : `实测 ${fig(r, "measured")} / 目标 ${fig(r, "target")}`;
    if (r.status === "pending" && d.reference) {
      const ref = d.reference.text || d.reference.reference;
      return `实测 ${fig(r, "measured")}；参照指标：${WS.esc(ref)}（由持有该指标者核定）`;
    }
    return d.reason && r.status !== "pass" ? `${main}<br>${WS.esc(d.reason)}` : main;
  }

  /* The features behind a line by the bureau's code (or name) and 坐落, never database ids. */
  function codes(r) {
    const named = (r.evidence || [])
      .filter((e) => e.layer !== "units" && (e.code || e.name))
      .map((e) => WS.esc(e.code || e.name) + (e.location ? `（${WS.esc(e.location)}）` : ""));
    if (!named.length) return "";
    const more = named.length > MAX_CODES ? ` 等 ${named.length} 项` : "";
    return `<span class="ws-line-codes">${named.slice(0, MAX_CODES).join("、")}${more}</span>`;
  }

  function asOf(r) {
    return r.as_of_text ? `<span class="ws-line-asof">数据时点：${WS.esc(r.as_of_text)}</span>` : "";
  }

  function lineHtml(r, i) {
    const subject = r.subject ? ` · ${WS.esc(r.subject)}` : "";
    return `<li><button type="button" class="ws-line ws-status-${r.status}" data-index="${i}" data-line="${WS.esc(r.line)}" data-status="${r.status}">
        <span class="ws-status-icon" aria-hidden="true">${ICONS[r.status] || "–"}</span>
        <span class="ws-line-main"><span class="ws-line-label">${WS.esc(r.line_label)}${subject}</span>
        <span class="ws-line-fig">${figures(r)}</span>${codes(r)}${asOf(r)}</span>
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
      // Everything that is not 达标 needs someone's attention, including 需核实 and 无数据.
      const shown = u.items.filter(([r]) => !onlyProblems || r.status !== "pass");
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
    // A line about one monitoring section opens that section's popup (class, chart).
    const sections = (r.evidence || []).filter((e) => e.layer === "sections");
    if (sections.length === 1 && sections[0].code) WS.sections.open(sections[0].code);
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

    /* Whether any line lists the reservoir as overdue for its appraisal (不达标). */
    isOverdueReservoir(id) {
      if (!data) return false;
      return data.results.some((r) => ((r.detail && r.detail.overdue) || []).some((o) => Number(o.id) === Number(id)));
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
