"""A printable overlap report (打印版压占分析报告): one HTML page with an inline SVG map.

No external assets, so it prints and opens offline. The map draws the project outline and
each protected layer's overlap in the layer's registry colour, in a local equirectangular
projection (x scaled by cos φ), which is faithful at project scale.
"""

import html
import math
from typing import Any

import shapely
from shapely.geometry import shape

from layers.registry import LAYERS

WIDTH, HEIGHT, PAD = 640, 420, 16


def _path(geom: shapely.Geometry, to_xy) -> str:
    parts = []
    for polygon in shapely.get_parts(geom):
        for ring in (polygon.exterior, *polygon.interiors):
            xy = [to_xy(lon, lat) for lon, lat in ring.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z")
    return " ".join(parts)


def svg_map(report: dict[str, Any]) -> str:
    project = shape(report["project_geometry"])
    lon0, lat0, lon1, lat1 = project.bounds
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = max((lon1 - lon0) * kx, 1e-9), max(lat1 - lat0, 1e-9)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)

    def to_xy(lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - lon0) * kx * scale, HEIGHT - PAD - (lat - lat0) * scale

    shapes = []
    for layer in report["layers"]:
        if layer["geometry"]:
            style = LAYERS[layer["layer"]].style if layer["layer"] in LAYERS else {}
            colour = html.escape(str(style.get("fillColor") or style.get("color") or "#999"))
            d = _path(shape(layer["geometry"]), to_xy)
            shapes.append(
                f'<path d="{d}" fill="{colour}" fill-opacity="0.55" stroke="{colour}" fill-rule="evenodd"/>'
            )
    outside = (report.get("coverage") or {}).get("outside_geometry")
    if outside:  # the part no data cover: hatched red, so it cannot pass for a clear area
        shapes.append(
            '<defs><pattern id="out" width="8" height="8" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#c00000" '
            'stroke-width="3"/></pattern></defs>'
            f'<path d="{_path(shape(outside), to_xy)}" fill="url(#out)" fill-opacity="0.6" '
            'stroke="#c00000" fill-rule="evenodd"/>'
        )
    outline = _path(project, to_xy)
    shapes.append(
        f'<path d="{outline}" fill="none" stroke="#d7301f" stroke-width="2" fill-rule="evenodd"/>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" style="border:1px solid #ccc;background:#fff">'
        + "".join(shapes)
        + "</svg>"
    )


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


def overlap_html(report: dict[str, Any]) -> str:
    e = html.escape
    verdict = report["verdict"]
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
    verdict_cls = "v out" if verdict["status"] == "undetermined" else "v"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>压占分析报告 - {title}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:760px}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #999;padding:4px 6px}}.n{{text-align:right}}.v{{font-size:1.3em;font-weight:bold}}
.out{{color:#c00000;font-weight:bold}}</style>
</head><body>
<h1>建设项目压占分析报告</h1>
<p>项目：{title}（编号 {e(str(report.get("id") or "—"))}）</p>
{_status_text(report)}
<p>项目面积：{report["project_area_m2"]:.2f} m²（{report["project_area_mu"]:.4f} 亩，CGCS2000 椭球面积）</p>
{_coverage_text(report)}
<p class="{verdict_cls}">结论：{e(verdict["label"])}</p><p>{e(verdict["summary"])}</p><ul>{reasons}</ul>
{svg_map(report)}
<table><tr><th>保护图层</th><th>重叠面积（m²）</th><th>重叠面积（亩）</th><th>扣除田坎等后（亩）</th><th>占项目</th><th>涉及要素</th><th>数据覆盖</th><th>结论</th></tr>{rows}</table>
<h2>输入处理</h2><ul>{notes}</ul>
</body></html>"""
