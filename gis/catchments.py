"""Catchments (集水区) of monitoring sections from a DEM, with pyflwdir.

pyflwdir (Deltares) over pysheds: it takes numpy arrays and an affine transform, with no file
or GDAL round trips, its depression filling (Wang & Liu priority flood) and D8 directions are
numba-compiled, and ``basins(idxs=…)`` labels every cell with the *first* outlet downstream of
it, which is exactly the incremental catchment; pysheds works on its own Raster/Grid objects
and delineates one point at a time.

Steps (:func:`delineate`):

1. **Condition**: lower the river cells by :data:`BURN_M` (stream burning, so flow follows the
   mapped rivers where the DEM is too coarse or flat to), then fill depressions and derive D8
   flow directions (``pyflwdir.from_dem``).
2. **Snap** each section to the nearest river cell within :data:`SNAP_M` (a section's
   coordinates may sit beside the mapped line by tens of metres); further than that it is not
   delineated and says why.
3. **Incremental catchments**: every cell labelled with the first snapped section downstream
   of it. A section's **catchment** is its incremental catchment plus those of all sections
   upstream of it.
4. **Tree**: a section's downstream section is the label of the cell its outlet drains to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyflwdir
import rasterio.features
import shapely
from affine import Affine
from numpy.typing import NDArray
from scipy.spatial import cKDTree

BURN_M = 10.0
SNAP_M = 150.0


@dataclass(frozen=True)
class Snap:
    code: str
    row: int | None
    col: int | None
    distance_m: float
    reason: str | None = None  # why it was not delineated


@dataclass
class Delineation:
    codes: list[str]
    labels: NDArray  # int32: 1 + index into codes of the incremental catchment; 0 = none
    snaps: list[Snap]
    downstream: dict[str, str | None]
    cell_m2: float

    def upstream(self, code: str) -> list[str]:
        """Every section upstream of ``code`` (transitively), nearest first."""
        out, frontier = [], [code]
        while frontier:
            here = frontier.pop(0)
            above = [c for c, d in self.downstream.items() if d == here]
            out += above
            frontier += above
        return out

    def cells(self, code: str, incremental: bool = True) -> NDArray:
        """Boolean mask of the section's incremental catchment, or its whole catchment."""
        members = [code] if incremental else [code, *self.upstream(code)]
        ids = [self.codes.index(c) + 1 for c in members]
        return np.isin(self.labels, ids)


def delineate(
    dem: NDArray,
    nodata: float,
    transform: Affine,
    streams: NDArray,
    sections: list[tuple[str, float, float]],
    snap_m: float = SNAP_M,
    burn_m: float = BURN_M,
) -> Delineation:
    """Catchments of ``sections`` ((code, x, y) in the DEM's CRS, metres) on ``dem``."""
    dem = np.asarray(dem, dtype="float32")  # decimetres are plenty; half the memory of float64
    valid = dem != nodata
    streams = np.asarray(streams, bool) & valid
    burned = dem.copy()
    burned[streams] -= burn_m
    flw = flow_directions(burned, nodata, transform)
    snaps = _snap(streams, transform, sections, snap_m)
    codes = [code for code, _, _ in sections]
    ok = [n for n, s in enumerate(snaps) if s.row is not None]
    width = dem.shape[1]
    labels = np.zeros(dem.shape, dtype="int32")
    downstream: dict[str, str | None] = dict.fromkeys(codes)
    if ok:
        outlets = np.array([snaps[n].row * width + snaps[n].col for n in ok], dtype="intp")
        outlets, first = np.unique(outlets, return_index=True)  # one section per cell
        ids = np.array([ok[i] + 1 for i in first], dtype="int32")
        labels = flw.basins(idxs=outlets, ids=ids).astype("int32")
        below = flw.idxs_ds[outlets]
        for outlet, section, down in zip(outlets, ids, below, strict=True):
            target = labels.flat[down] if down != outlet else 0
            downstream[codes[section - 1]] = codes[target - 1] if target else None
    return Delineation(codes, labels, snaps, downstream, abs(transform.a * transform.e))


