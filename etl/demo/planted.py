"""The planted land problems (预设问题) the checks must find.

* :func:`plant_housing` — houses (农村宅基地 0702) built on part of a paddy that is
  永久基本农田: the 三调 survey splits the parcel, the basic-farmland patch keeps the whole.
* :func:`plant_boundary_overlap` — the 城镇开发边界 pushed into a neighbouring paddy that is
  永久基本农田: a 三线 overlap (seed 000: the three lines must not overlap).

Each picks its parcel deterministically (the candidate nearest a chosen spot) and cuts it at
the position that gives the intended share, found by bisection.
"""

from collections.abc import Callable

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.parcels import Parcels
from etl.demo.planar import buffer_m, distance_m
from gis.area import geodesic_area_m2

HOUSING_SHARE = 0.22
OVERLAP_SHARE = 0.35


def _bisect(piece: Callable[[float], shapely.Geometry], whole: float, share: float, lo, hi):
    """The parameter in [lo, hi] where ``piece`` grows to ``share`` of ``whole`` (monotone)."""
    for _ in range(40):
        mid = (lo + hi) / 2
        if geodesic_area_m2(piece(mid)) < share * whole:
            lo = mid
        else:
            hi = mid
    return piece((lo + hi) / 2)


def _candidates(parcels: Parcels, unit: str, excluded: NDArray, near) -> NDArray:
    """Unlocked paddies of the unit among its larger ones (upper quarter), nearest first."""
    pool = (parcels.unit == unit) & (parcels.dlbm == "0101") & ~parcels.locked & ~excluded
    low, high = np.quantile(parcels.tbmj[pool], [0.75, 0.995])
    pool &= (parcels.tbmj > low) & (parcels.tbmj < high)
    index = np.flatnonzero(pool)
    d = distance_m(parcels.geom[index], shapely.Point(near))
    return index[np.argsort(d, kind="stable")]


def plant_housing(
    parcels: Parcels, unit: str, excluded: NDArray, near: tuple[float, float]
) -> tuple[int, int, shapely.Geometry]:
    """(paddy index, new 0702 index, the paddy's original shape)."""
    for index in _candidates(parcels, unit, excluded, near):
        original = parcels.geom[index]
        xmin, ymin, xmax, ymax = original.bounds
        whole = geodesic_area_m2(original)

        def east_of(x: float, g=original, top=(xmax, ymin, ymax)) -> shapely.Geometry:
            return shapely.intersection(g, shapely.box(top[0] - x, top[1], top[0] + 1, top[2]))

        houses = _bisect(east_of, whole, HOUSING_SHARE, 0.0, xmax - xmin)
        paddy = shapely.difference(original, houses)
        if houses.geom_type == "Polygon" and paddy.geom_type == "Polygon":
            new = parcels.split(int(index), paddy, houses, "0702")
            return int(index), new, original
    raise ValueError("no paddy fit for the planted housing case")


def plant_boundary_overlap(
    parcels: Parcels, unit: str, boundary: shapely.Geometry, excluded: NDArray
) -> tuple[int, shapely.Geometry]:
    """(paddy index, the development boundary grown into it)."""
    rings = shapely.boundary(boundary)
    near_ring = shapely.STRtree(parcels.geom).query(rings, predicate="intersects")
    touching = np.zeros(len(parcels), dtype=bool)
    shared = shapely.intersection(shapely.boundary(parcels.geom[near_ring]), rings)
    touching[near_ring] = shapely.length(shared) * 95_000 > 200  # ≈ metres at 31.6°N
    centre = boundary.centroid
    for index in _candidates(parcels, unit, excluded | ~touching, (centre.x, centre.y)):
        paddy = parcels.geom[index]
        local = shapely.intersection(boundary, shapely.buffer(shapely.envelope(paddy), 0.01))
        whole = geodesic_area_m2(paddy)

        def grown(d: float, g=paddy, local=local) -> shapely.Geometry:
            return shapely.intersection(g, buffer_m(local, d, join_style="round"))

        taken = _bisect(grown, whole, OVERLAP_SHARE, 0.0, 800.0)
        if taken.geom_type == "Polygon":
            parcels.locked[index] = True
            return int(index), shapely.union(boundary, taken)
    raise ValueError("no paddy fit for the planted 三线 overlap")
