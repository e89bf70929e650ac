"""The ministry's 界址点坐标 TXT (部标格式): the usual way a project outline is handed in for 报批.

The format (国土资源部 建设用地勘测定界 / 土地整治 坐标交换文本)::

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=38
    [地块坐标]
    5,0.7,DK01,一号地块,面,,,,@          ← plot header: 界址点数, 面积(公顷), 编号, 名称, 图形属性 … @
    J1,1,3509874.090,38439334.250        ← 点号, 圈号, X = northing, Y = easting (zone in front)
    …

Pitfalls handled: X is the northing and Y the easting (the reverse of GIS x/y), and a file with
the columns swapped is recognised from the magnitudes (a northing here is 2–6 million metres,
an easting 0.2–0.8 million, or 13–45 million with the zone in front) and said; the zone number
is in Y or only in the header's 带号, and the two must agree; 圈号 numbers rings: a ring inside
an earlier one of the same plot is its hole, otherwise it is another part of the plot; rings may
or may not repeat their first point; the text is UTF-8 or GBK. Malformed files are refused with
the line number and what was expected. Coordinates stay in the file's CRS here; the caller
transforms them (EPSG:4513–4533 zone in Y, 4534–4554 without, 6-degree 4491–4512).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import Polygon

from gis.errors import CrsError, InvalidInputError

NORTHING = (1.5e6, 6.5e6)  # metres north of the equator, 13.5°N–58.5°N
PLAIN_EASTING = (1.0e5, 9.0e5)  # false easting 500 km ± a zone's half-width
_GK3_PREFIXED, _GK3_PLAIN = 4513, 4534  # zone 25 / CM 75°E
_GK6_PREFIXED, _GK6_PLAIN = 4491, 4502  # zone 13 / CM 75°E
_HEADER_FIELDS = ("界址点数", "地块面积", "地块编号", "地块名称", "图形属性")
# in the CLI's words, as gis.crs speaks; the API says it in the map's (api.routes.overlap)
_CRS_CHOICE = (
    "请用 --crs 指定坐标系，如 --crs 4526（3度带 38 带，Y 含带号）、--crs 4547（不含带号）。"
)


@dataclass
class TxtPlot:
    name: str
    code: str | None
    declared_ha: float | None
    line: int
    rings: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # 圈号 → (e, n)


@dataclass(frozen=True)
class BoundaryTxt:
    plots: tuple[tuple[str, shapely.Geometry], ...]  # name, (Multi)Polygon in ``epsg`` (e, n)
    epsg: int
    notes: tuple[str, ...]


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def read_boundary_txt(path: str | Path, crs: int | None = None) -> BoundaryTxt:
    return parse_boundary_txt(decode(Path(path).read_bytes()), crs)


def parse_boundary_txt(text: str, crs: int | None = None) -> BoundaryTxt:
    """Plots of a 部标 TXT; ``crs`` (the user's choice) wins over the header's 带号."""
    attributes, plots = _sections(text)
    notes: list[str] = []
    swapped = _swapped(plots)
    if swapped:
        for plot in plots:
            plot.rings = {k: [(n, e) for e, n in ring] for k, ring in plot.rings.items()}
        notes.append(
            "界址点坐标的 X、Y 列与部标格式相反（X 应为纵坐标/北，Y 为横坐标/东），已按数值范围对调。"
        )
    epsg, crs_note = _epsg(attributes, plots, crs)
    notes.append(crs_note)
    shapes = []
    for plot in plots:
        geom, plot_notes = _plot_geometry(plot)
        shapes.append((plot.name, geom))
        notes += plot_notes
    return BoundaryTxt(tuple(shapes), epsg, tuple(notes))


# --- sections and lines ---------------------------------------------------------------------


def _sections(text: str) -> tuple[dict[str, str], list[TxtPlot]]:
    attributes: dict[str, str] = {}
    plots: list[TxtPlot] = []
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("，", ",")
        if not line:
            continue
        heading = re.fullmatch(r"\[(.+)\]", line)
        if heading:
            section = heading.group(1).strip()
            continue
        if section == "属性描述":
            key, _, value = line.partition("=")
            attributes[key.strip()] = value.strip()
        elif section == "地块坐标":
            if line.endswith("@"):
                plots.append(_plot_header(line, number, len(plots)))
            elif not plots:
                raise _malformed(number, "坐标行之前缺少以 @ 结尾的地块行", line)
            else:
                _point(line, number, plots[-1])
    if not plots:
        raise InvalidInputError(
            "界址点文件中没有 [地块坐标] 或地块 (no [地块坐标] section or no plot).",
            hint="部标格式：[属性描述] 之后为 [地块坐标]，每个地块以“界址点数,面积,编号,名称,面,…,@”开头。",
        )
    return attributes, plots


def _malformed(number: int, what: str, line: str) -> InvalidInputError:
    return InvalidInputError(
        f"界址点文件第 {number} 行格式不对：{what}（“{line[:60]}”）(malformed boundary-point line).",
        hint="坐标行应为“点号,圈号,X,Y”，如 J1,1,3509874.090,38439334.250；地块行以 @ 结尾。",
    )


def _plot_header(line: str, number: int, index: int) -> TxtPlot:
    fields = [f.strip() for f in line[:-1].split(",")]
    fields += [""] * (len(_HEADER_FIELDS) - len(fields))
    _, area, code, name, kind = fields[:5]
    if kind and kind != "面":
        raise _malformed(number, f"图形属性为“{kind}”，项目范围必须是面", line)
    try:
        declared = float(area) if area else None
    except ValueError:
        raise _malformed(number, f"地块面积“{area}”不是数值", line) from None
    label = name or code or f"地块{index + 1}"
    return TxtPlot(label, code or None, declared, number)


def _point(line: str, number: int, plot: TxtPlot) -> None:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) < 4:
        raise _malformed(number, f"只有 {len(fields)} 列，应为 点号,圈号,X,Y", line)
    try:
        ring = int(float(fields[1]))
        x, y = float(fields[2]), float(fields[3])
    except ValueError:
        raise _malformed(number, "圈号或坐标不是数值", line) from None
    # stored as (easting, northing): X of the file is the northing
    plot.rings.setdefault(ring, []).append((y, x))


# --- CRS ------------------------------------------------------------------------------------


def _swapped(plots: list[TxtPlot]) -> bool:
    """True when the file's X column holds eastings (its Y the northings)."""
    pairs = [p for plot in plots for ring in plot.rings.values() for p in ring]
    if not pairs:
        return False
    as_read = sum(_is_northing(n) and _is_easting(e) for e, n in pairs)
    reversed_ = sum(_is_northing(e) and _is_easting(n) for e, n in pairs)
    return reversed_ > as_read


def _is_northing(value: float) -> bool:
    return NORTHING[0] <= value <= NORTHING[1]


def _is_easting(value: float) -> bool:
    zone = int(value // 1_000_000)
    return PLAIN_EASTING[0] <= value <= PLAIN_EASTING[1] or (
        13 <= zone <= 45 and PLAIN_EASTING[0] <= value - zone * 1_000_000 <= PLAIN_EASTING[1]
    )


def _epsg(attributes: dict[str, str], plots: list[TxtPlot], crs: int | None) -> tuple[int, str]:
    if crs is not None:
        return crs, f"坐标系：按所选 EPSG:{crs}（界址点文件）"
    system = attributes.get("坐标系", "")
    if system and "2000" not in system:
        raise CrsError(
            f"界址点文件的坐标系为“{system}”，平台只接受 2000 国家大地坐标系 (only CGCS2000).",
            hint="请先将坐标转换为 CGCS2000。",
        )
    width = attributes.get("几度分带", "3").strip() or "3"
    if width not in ("3", "6"):
        raise CrsError(f"界址点文件的几度分带“{width}”无法识别（应为 3 或 6）。", hint=_CRS_CHOICE)
    eastings = [e for plot in plots for ring in plot.rings.values() for e, _ in ring]
    zones = {int(e // 1_000_000) for e in eastings if e >= 1_000_000}
    header = attributes.get("带号", "").strip()
    header_zone = int(float(header)) if re.fullmatch(r"\d+(\.0+)?", header) else None
    if len(zones) > 1:
        raise CrsError(
            f"界址点 Y 坐标含不同带号 {sorted(zones)}，无法确定坐标系 (mixed zones).",
            hint="同一文件的坐标应在同一投影带内。",
        )
    if zones:
        (zone,) = zones
        if header_zone is not None and header_zone != zone:
            raise CrsError(
                f"界址点文件头带号为 {header_zone}，但 Y 坐标的带号为 {zone} (zone mismatch).",
                hint="请核对文件头“带号=”与坐标；" + _CRS_CHOICE,
            )
        return _code(width, zone, prefixed=True), _reason(width, zone, "Y 坐标含带号")
    if header_zone is None:
        raise CrsError(
            "界址点 Y 坐标不含带号，文件头也没有“带号=”，无法确定投影带 (zone unknown).",
            hint=_CRS_CHOICE,
        )
    return _code(width, header_zone, prefixed=False), _reason(width, header_zone, "文件头带号")


def _code(width: str, zone: int, prefixed: bool) -> int:
    if width == "3":
        if not 25 <= zone <= 45:
            raise CrsError(f"3 度带带号 {zone} 超出中国范围（25–45）。", hint=_CRS_CHOICE)
        return (_GK3_PREFIXED if prefixed else _GK3_PLAIN) + zone - 25
    if not 13 <= zone <= 23:
        raise CrsError(f"6 度带带号 {zone} 超出中国范围（13–23）。", hint=_CRS_CHOICE)
    return (_GK6_PREFIXED if prefixed else _GK6_PLAIN) + zone - 13


def _reason(width: str, zone: int, basis: str) -> str:
    return f"坐标系：CGCS2000 {width}度带高斯-克吕格 {zone} 带（依据{basis}，界址点文件）"


# --- rings to polygons ----------------------------------------------------------------------


def _plot_geometry(plot: TxtPlot) -> tuple[shapely.Geometry, list[str]]:
    """Rings in 圈号 order: one inside an earlier outer ring is its hole, else a new part."""
    notes: list[str] = []
    outers: list[tuple[Polygon, list]] = []
    for number in sorted(plot.rings):
        coords = plot.rings[number]
        if len(coords) > 1 and coords[0] == coords[-1]:
            coords = coords[:-1]
        if len(set(coords)) < 3:
            raise InvalidInputError(
                f"地块“{plot.name}”（第 {plot.line} 行起）第 {number} 圈只有 {len(set(coords))} "
                "个不同的界址点，构不成面 (a ring needs 3 points).",
                hint="每一圈至少 3 个不同的界址点，首尾点可重复。",
            )
        ring = Polygon(coords)
        host = next((o for o in outers if o[0].contains(ring.representative_point())), None)
        if host is not None and number != min(plot.rings):
            host[1].append(coords)
        else:
            outers.append((ring, []))
    parts = [Polygon(outer.exterior.coords, holes) for outer, holes in outers]
    geom = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    if plot.declared_ha is not None and geom.is_valid:
        computed = geom.area / 10_000
        if abs(computed - plot.declared_ha) > max(0.01 * plot.declared_ha, 0.0001):
            notes.append(
                f"地块“{plot.name}”申报面积 {plot.declared_ha:g} 公顷，按界址点计算为 "
                f"{computed:.4f} 公顷（高斯平面面积），请核对。"
            )
    return geom, notes
