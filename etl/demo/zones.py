"""Planning and protection zones: 城镇开发边界 and 饮用水水源保护区.

The 城镇开发边界 is the union of the parcels around the city (the built-up area and a ring of
growth land), so it shares their edges. The 饮用水水源保护区 of each drinking-water reservoir
are the usual rings: 一级 = the water surface and 200 m of shore, 二级 = 2 km beyond that.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.geography import CITY_CENTRE, CITY_RADII, GROWTH_FACTOR, INDUSTRY_CENTRE
from etl.demo.planar import buffer_m
from etl.demo.reservoirs import Reservoir


def ellipse_distance(lon: NDArray, lat: NDArray, centre=CITY_CENTRE, radii=CITY_RADII) -> NDArray:
    """1 on the ellipse around ``centre`` with semi-axes ``radii``; < 1 inside."""
    return np.hypot((lon - centre[0]) / radii[0], (lat - centre[1]) / radii[1])


def city_masks(points: NDArray, wobble: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """(built-up, industrial quarter, inside the development boundary) for parcel points."""
    lon, lat = shapely.get_coordinates(points).T
    d = ellipse_distance(lon, lat) + wobble
    industry = ellipse_distance(lon, lat, INDUSTRY_CENTRE, (0.016, 0.012)) + wobble < 1
    return d < 1, industry, (d < GROWTH_FACTOR) | industry


@dataclass(frozen=True)
class WaterSourceZone:
    name: str
    level: str  # 一级 / 二级
    source: str
    source_level: str  # 县级 / 乡镇级
    geom: shapely.Geometry


def water_source_zones(
    reservoirs: list[Reservoir], outline: shapely.Geometry
) -> list[WaterSourceZone]:
    zones = []
    for r in sorted((r for r in reservoirs if r.drinking), key=lambda r: r.code):
        first = shapely.intersection(buffer_m(r.surface, 200.0, join_style="round"), outline)
        second = shapely.difference(
            shapely.intersection(buffer_m(first, 2000.0, join_style="round"), outline), first
        )
        for level, geom in (("一级", first), ("二级", second)):
            name = f"{r.name}饮用水水源{level}保护区"
            zones.append(WaterSourceZone(name, level, r.name, r.drinking, geom))
    return zones
