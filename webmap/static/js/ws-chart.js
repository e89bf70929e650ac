/* A small inline-SVG time-series chart: one indicator over twelve months, each sample
 * coloured by its GB 3838 class, with the target-class limit as a dashed line. */
(function () {
  "use strict";
  const WS = window.WS;
  // The viewBox is never drawn narrower than W px (app.css), so text set at 12-13 units is at
  // least 12 px on screen: readable on a tablet held at arm's length (issue 18 point 6).
  const W = 320;
  const H = 150;
  const PAD = { left: 42, right: 8, top: 26, bottom: 24 };
  const DAY = 86400000;

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const exp = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * exp >= value) return step * exp;
    return 10 * exp;
  }

  function tickText(v) {
    if (v === 0) return "0";
    const abs = Math.abs(v);
    return abs >= 100 ? v.toFixed(0) : abs >= 1 ? String(+v.toFixed(2)) : String(+v.toPrecision(2));
  }

  /* ``series`` is the answer of GET /api/sections/{code}/series; ``win`` from WS.chartWindow. */
  WS.chartSvg = function (series, win) {
    const ind = series.indicator;
    const points = series.points.filter((p) => p.value != null);
    const t0 = win.start.getTime();
    const t1 = win.end.getTime() + DAY;
    const limit = ind.target_limit;
    const top = niceMax(Math.max(limit || 0, ...points.map((p) => p.value)) * 1.1);
    const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
    const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
    const parts = [];
    // axes and horizontal grid
    for (const v of [0, top / 2, top]) {
      parts.push(`<line class="ws-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}"/>`);
      parts.push(`<text class="ws-tick" x="${PAD.left - 4}" y="${y(v) + 4}" text-anchor="end">${tickText(v)}</text>`);
    }
    // month ticks
    for (let m = 0; m < 12; m++) {
      const d = new Date(Date.UTC(win.start.getUTCFullYear(), win.start.getUTCMonth() + m, 1));
      const xm = x(d.getTime() + 15 * DAY);
      parts.push(`<text class="ws-tick" x="${xm}" y="${H - 6}" text-anchor="middle">${d.getUTCMonth() + 1}</text>`);
    }
    if (limit != null) {
      const yl = y(limit);
      parts.push(`<line class="ws-limit" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yl}" y2="${yl}"/>`);
      const label = `目标类别限值 ${tickText(limit)}`;
      // 12 px text: about 12 units per CJK character, 7 per digit or letter
      const textWidth = [...label].reduce((w, c) => w + (c.charCodeAt(0) > 255 ? 12 : 7), 0);
      const x0 = W - PAD.right - textWidth - 20;
      parts.push(`<line class="ws-limit" x1="${x0}" x2="${x0 + 14}" y1="11" y2="11"/>`);
      parts.push(`<text class="ws-limit-text" x="${W - PAD.right}" y="15" text-anchor="end">${label}</text>`);
    }
    const xy = points.map((p) => [x(Date.parse(p.date)), y(p.value), p]);
    if (xy.length > 1) {
      parts.push(`<polyline class="ws-line" points="${xy.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")}"/>`);
    }
    for (const [a, b, p] of xy) {
      const title = `${p.date}：${tickText(p.value)} ${ind.unit}${p.label ? `（${p.label}类）` : ""}${p.below_detection_limit ? "，低于检出限" : ""}`;
      parts.push(
        `<circle class="ws-pt" cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="4" fill="${p.colour || "#9e9e9e"}"><title>${WS.esc(title)}</title></circle>`
      );
    }
    const head = `<text class="ws-chart-title" x="${PAD.left}" y="15">${WS.esc(ind.name)}（${WS.esc(ind.unit)}）</text>`;
    const empty = points.length ? "" : `<text class="ws-tick" x="${W / 2}" y="${H / 2}" text-anchor="middle">近12个月无数据</text>`;
    return `<svg class="ws-chart-svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${WS.esc(ind.name)}近12个月变化">${head}${parts.join("")}${empty}</svg>`;
  };
})();
