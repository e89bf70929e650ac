"""Ellipsoidal areas (椭球面积) on CGCS2000, and the 亩 / 万亩 / ha conversions.

Official parcel areas (三调 TBMJ and the like) are computed on the CGCS2000 ellipsoid from
geographic coordinates, so ours are too: pyproj's ``Geod`` (Karney's algorithm) on
a = 6378137 m, 1/f = 298.257222101, over polygons in EPSG:4490 lon/lat. Planar Gauss-Krüger
areas differ by up to ~0.06 % far from the central meridian; degrees or Web Mercator are
never used for area.

This module is the one place the 亩 rule lives: 1 亩 = 10000/15 m², 1 ha = 15 亩,
1 万亩 = 10⁴ 亩.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod

from gis.errors import InvalidInputError

CGCS2000_GEOD = Geod(a=6378137.0, rf=298.257222101)

M2_PER_MU = 10000.0 / 15.0
MU_PER_WANMU = 10_000.0
M2_PER_HA = 10_000.0

_AREAL_TYPES = {"Polygon", "MultiPolygon"}


def m2_to_mu(m2: float) -> float:
    """Square metres to 亩."""
    return m2 / M2_PER_MU


def mu_to_m2(mu: float) -> float:
    """亩 to square metres."""
    return mu * M2_PER_MU


def m2_to_wanmu(m2: float) -> float:
    """Square metres to 万亩 (10⁴ 亩)."""
    return m2 / (M2_PER_MU * MU_PER_WANMU)


def wanmu_to_m2(wanmu: float) -> float:
    """万亩 to square metres."""
    return wanmu * M2_PER_MU * MU_PER_WANMU


def m2_to_ha(m2: float) -> float:
    """Square metres to hectares (公顷)."""
    return m2 / M2_PER_HA


def geodesic_area_m2(geom: shapely.Geometry | None) -> float:
    """Area in m² of a (Multi)Polygon in lon/lat degrees; holes subtracted; None/empty → 0."""
    return float(geodesic_areas_m2([geom])[0])


def geodesic_areas_m2(geoms: Iterable[shapely.Geometry | None]) -> NDArray[np.float64]:
    """Areas in m² of many (Multi)Polygons in lon/lat degrees, as a float array.

    Each ring's area is taken unsigned, exteriors added and holes subtracted, so ring
    orientation (which shapefiles and GeoJSON define oppositely) does not matter.
    """
    geoms = np.asarray(list(geoms), dtype=object)
    areas = np.zeros(len(geoms))
    if not len(geoms):
        return areas
    _check_areal_lonlat(geoms)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    # get_rings lists each polygon's exterior first, then its holes.
    is_exterior = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(rings) else []
    for ring, part, exterior in zip(rings, ring_part, is_exterior, strict=True):
        lon, lat = shapely.get_coordinates(ring).T
        ring_area = abs(CGCS2000_GEOD.polygon_area_perimeter(lon, lat)[0])
        areas[part_owner[part]] += ring_area if exterior else -ring_area
    return areas


def _check_areal_lonlat(geoms: NDArray) -> None:
    present = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    kinds = set(shapely.get_type_id(present).tolist()) - {3, 6}  # Polygon, MultiPolygon
    if kinds:
        names = sorted({g.geom_type for g in present if g.geom_type not in _AREAL_TYPES})
        raise InvalidInputError(f"只能计算面要素的面积，收到：{'、'.join(names)}（not a polygon）")
    xmin, ymin, xmax, ymax = shapely.total_bounds(present) if len(present) else (0, 0, 0, 0)
    if max(abs(xmin), abs(xmax)) > 180.0 or max(abs(ymin), abs(ymax)) > 90.0:
        raise InvalidInputError(
            "面积计算需要经纬度坐标（EPSG:4490），但坐标超出 ±180/±90，像是投影坐标（米）。"
        )


#: Square metres per unit of area a bottom-line list may use for its targets.
AREA_UNITS: dict[str, float] = {
    "亩": M2_PER_MU,
    "万亩": M2_PER_MU * MU_PER_WANMU,
    "公顷": M2_PER_HA,
    "万公顷": M2_PER_HA * 10_000,
    "km²": 1_000_000.0,
}
