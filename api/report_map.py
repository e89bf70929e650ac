"""The report's map (项目位置及压占示意图): an SVG drawn server-side from the report's geometries.

No basemap and no outside asset: the project outline, each protected layer's overlap in its
registry colour, the part outside the data hatched red, and the 界址点 labels, in the same
CGCS2000 3-degree Gauss-Krüger zone as the coordinate table (so the map and the table agree
and distances on paper are true to scale). Scale: the smallest of 1:500, 1:1000, 1:2000,
1:2500, 1:5000 … at which the project and a margin fit the frame, stated as a ratio and drawn
as a bar; grid north is up (the north arrow says so: in the zone the grid and true north differ
by under 2°). The legend, in a strip under the frame, lists only what is drawn.
"""

import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from gis.boundary_points import BoundaryTable
from gis.crs import CGCS2000
from layers.registry import LAYERS

#: Printed size of the map frame (mm) and SVG units per mm.
FRAME_MM = (170.0, 120.0)
UNITS_PER_MM = 4.0
MARGIN = 0.12  # share of the frame kept free around the project
FONT = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', sans-serif"
OUTSIDE_COLOUR = "#c00000"
PROJECT_COLOUR = "#d7301f"
MAX_LABELLED_POINTS = 80
DRAW_ORDER = {"informational": 0, "restricted": 1, "prohibited": 2}


def nice_at_least(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ not below ``value``."""
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10 ** (exponent + 1)


def nice_at_most(value: float) -> float:
    """The largest of 1, 2, 5 × 10ⁿ not above ``value`` (scale-bar lengths)."""
    exponent = math.floor(math.log10(value))
    for step in (5, 2, 1):
        candidate = step * 10**exponent
        if candidate <= value * (1 + 1e-12):
            return candidate
    return 10 ** (exponent - 1) * 5


@dataclass(frozen=True)
class Frame:
    """Map scale 1:denominator, centred on (east0, north0) in the zone's metres."""

    denominator: float
    east0: float
    north0: float

    @property
    def metres_per_unit(self) -> float:
        return self.denominator / 1000.0 / UNITS_PER_MM

    @property
    def size(self) -> tuple[float, float]:
        return FRAME_MM[0] * UNITS_PER_MM, FRAME_MM[1] * UNITS_PER_MM

    def xy(self, east: np.ndarray, north: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        width, height = self.size
        return (
            width / 2 + (east - self.east0) / self.metres_per_unit,
            height / 2 - (north - self.north0) / self.metres_per_unit,
        )


def frame_for(bounds: tuple[float, float, float, float]) -> Frame:
    """The frame at the first nice scale where ``bounds`` (zone metres) fit with the margin."""
    west, south, east, north = bounds
    usable = [mm * (1 - 2 * MARGIN) for mm in FRAME_MM]
    metres_per_mm = max((east - west) / usable[0], (north - south) / usable[1], 0.25)
    return Frame(nice_at_least(metres_per_mm * 1000), (west + east) / 2, (south + north) / 2)


class _Projector:
    def __init__(self, epsg: int) -> None:
        self.to_gk = Transformer.from_crs(CGCS2000, epsg, always_xy=True)

    def geometry(self, geojson: dict[str, Any]) -> shapely.Geometry:
        def project(xy: np.ndarray) -> np.ndarray:
            east, north = self.to_gk.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([east, north])

        return shapely.transform(shape(geojson), project)


def _polygons(geom: shapely.Geometry) -> list[shapely.Polygon]:
    """Every polygon of ``geom``, however nested (collections of multipolygons included)."""
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in shapely.get_parts(geom) for p in _polygons(part)]
    return []


def _path(geom: shapely.Geometry, frame: Frame) -> str:
    parts = []
    for polygon in _polygons(geom):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            xs, ys = frame.xy(coords[:, 0], coords[:, 1])
            parts.append(
                "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True)) + " Z"
            )
    return " ".join(parts)


def _colour(layer: str) -> str:
    style = LAYERS[layer].style if layer in LAYERS else {}
    return html.escape(str(style.get("fillColor") or style.get("color") or "#999999"))


def _north_arrow(x: float, y: float) -> str:
    return (
        f'<g transform="translate({x:.1f},{y:.1f})" class="north-arrow">'
        '<path d="M0,-34 L12,6 L0,-2 Z" fill="#222"/><path d="M0,-34 L-12,6 L0,-2 Z" '
        'fill="#fff" stroke="#222" stroke-width="1.2"/>'
        f'<text x="0" y="24" text-anchor="middle" font-size="20" font-family="{FONT}" '
        'font-weight="bold">北</text></g>'
    )


def _scale_bar(frame: Frame, x: float, y: float) -> str:
    width, _ = frame.size
    length_m = nice_at_most(width * 0.25 * frame.metres_per_unit)
    length = length_m / frame.metres_per_unit
    unit, shown = ("km", length_m / 1000) if length_m >= 1000 else ("m", length_m)
    half = length / 2
    label = f"{shown:g} {unit}"
    return (
        f'<g transform="translate({x:.1f},{y:.1f})" class="scale-bar" font-family="{FONT}" '
        'font-size="16">'
        f'<rect x="-8" y="-40" width="{length + 70:.1f}" height="66" fill="#fff" '
        'fill-opacity="0.85"/>'
        f'<rect x="0" y="0" width="{half:.1f}" height="8" fill="#222"/>'
        f'<rect x="{half:.1f}" y="0" width="{half:.1f}" height="8" fill="#fff" stroke="#222"/>'
        '<text x="0" y="-6" text-anchor="middle">0</text>'
        f'<text x="{length:.1f}" y="-6" text-anchor="middle">{label}</text>'
        f'<text x="0" y="24">比例尺 1:{frame.denominator:,.0f}</text></g>'
    )


LEGEND_COLUMNS, LEGEND_ROW = 3, 26


def _legend_height(items: int) -> float:
    return 16 + LEGEND_ROW * math.ceil(items / LEGEND_COLUMNS)


def _legend(items: list[tuple[str, str]], y: float, width: float) -> str:
    """The legend in a strip under the map frame, so it never hides part of the project."""
    column = (width - 60) / LEGEND_COLUMNS
    rows = "".join(
        f'<g transform="translate({60 + column * (n % LEGEND_COLUMNS):.1f},'
        f'{10 + LEGEND_ROW * (n // LEGEND_COLUMNS)})">{swatch}'
        f'<text x="30" y="14" font-size="15">{html.escape(label)}</text></g>'
        for n, (swatch, label) in enumerate(items)
    )
    return (
        f'<g transform="translate(0,{y:.1f})" class="legend" font-family="{FONT}">'
        f'<text x="6" y="24" font-size="16" font-weight="bold">图例</text>{rows}</g>'
    )


def _swatch(fill: str, stroke: str, opacity: float = 0.55) -> str:
    return (
        f'<rect width="22" height="16" fill="{fill}" fill-opacity="{opacity}" '
        f'stroke="{stroke}" stroke-width="1.5"/>'
    )


def _point_labels(table: BoundaryTable, frame: Frame) -> str:
    seen: set[str] = set()
    marks = []
    for point in table.points:
        if point.label in seen:
            continue
        seen.add(point.label)
        # the frame is in the table's own CRS (zone number in Y), so Y is the easting as is
        (x,), (y,) = frame.xy(np.array([point.y]), np.array([point.x]))
        marks.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PROJECT_COLOUR}"/>'
            f'<text x="{x + 5:.1f}" y="{y - 5:.1f}" font-size="13">{point.label}</text>'
        )
    return f'<g font-family="{FONT}" fill="#222">{"".join(marks)}</g>'


