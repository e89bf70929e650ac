"""Metre-based geometry for the generator, through CGCS2000 3-degree Gauss-Krüger zone 38.

The generator draws in lon/lat (EPSG:4490) but buffers, insets and rectangles are sized in
metres: those go through EPSG:4526 (zone 38, zone number in X), the same projection the
farmland layer is written in. :func:`gk_round_trip` is what a lon/lat geometry becomes after
being written in Gauss-Krüger and read back, so areas can be taken on exactly that.
"""

from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely import affinity

from gis.crs import CGCS2000

GK_EPSG = 4526  # CGCS2000 / 3-degree Gauss-Kruger zone 38 (X with the zone number)


@cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _apply(geoms, source: int, target: int):
    transformer = _transformer(source, target)

    def convert(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, convert)


def to_gk(geoms):
    """Lon/lat (4490) → Gauss-Krüger metres (4526); geometry or array."""
    return _apply(geoms, CGCS2000, GK_EPSG)


def from_gk(geoms):
    """Gauss-Krüger metres (4526) → lon/lat (4490); geometry or array."""
    return _apply(geoms, GK_EPSG, CGCS2000)


def gk_round_trip(geoms):
    """What lon/lat geometries become after a write in Gauss-Krüger and a read back."""
    return from_gk(to_gk(geoms))


def buffer_m(geoms, distance_m: float, **kwargs):
    """Buffer lon/lat geometries by metres (negative: inset), mitred joins unless told."""
    kwargs.setdefault("join_style", "mitre")
    return from_gk(shapely.buffer(to_gk(geoms), distance_m, **kwargs))


def rectangle_m(centre: shapely.Point, width_m: float, height_m: float, angle_deg: float = 0):
    """A rectangle of ``width_m`` × ``height_m`` metres centred on a lon/lat point."""
    x, y = shapely.get_coordinates(to_gk(centre))[0]
    box = shapely.box(x - width_m / 2, y - height_m / 2, x + width_m / 2, y + height_m / 2)
    if angle_deg:
        box = affinity.rotate(box, angle_deg, origin=(x, y))
    return from_gk(box)


def distance_m(a, b) -> np.ndarray:
    """Planar Gauss-Krüger distance in metres between lon/lat geometries (vectorised)."""
    return shapely.distance(to_gk(a), to_gk(b))