#: pyflwdir's D8 codes by (row step, column step).
_D8 = {
    (0, 1): 1,
    (1, 1): 2,
    (1, 0): 4,
    (1, -1): 8,
    (0, -1): 16,
    (-1, -1): 32,
    (-1, 0): 64,
    (-1, 1): 128,
}


def flow_directions(dem: NDArray, nodata: float, transform: Affine) -> pyflwdir.FlwdirRaster:
    """D8 flow directions: steepest descent (drop over distance) on the depression-filled DEM,
    and, where the filled DEM is flat (filled depressions, flats), the direction the
    priority flood reached the cell from.

    pyflwdir's ``from_dem`` keeps the priority-flood directions everywhere, which on a plain
    slope turn diagonal where the terrain says straight down; steepest descent is the usual D8.
    A steepest step always goes down and a flood step always to a cell flooded earlier, so the
    mix has no loops.
    """
    filled, flood = pyflwdir.dem.fill_depressions(dem, nodata=nodata)
    rows, cols = filled.shape
    padded = np.pad(filled, 1, constant_values=np.inf)
    padded[padded == nodata] = np.inf
    best = np.zeros(filled.shape, dtype=filled.dtype)
    d8 = flood.copy()
    slope = np.empty_like(best)
    for (dr, dc), code in _D8.items():
        neighbour = padded[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]
        np.subtract(filled, neighbour, out=slope)
        slope /= np.hypot(dr * transform.e, dc * transform.a)
        steeper = slope > best
        np.putmask(best, steeper, slope)
        np.putmask(d8, steeper, np.uint8(code))
        del steeper
    d8[filled == nodata] = flood[filled == nodata]
    return pyflwdir.from_array(d8, ftype="d8", transform=transform, latlon=False)


def _snap(streams, transform: Affine, sections, snap_m: float) -> list[Snap]:
    rows, cols = np.nonzero(streams)
    if len(rows) == 0:
        return [
            Snap(code, None, None, np.inf, "没有河流栅格（no river cells）")
            for code, *_ in sections
        ]
    xs, ys = transform * (cols + 0.5, rows + 0.5)
    distance, index = cKDTree(np.column_stack([xs, ys])).query([(x, y) for _, x, y in sections])
    out = []
    for (code, _, _), d, i in zip(sections, distance, index, strict=True):
        if d > snap_m:
            reason = f"距最近河道 {d:.0f} m，超过 {snap_m:.0f} m，未划定集水区"
            out.append(Snap(code, None, None, float(d), reason))
        else:
            out.append(Snap(code, int(rows[i]), int(cols[i]), float(d)))
    return out


def polygons(
    result: Delineation, transform: Affine
) -> dict[str, tuple[shapely.Geometry, shapely.Geometry]]:
    """Per delineated section: (incremental catchment, catchment) as polygons in the DEM's CRS."""
    pieces: dict[int, list[shapely.Geometry]] = {}
    for geom, value in rasterio.features.shapes(
        result.labels, mask=result.labels > 0, transform=transform, connectivity=8
    ):
        pieces.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    incremental = {result.codes[v - 1]: shapely.union_all(p).buffer(0) for v, p in pieces.items()}
    return {
        code: (
            geom,
            shapely.union_all(
                [incremental[c] for c in [code, *result.upstream(code)] if c in incremental]
            ),
        )
        for code, geom in incremental.items()
    }


def bracket(upstream: list[tuple[str, str]]) -> dict[str, list[str]]:
    """For a failing section, its upstream sections ((code, status), nearest first) split into
    those that fail too, those that pass (the cause lies downstream of these) and those that
    cannot be judged (数据不足/无数据: they neither clear nor blame a reach)."""
    return {
        "upstream_failing": [c for c, s in upstream if s == "fail"],
        "upstream_passing": [c for c, s in upstream if s == "pass"],
        "upstream_unknown": [c for c, s in upstream if s not in ("pass", "fail")],
    }