def svg_map(report: dict[str, Any], table: BoundaryTable) -> str:
    """The map of ``report`` as an SVG element, in the zone of ``table``."""
    projector = _Projector(table.epsg)
    project = projector.geometry(report["project_geometry"])
    frame = frame_for(project.bounds)
    width, height = frame.size
    shapes, legend = [], []
    # informational zones (城镇开发边界) under the rest, prohibited layers on top, so a zone
    # that covers the whole project never hides the overlaps that decide the verdict
    for layer in sorted(report["layers"], key=lambda x: DRAW_ORDER.get(x.get("severity"), 1)):
        if layer.get("geometry") and layer["area_m2"] > 0:
            colour = _colour(layer["layer"])
            zone = layer.get("severity") == "informational"
            opacity, dash = (
                (0.12, ' stroke-dasharray="10 6" stroke-width="2"') if zone else (0.55, "")
            )
            d = _path(projector.geometry(layer["geometry"]), frame)
            shapes.append(
                f'<path d="{d}" fill="{colour}" fill-opacity="{opacity}" stroke="{colour}"{dash} '
                'fill-rule="evenodd"/>'
            )
            legend.append((_swatch(colour, colour, opacity), f"压占{layer['name']}"))
    outside = (report.get("coverage") or {}).get("outside_geometry")
    if outside:
        d = _path(projector.geometry(outside), frame)
        shapes.append(
            f'<path d="{d}" fill="url(#out)" stroke="{OUTSIDE_COLOUR}" fill-rule="evenodd"/>'
        )
        legend.append((_swatch("url(#out)", OUTSIDE_COLOUR, 1), "超出数据范围（无法判定）"))
    shapes.append(
        f'<path d="{_path(project, frame)}" fill="none" stroke="{PROJECT_COLOUR}" '
        'stroke-width="3" fill-rule="evenodd"/>'
    )
    legend.insert(0, (_swatch("none", PROJECT_COLOUR, 0), "项目范围（红线）"))
    labels = _point_labels(table, frame) if len(table.points) <= MAX_LABELLED_POINTS else ""
    if labels:
        legend.append(('<circle cx="11" cy="8" r="4" fill="#d7301f"/>', "界址点及点号"))
    total = height + _legend_height(len(legend))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-map" '
        f'width="{FRAME_MM[0]}mm" height="{total / UNITS_PER_MM:.1f}mm" '
        f'viewBox="0 0 {width:.0f} {total:.0f}">'
        '<defs><pattern id="out" width="10" height="10" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="10" '
        f'stroke="{OUTSIDE_COLOUR}" stroke-width="3"/></pattern>'
        f'<clipPath id="frame"><rect width="{width:.0f}" height="{height:.0f}"/></clipPath></defs>'
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>'
        f'<g clip-path="url(#frame)">{"".join(shapes)}{labels}</g>'
        + _north_arrow(width - 40, 50)
        + _scale_bar(frame, 24, height - 40)
        + _legend(legend, height, width)
        + f'<rect width="{width:.0f}" height="{height:.0f}" fill="none" stroke="#222" '
        'stroke-width="2"/></svg>'
    )
