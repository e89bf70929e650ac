"""Project outlines drawn in CAD (DXF): the closed polylines of the drawing, as plots.

Read with ezdxf (maintained, pure Python). Closed LWPOLYLINE / 2-D POLYLINE entities of model
space become rings (a polyline whose last vertex repeats the first counts as closed; arcs of
bulged segments are taken as their chords, and said); lines, texts, blocks and open polylines
are ignored and counted in a note. A ring inside another is its hole; each outer ring with its
holes is a plot, named after its layer (numbered when a layer holds several). A DXF carries no
CRS: the caller decides it as for a shapefile without ``.prj`` (the user's choice, else the
coordinates tell: a zone-prefixed easting names its zone; otherwise a clear refusal).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Polygon

from gis.errors import InvalidInputError


@dataclass(frozen=True)
class DxfPlots:
    plots: tuple[tuple[str, shapely.Geometry], ...]  # name, (Multi)Polygon in drawing units
    notes: tuple[str, ...]


def read_dxf(path: str | Path) -> DxfPlots:
    import ezdxf  # imported on use: only DXF uploads need it

    try:
        doc = ezdxf.readfile(str(path))
    # ezdxf meets untrusted bytes here and fails in many ways (DXFStructureError, but also
    # StopIteration, ValueError … on truncated files): each is the same answer to the user
    except Exception as exc:
        raise InvalidInputError(
            f"DXF 文件无法读取：{str(exc)[:160]} (unreadable DXF).",
            hint="请在 CAD 中另存为 AutoCAD DXF（R2000 或更新版本）后重试。",
        ) from None
    rings, skipped, bulged = [], Counter(), 0
    for entity in doc.modelspace():
        kind = entity.dxftype()
        if kind not in ("LWPOLYLINE", "POLYLINE"):
            skipped[kind] += 1
            continue
        points, closed, has_bulge = _vertices(entity)
        if len(points) > 1 and points[0] == points[-1]:
            points, closed = points[:-1], True
        if not closed or len(set(points)) < 3:
            skipped["未闭合多段线"] += 1
            continue
        bulged += has_bulge
        rings.append((_unescape(entity.dxf.layer), Polygon(points)))
    if not rings:
        found = "、".join(f"{k} {n} 个" for k, n in skipped.most_common(6)) or "无图元"
        raise InvalidInputError(
            f"DXF 中没有闭合多段线，无法得到项目范围（文件中：{found}）(no closed polylines).",
            hint="项目红线应绘制为闭合的多段线（PLINE，闭合 C）。",
        )
    notes = [f"DXF：读取闭合多段线 {len(rings)} 条。"]
    if skipped:
        notes.append(
            "DXF：以下图元不是闭合多段线，未使用："
            + "、".join(f"{k} {n} 个" for k, n in skipped.most_common())
        )
    if bulged:
        notes.append(f"DXF：{bulged} 条多段线含圆弧段，按弦线处理。")
    return DxfPlots(_plots(rings), tuple(notes))


_UNICODE_ESCAPE = re.compile(r"\\U\+([0-9A-Fa-f]{4})")


def _unescape(text: str) -> str:
    """Layer names of R2000–R2004 files written outside the reader's code page carry
    non-ASCII characters as ``\\U+XXXX`` (一号地块 → \\U+4E00\\U+53F7…)."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _vertices(entity) -> tuple[list[tuple[float, float]], bool, bool]:
    if entity.dxftype() == "LWPOLYLINE":
        points = [(float(x), float(y)) for x, y, *_ in entity.get_points("xyb")]
        bulge = any(b for *_, b in entity.get_points("xyb"))
        return points, bool(entity.closed), bulge
    if entity.is_3d_polyline or entity.is_polygon_mesh or entity.is_poly_face_mesh:
        return [], False, False
    points = [(float(v.dxf.location.x), float(v.dxf.location.y)) for v in entity.vertices]
    bulge = any(v.dxf.get("bulge", 0) for v in entity.vertices)
    return points, bool(entity.is_closed), bulge


def _plots(rings: list[tuple[str, Polygon]]) -> tuple[tuple[str, shapely.Geometry], ...]:
    """Largest first: a ring inside an outer ring already kept is that ring's hole. Plots
    come out in drawing order."""
    ordered = sorted(enumerate(rings), key=lambda r: r[1][1].area, reverse=True)
    kept: list[tuple[int, str, Polygon, list]] = []
    for index, (layer, ring) in ordered:
        host = next((o for o in kept if o[2].contains(ring.representative_point())), None)
        if host is not None:
            host[3].append(list(ring.exterior.coords))
        else:
            kept.append((index, layer, ring, []))
    outers = [(layer, ring, holes) for _, layer, ring, holes in sorted(kept, key=lambda o: o[0])]
    per_layer = Counter(layer for layer, _, _ in outers)
    seen: Counter = Counter()
    plots = []
    for layer, ring, holes in outers:
        seen[layer] += 1
        name = layer if per_layer[layer] == 1 else f"{layer}-{seen[layer]}"
        plots.append((name, Polygon(ring.exterior.coords, holes)))
    return tuple(plots)
