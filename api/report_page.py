"""The printable overlap report (建设项目用地压占分析报告): one HTML page, also the PDF's source.

What a land-use officer files: project name, who checked and when, the data's as-of dates
(each layer's last load), the verdict and its reasons, a map at a stated scale with legend,
scale bar and north arrow (:mod:`api.report_map`), the areas per protected layer (m², 亩,
耕地 net of 田坎), the features touched by their bureau codes and 坐落 (never database ids),
and the 界址点 coordinate table in CGCS2000 3-degree Gauss-Krüger (:mod:`gis.boundary_points`).
No external assets, so it prints and opens offline; the fonts are the system's (Debian's
fonts-wqy-zenhei), named in the CSS for the PDF renderer.
"""

import datetime as dt
import html
from typing import Any

from shapely.geometry import shape

from api.report_map import svg_map
from gis.boundary_points import BoundaryTable, boundary_table

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))


def _net(layer: dict[str, Any]) -> str:
    net = layer.get("net_area_mu")
    return "—" if net is None else f"{net:.4f}"


# Reports saved before coverage was measured carry none: say so rather than imply full cover.
_NOT_MEASURED = "—（保存时未量算覆盖范围）"


def _covered(layer: dict[str, Any]) -> str:
    coverage = layer.get("coverage")
    return _NOT_MEASURED if coverage is None else f"{coverage['covered_share']:.2%}"


def _finding(layer: dict[str, Any]) -> str:
    finding = layer.get("finding")
    if finding is None:
        return "<td>涉及</td>" if layer["area_m2"] > 0 else "<td>—</td>"
    red = finding["status"] in ("partial", "undetermined")
    cls = " class=out" if red else ""
    return f"<td{cls}>{html.escape(finding['label'])}</td>"


def _coverage_text(report: dict[str, Any]) -> str:
    coverage = report.get("coverage")
    if coverage is None:
        return f"<p>行政区界内：{_NOT_MEASURED}</p>"
    text = f"行政区界（数据范围）内：{coverage['covered_m2']:.2f} m²（{coverage['covered_share']:.2%}）"
    if coverage["uncovered_m2"] > 0:
        text += (
            f"；<span class=out>界外 {coverage['uncovered_m2']:.2f} m²"
            f"（{coverage['uncovered_share']:.2%}）无法判定（超出数据范围）</span>"
        )
    return f"<p>{text}</p>"


def _status_text(report: dict[str, Any]) -> str:
    e = html.escape
    status = report.get("project_status") or "拟建"
    note = report.get("project_status_note") or ""
    return f"<p>项目状态：{e(status)}　<small>{e(note)}</small></p>"


def local_time(value: str | None) -> str:
    """An ISO timestamp as Beijing time to the minute; 无记录 when there is none."""
    if not value:
        return "无记录"
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TIME)
    return moment.strftime("%Y-%m-%d %H:%M")


def _as_of_rows(report: dict[str, Any]) -> str:
    e = html.escape
    entries = report.get("data_as_of") or []
    if not entries:
        return "<tr><td colspan=2>—（保存时未记录数据现势性）</td></tr>"
    return "".join(
        f"<tr><td>{e(a['name'])}</td><td>"
        + (
            e(local_time(a["loaded_at"]))
            if a.get("loaded_at")
            else "<span class=out>无导入记录</span>"
        )
        + "</td></tr>"
        for a in entries
    )


def _feature_rows(report: dict[str, Any]) -> str:
    e = html.escape
    rows = []
    for layer in report["layers"]:
        for f in layer["features"]:
            net = f.get("net_area_mu")
            rows.append(
                f"<tr><td>{e(layer['name'])}</td><td>{e(f.get('code') or '（无编码）')}</td>"
                f"<td>{e(f.get('name') or '—')}</td><td>{e(f.get('location') or '—')}</td>"
                f"<td class=n>{f['area_m2']:.2f}</td><td class=n>{f['area_mu']:.4f}</td>"
                f"<td class=n>{'—' if net is None else f'{net:.4f}'}</td></tr>"
            )
    if not rows:
        return "<tr><td colspan=7>项目未压占任何受保护图层的要素。</td></tr>"
    return "".join(rows)


def _points_rows(table: BoundaryTable) -> str:
    return "".join(
        f"<tr><td>{p.label}</td><td class=n>{p.ring}</td>"
        f"<td class=n>{p.x:.3f}</td><td class=n>{p.y:.3f}</td></tr>"
        for p in table.points
    )


def plots_html(report: dict[str, Any]) -> str:
    """分地块结果: one row per plot of a multi-plot input and the total (overlaps in 亩)."""
    plots = report.get("plots") or []
    if not plots:
        return ""
    e = html.escape
    names = [layer["name"] for layer in report["layers"]]
    head = "".join(f"<th>{e(n)}（亩）</th>" for n in names)

    def row(label: str, area_mu: float, layers: list[dict[str, Any]], verdict: str) -> str:
        cells = "".join(f"<td class=n>{layer['area_mu']:.4f}</td>" for layer in layers)
        return f"<tr><td>{e(label)}</td><td class=n>{area_mu:.4f}</td>{cells}<td>{e(verdict)}</td></tr>"

    rows = "".join(row(p["name"], p["area_mu"], p["layers"], p["verdict"]["label"]) for p in plots)
    total = row("合计", report["project_area_mu"], report["layers"], report["verdict"]["label"])
    summed = sum(p["area_m2"] for p in plots)
    note = ""
    if abs(summed - report["project_area_m2"]) > 0.01:
        note = (
            f"<p class=out>各地块面积之和 {summed:.2f} m² 与合计 {report['project_area_m2']:.2f} m² "
            "不同：地块之间相互重叠，重叠部分在合计中只计一次。</p>"
        )
    return (
        f"<h2>分地块结果（{len(plots)} 个地块）</h2><table class=plots><thead><tr><th>地块</th>"
        f"<th>面积（亩）</th>{head}<th>结论</th></tr></thead>{rows}{total}</table>{note}"
    )


