"""界址点坐标表: a project outline's boundary points in CGCS2000 3-degree Gauss-Krüger.

The table a land-use officer files lists every vertex of the outline as X (northing) and Y
(easting with the zone number in front, e.g. 38 512 345.678), in metres, as the ministry's
界址点 TXT format (部标格式) and survey reports write them. Conventions (TD/T 1001-2012 地籍调查
规程, 界址点编号; the 部标 TXT's ``点号,圈号,X,Y`` lines):

- one zone for the whole project: the zone of the outline's centroid (a table mixing zones
  cannot be drawn or checked); when the outline crosses a zone edge that is said, not hidden;
- 圈号 numbers the rings of a plot: each polygon's outer ring, then its holes (圈号 1 is the
  first outer ring);
- outer rings run clockwise and holes anticlockwise seen on the map (north up), each starting
  at the vertex nearest the north-west corner of its ring's extent; each ring is closed by
  repeating its first point, as in the TXT format;
- 点号 J1, J2 … run on through the rings of a plot.

Pure: shapely geometry in EPSG:4490 in, plain rows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.polygon import orient

from gis.crs import CGCS2000, gk3_epsg, gk3_zone


@dataclass(frozen=True)
class BoundaryPoint:
    label: str  # 点号 J1, J2 … (the closing point repeats its ring's first label)
    ring: int  # 圈号
    x: float  # northing, m
    y: float  # easting with the zone number in front, m


@dataclass(frozen=True)
class BoundaryTable:
    zone: int
    central_meridian: int
    epsg: int  # the prefixed-zone EPSG code (4513 + zone − 25)
    points: tuple[BoundaryPoint, ...]
    note: str | None = None  # e.g. the outline crosses a zone edge

    @property
    def crs_text(self) -> str:
        return (
            f"CGCS2000 3度带高斯-克吕格投影，{self.zone} 带（中央经线 {self.central_meridian}°E，"
            f"Y 坐标含带号，EPSG:{self.epsg}），单位：米"
        )


@cache
def _to_gk(epsg: int) -> Transformer:
    return Transformer.from_crs(CGCS2000, epsg, always_xy=True)


def zone_of(geom: shapely.Geometry) -> int:
    """The 3-degree zone of the outline: that of its centroid."""
    return gk3_zone(geom.centroid.x)


def boundary_table(geom: shapely.Geometry, zone: int | None = None) -> BoundaryTable:
    """The 界址点 table of ``geom`` (Polygon or MultiPolygon, lon/lat EPSG:4490)."""
    zone = zone or zone_of(geom)
    epsg = gk3_epsg(zone, prefixed=True)
    to_gk = _to_gk(epsg)
    points: list[BoundaryPoint] = []
    ring_no = numbered = 0
    for polygon in shapely.get_parts(geom):
        projected = shapely.transform(polygon, lambda xy: _project(to_gk, xy))
        projected = orient(projected, sign=-1.0)  # outer clockwise, holes anticlockwise
        for ring in (projected.exterior, *projected.interiors):
            ring_no += 1
            coords = list(ring.coords)[:-1]
            points += _ring_points(coords, ring_no, numbered)
            numbered += len(coords)
    west, _, east, _ = geom.bounds
    crossing = {gk3_zone(west), gk3_zone(east)} != {zone}
    note = f"项目跨越 3 度带分界，界址点统一按项目中心所在的 {zone} 带计算。" if crossing else None
    return BoundaryTable(zone, zone * 3, epsg, tuple(points), note)


def _project(to_gk: Transformer, xy: np.ndarray) -> np.ndarray:
    east, north = to_gk.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([east, north])


def _ring_points(
    coords: list[tuple[float, float]], ring_no: int, numbered: int
) -> list[BoundaryPoint]:
    """One ring's points from the vertex nearest its north-west corner, closed by the first.
    ``coords`` are (easting, northing) pairs without the closing repeat."""
    west = min(e for e, _ in coords)
    north = max(n for _, n in coords)
    start = min(
        range(len(coords)), key=lambda i: (coords[i][0] - west) ** 2 + (coords[i][1] - north) ** 2
    )
    ordered = coords[start:] + coords[:start]
    rows = [
        BoundaryPoint(f"J{numbered + i + 1}", ring_no, north_, east)
        for i, (east, north_) in enumerate(ordered)
    ]
    return [*rows, rows[0]]
