"""The land tessellation (图斑剖分): the district cut into parcels with no gap and no overlap.

Seeded points (denser in the plains and the city, as real parcels are smaller there) give
Voronoi cells, clipped to the outline. Water surfaces of reservoirs (1103), river strips
(1101) and road strips (1003) are carved out of the cells as parcels of their own, the rest
is land whose class :mod:`etl.demo.land` decides. Parcels crossing the unit boundary are cut
along it, except a few (:data:`STRADDLERS`) left whole on purpose, so that the rule "a parcel
straddling a unit boundary counts in proportion to its area inside the unit" has something to
do.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.geography import SPLIT_LINE

STRADDLERS = 3
_MIN_PIECE_DEG2 = 1e-10  # ≈ 1 m²: slivers of the cutting arithmetic, not parcels


@dataclass(frozen=True)
class Carve:
    kind: str  # land-class code of the carved parcels: 1103, 1101, 1003
    feature: str  # reservoir code, river or road name
    geom: shapely.Geometry


@dataclass
class Pieces:
    """Parallel arrays, one entry per parcel."""

    geom: NDArray[np.object_]  # lon/lat Polygon
    kind: NDArray[np.object_]  # "land" or the carve's land-class code
    feature: NDArray[np.object_]  # the carve's feature ("" for land)
    unit: NDArray[np.object_]  # unit code, "" for a straddling parcel
    straddle: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.geom)


def tessellate(
    outline: shapely.Geometry,
    units: dict[str, shapely.Geometry],
    carves: Sequence[Carve],
    n_cells: int,
    density: Callable[[NDArray, NDArray], NDArray],
    rng: np.random.Generator,
) -> Pieces:
    """``n_cells`` seeded cells, carved, cut at the unit boundary, ordered north to south."""
    cells = _cells(outline, n_cells, density, rng)
    geom, kind, feature = _carve(cells, carves)
    return _split_by_units(geom, kind, feature, outline, units)


def _cells(outline, n_cells, density, rng) -> NDArray:
    xmin, ymin, xmax, ymax = outline.bounds
    points: list[NDArray] = []
    total = 0
    while total < n_cells:
        lon = rng.uniform(xmin, xmax, 4 * n_cells)
        lat = rng.uniform(ymin, ymax, 4 * n_cells)
        keep = shapely.contains_xy(outline, lon, lat)
        keep &= rng.uniform(0, 1, len(lon)) < density(lon, lat)
        chunk = np.column_stack([lon[keep], lat[keep]])[: n_cells - total]
        points.append(chunk)
        total += len(chunk)
    seeds = shapely.multipoints(np.concatenate(points))
    envelope = shapely.buffer(shapely.envelope(outline), 0.05)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=envelope, ordered=True))
    shapely.prepare(outline)
    inside = shapely.contains(outline, cells)
    cells[~inside] = shapely.intersection(cells[~inside], outline)
    return cells


def _carve(cells: NDArray, carves: Sequence[Carve]) -> tuple[NDArray, NDArray, NDArray]:
    """Cells cut by the carves (in priority order: an earlier carve wins where they overlap)."""
    tree = shapely.STRtree(cells)
    geoms, kinds, features = [], [], []
    taken = shapely.Polygon()
    for carve in carves:
        shape = shapely.difference(carve.geom, taken)
        if shape.is_empty:
            continue
        taken = shapely.union(taken, shape)
        hit = tree.query(shape, predicate="intersects")
        pieces = shapely.intersection(cells[hit], shape)
        geoms.append(pieces)
        kinds.append(np.full(len(pieces), carve.kind, dtype=object))
        features.append(np.full(len(pieces), carve.feature, dtype=object))
    touched = np.unique(tree.query(taken, predicate="intersects"))
    land = cells.copy()
    shapely.prepare(taken)
    land[touched] = shapely.difference(cells[touched], taken)
    geoms.append(land)
    kinds.append(np.full(len(land), "land", dtype=object))
    features.append(np.full(len(land), "", dtype=object))
    return _polygons(np.concatenate(geoms), np.concatenate(kinds), np.concatenate(features))


def _polygons(geom: NDArray, *columns: NDArray) -> tuple[NDArray, ...]:
    """Explode to single polygons and drop slivers; the columns follow their geometries."""
    parts, owner = shapely.get_parts(geom, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > _MIN_PIECE_DEG2)
    return (parts[keep], *(c[owner[keep]] for c in columns))


def _split_by_units(geom, kind, feature, outline, units) -> Pieces:
    codes = list(units)
    west = units[codes[0]]
    border = shapely.intersection(shapely.LineString(SPLIT_LINE), outline)
    shapely.prepare(west)
    crossing = np.zeros(len(geom), dtype=bool)
    crossing[shapely.STRtree(geom).query(border, predicate="intersects")] = True
    share = np.zeros(len(geom))
    share[crossing] = shapely.area(shapely.intersection(geom[crossing], west)) / shapely.area(
        geom[crossing]
    )
    crossing &= (share > 1e-7) & (share < 1 - 1e-7)
    straddle = _pick_straddlers(geom, kind, crossing, share)
    cut = crossing & ~straddle
    halves = [shapely.intersection(geom[cut], units[code]) for code in codes]
    geom_out, kind_out, feature_out, straddle_out = _polygons(
        np.concatenate([geom[~cut], *halves]),
        np.concatenate([kind[~cut], kind[cut], kind[cut]]),
        np.concatenate([feature[~cut], feature[cut], feature[cut]]),
        np.concatenate([straddle[~cut], straddle[cut], straddle[cut]]),
    )
    inside_west = shapely.contains_xy(
        west, *shapely.get_coordinates(shapely.point_on_surface(geom_out)).T
    )
    unit = np.where(inside_west, codes[0], codes[1]).astype(object)
    unit[straddle_out] = ""
    order = _spatial_order(geom_out)
    return Pieces(
        geom_out[order], kind_out[order], feature_out[order], unit[order], straddle_out[order]
    )


def _pick_straddlers(geom, kind, crossing, share) -> NDArray:
    """The largest land cells the border cuts near the middle, spread from north to south."""
    straddle = np.zeros(len(geom), dtype=bool)
    candidates = np.flatnonzero(crossing & (kind == "land") & (share > 0.3) & (share < 0.7))
    if len(candidates) < STRADDLERS:
        return straddle
    lat = shapely.get_coordinates(shapely.centroid(geom[candidates]))[:, 1]
    for band in np.array_split(candidates[np.argsort(-lat, kind="stable")], STRADDLERS):
        straddle[band[np.argmax(shapely.area(geom[band]))]] = True
    return straddle


def _spatial_order(geom: NDArray) -> NDArray:
    """North to south in 1 km rows, west to east within a row (how 标识码 run on a map)."""
    x, y = shapely.get_coordinates(shapely.point_on_surface(geom)).T
    row = np.floor((32.0 - y) / 0.009).astype(int)
    return np.lexsort((x, row))