def overlap_html(report: dict[str, Any]) -> str:
    e = html.escape
    verdict = report["verdict"]
    table = boundary_table(shape(report["project_geometry"]))
    rows = "".join(
        f"<tr><td>{e(layer['name'])}</td><td class=n>{layer['area_m2']:.2f}</td>"
        f"<td class=n>{layer['area_mu']:.4f}</td><td class=n>{_net(layer)}</td>"
        f"<td class=n>{layer['share']:.2%}</td>"
        f"<td class=n>{layer['feature_count']}</td>"
        f"<td class=n>{_covered(layer)}</td>{_finding(layer)}</tr>"
        for layer in report["layers"]
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in report["input"]["notes"])
    reasons = "".join(
        f"<li{' class=out' if r['severity'] == 'undetermined' else ''}>{e(r['text'])}</li>"
        for r in verdict["reasons"]
    )
    title = e(report.get("project_name") or "未命名项目")
    number = f"编号 {report['id']}" if report.get("id") else "未保存"
    submitter = e(report.get("submitted_by") or "未登录用户")
    verdict_cls = "v out" if verdict["status"] == "undetermined" else "v"
    zone_note = f"<p class=out>{e(table.note)}</p>" if table.note else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>压占分析报告 - {title}</title>
<style>
@page{{size:A4;margin:14mm 14mm 16mm;@bottom-center{{content:"第 " counter(page) " 页，共 " counter(pages) " 页";font-size:9pt}}}}
body{{font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;margin:0 auto;max-width:182mm;font-size:10.5pt;color:#111}}
h1{{font-size:17pt;text-align:center;margin:0 0 4mm}}h2{{font-size:12.5pt;margin:5mm 0 2mm;border-bottom:1px solid #999}}
table{{border-collapse:collapse;width:100%;margin:1mm 0 2mm}}thead{{display:table-header-group}}
td,th{{border:1px solid #999;padding:2px 5px;vertical-align:top}}th{{background:#f0f0f0}}
.n{{text-align:right;font-variant-numeric:tabular-nums}}.v{{font-size:14pt;font-weight:bold}}
.out{{color:#c00000;font-weight:bold}}.info td:first-child{{width:28mm;background:#f7f7f7}}
figure{{margin:0;page-break-inside:avoid}}figcaption{{font-size:9pt;color:#333}}
tr{{page-break-inside:avoid}}.features,.plots{{font-size:9pt;table-layout:fixed}}.features td{{overflow-wrap:anywhere}}.points{{width:auto;min-width:60%}}
</style>
</head><body>
<h1>建设项目用地压占分析报告</h1>
<table class=info>
<tr><td>项目名称</td><td>{title}（{e(number)}）</td></tr>
<tr><td>核查人</td><td>{submitter}</td></tr>
<tr><td>核查日期</td><td>{e(local_time(report.get("checked_at")))}（北京时间）</td></tr>
<tr><td>项目面积</td><td>{report["project_area_m2"]:.2f} m²（{report["project_area_mu"]:.4f} 亩，CGCS2000 椭球面积）</td></tr>
<tr><td>输入坐标系</td><td>{e(report["input"]["crs"])}{"（GCJ-02 已纠偏）" if report["input"].get("gcj02") else ""}</td></tr>
</table>
{_status_text(report)}
{_coverage_text(report)}
<h2>结论</h2>
<p class="{verdict_cls}">结论：{e(verdict["label"])}</p><p>{e(verdict["summary"])}</p><ul>{reasons}</ul>
<h2>项目位置及压占示意图</h2>
<figure>{svg_map(report, table)}
<figcaption>坐标系：{e(table.crs_text)}；上方为坐标北。示意图据本报告的项目范围与压占部分绘制，不含底图。</figcaption></figure>
<h2>各保护图层压占面积</h2>
<table><thead><tr><th>保护图层</th><th>重叠面积（m²）</th><th>重叠面积（亩）</th><th>扣除田坎等后（亩）</th><th>占项目</th><th>涉及要素</th><th>数据覆盖</th><th>结论</th></tr></thead>{rows}</table>
{plots_html(report)}
<h2>涉及要素清单</h2>
<table class=features><colgroup><col style="width:27mm"><col style="width:30mm"><col style="width:27mm"><col style="width:30mm"><col><col><col></colgroup>
<thead><tr><th>保护图层</th><th>要素编码</th><th>名称/地类</th><th>坐落</th><th>重叠面积（m²）</th><th>重叠面积（亩）</th><th>扣除田坎等后（亩）</th></tr></thead>{_feature_rows(report)}</table>
<h2>数据现势性（各图层最近导入时间）</h2>
<table><thead><tr><th>图层</th><th>最近导入</th></tr></thead>{_as_of_rows(report)}</table>
<h2>界址点坐标表</h2>
<p>{e(table.crs_text)}；X 为纵坐标（北），Y 为横坐标（东，含带号 {table.zone}）。</p>{zone_note}
<table class=points><thead><tr><th>点号</th><th>圈号</th><th>X（m）</th><th>Y（m）</th></tr></thead>{_points_rows(table)}</table>
<h2>输入处理</h2><ul>{notes}</ul>
</body></html>"""
