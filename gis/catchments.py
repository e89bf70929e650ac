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
   Water surfaces (reservoirs and lakes, 三调 水库水面 1103 / 湖泊水面 1102) are burned as
   **flat sinks**: every cell of a lake is set to the lake's lowest cell less :data:`BURN_M`,
   so the fill turns the lake into a flat at its spill level that drains, as one body,
   through its lowest rim (the dam or the river leaving it).
2. **Snap** a section that lies in a lake to the lake's **outlet** (the lake cell its water
   leaves it through), so a 库心 section gets the lake's
   catchment; any other section to the nearest river cell within :data:`SNAP_M` (a section's
   coordinates may sit beside the mapped line by tens of metres), failing that to the outlet
   of a lake within :data:`SNAP_M`; further than that it is not delineated and says why.
3. **Incremental catchments**: every cell labelled with the first snapped section downstream
   of it. A section's **catchment** is its incremental catchment plus those of all sections
   upstream of it.
4. **Tree**: a section's downstream section is the label of the cell its outlet drains to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyflwdir
import rasterio.features
import shapely
from affine import Affine
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import cKDTree

BURN_M = 10.0
SNAP_M = 150.0
#: 三调 water-surface classes burned as lakes: 湖泊水面, 水库水面 (ponds 1104 and river
#: surfaces 1101 are not: ponds sit off the network, rivers are burned as lines).
LAKE_CODES = ("1102", "1103")


@dataclass(frozen=True)
class Snap:
    code: str
    row: int | None
    col: int | None
    distance_m: float
    reason: str | None = None  # why it was not delineated
    lake: bool = False  # snapped to the outlet of the lake it lies in (or near)


@dataclass
class Delineation:
    codes: list[str]
    labels: NDArray  # int32: 1 + index into codes of the incremental catchment; 0 = none
    snaps: list[Snap]
    downstream: dict[str, str | None]
    cell_m2: float
    shared: dict[str, str] = field(default_factory=dict)  # code -> section whose outlet it shares

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
    lakes: NDArray | None = None,
) -> Delineation:
    """Catchments of ``sections`` ((code, x, y) in the DEM's CRS, metres) on ``dem``;
    ``lakes`` (boolean, optional) marks water surfaces burned as flat sinks."""
    dem = np.asarray(dem, dtype="float32")  # decimetres are plenty; half the memory of float64
    valid = dem != nodata
    streams = np.asarray(streams, bool) & valid
    burned = dem.copy()
    burned[streams] -= burn_m
    water = None if lakes is None else np.asarray(lakes, bool) & valid
    if water is not None and water.any():
        ids, n_lakes = _lake_labels(water)
        floor = ndimage.minimum(dem, ids, np.arange(1, n_lakes + 1))
        floor = np.asarray(floor, dtype="float32") - burn_m
        burned[water] = floor[ids[water] - 1]
        del ids, floor  # labelled again below: not kept through the flow directions' peak
    else:
        water = None
    flw = flow_directions(burned, nodata, transform)
    del burned
    found = _Lakes(_lake_labels(water)[0], flw) if water is not None else None
    snaps = _snap(streams, transform, sections, snap_m, found)
    codes = [code for code, _, _ in sections]
    width = dem.shape[1]
    labels = np.zeros(dem.shape, dtype="int32")
    downstream: dict[str, str | None] = dict.fromkeys(codes)
    shared: dict[str, str] = {}
    owner: dict[int, int] = {}  # outlet cell -> index of the first section snapped to it
    for n, snap in enumerate(snaps):
        if snap.row is not None:
            cell = snap.row * width + snap.col
            if cell in owner:
                shared[codes[n]] = codes[owner[cell]]
            else:
                owner[cell] = n
    if owner:
        outlets = np.fromiter(owner, dtype="intp")
        ids = np.array([n + 1 for n in owner.values()], dtype="int32")
        # A lake section's catchment is everything draining into any cell of its lake, not
        # only into the outlet: a flat lake may spill over two rim cells of equal height.
        idxs, idx_ids = [outlets], [ids]
        for cell, n in owner.items():
            if snaps[n].lake:
                lake = found.cells(int(found.ids.flat[cell]))
                idxs.append(lake[lake != cell])
                idxs_ids = np.full(len(idxs[-1]), n + 1, dtype="int32")
                idx_ids.append(idxs_ids)
        labels = flw.basins(idxs=np.concatenate(idxs), ids=np.concatenate(idx_ids))
        labels = labels.astype("int32")
        below = flw.idxs_ds[outlets]
        for outlet, section, down in zip(outlets, ids, below, strict=True):
            target = labels.flat[down] if down != outlet else 0
            downstream[codes[section - 1]] = codes[target - 1] if target else None
    cell_m2 = abs(transform.a * transform.e)
    return Delineation(codes, labels, snaps, downstream, cell_m2, shared)


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


def _lake_labels(water: NDArray) -> tuple[NDArray, int]:
    """Each lake (8-connected water-surface cells on the DEM) numbered from 1."""
    ids, n = ndimage.label(water, structure=np.ones((3, 3)))
    return ids.astype("int32", copy=False), int(n)


class _Lakes:
    """The lakes on the grid and, on demand, the outlet of those a section lies in or near."""

    def __init__(self, ids: NDArray, flw: pyflwdir.FlwdirRaster):
        self.ids, self.flw = ids, flw
        self._cells: dict[int, NDArray] = {}

    def cells(self, lake: int) -> NDArray:
        """Flat indices of the lake's cells, sorted."""
        if lake not in self._cells:
            self._cells[lake] = np.flatnonzero(self.ids.ravel() == lake)
        return self._cells[lake]

    def outlet(self, lake: int) -> int:
        """The lake's outlet: of its cells that drain out of it, the one most of its cells
        drain through (a filled lake is one flat, so normally there is one such cell).

        Found within the lake alone, by pointer doubling over its cells' downstream links: no
        accumulation over the whole grid (which would cost a pass and an array of its size).
        """
        cells = self.cells(lake)
        down = self.flw.idxs_ds[cells]
        at = np.searchsorted(cells, down).clip(max=len(cells) - 1)
        inside = (cells[at] == down) & (down != cells)
        step = np.where(inside, at, np.arange(len(cells)))
        for _ in range(max(1, int(np.ceil(np.log2(len(cells)))) + 1)):
            step = step[step]
        return int(cells[np.bincount(step, minlength=len(cells)).argmax()])


def _snap(
    streams, transform: Affine, sections, snap_m: float, lakes: _Lakes | None = None
) -> list[Snap]:
    """Where each section enters the flow network: the outlet of the lake it lies in, else
    the nearest river cell within ``snap_m``, else the outlet of a lake within ``snap_m``."""
    height, width = streams.shape
    points = np.array([(x, y) for _, x, y in sections], dtype="float64").reshape(-1, 2)
    river = _nearest(np.nonzero(streams), transform, points)
    lake = _nearest(np.nonzero(lakes.ids) if lakes else ([], []), transform, points)
    inv = ~transform
    out = []
    for n, (code, x, y) in enumerate(sections):
        col, row = (int(np.floor(v)) for v in inv @ (x, y))
        here = 0
        if lakes and 0 <= row < height and 0 <= col < width:
            here = int(lakes.ids[row, col])
        if here:
            out.append(Snap(code, *divmod(lakes.outlet(here), width), 0.0, lake=True))
        elif river[0][n] <= snap_m:
            out.append(Snap(code, *river[1][n], float(river[0][n])))
        elif lake[0][n] <= snap_m:
            r, c = lake[1][n]
            at = divmod(lakes.outlet(int(lakes.ids[r, c])), width)
            out.append(Snap(code, *at, float(lake[0][n]), lake=True))
        else:
            out.append(Snap(code, None, None, float(river[0][n]), _why(river, lake, n, snap_m)))
    return out


def _nearest(cells, transform: Affine, points: NDArray) -> tuple[NDArray, list]:
    """Distance (m) from each point to the nearest of ``cells`` (rows, cols) and that cell."""
    rows, cols = (np.asarray(a) for a in cells)
    if len(rows) == 0:
        return np.full(len(points), np.inf), [(None, None)] * len(points)
    xs, ys = transform @ (cols + 0.5, rows + 0.5)
    distance, index = cKDTree(np.column_stack([xs, ys])).query(points)
    return distance, [(int(rows[i]), int(cols[i])) for i in index]


def _why(river, lake, n: int, snap_m: float) -> str:
    if not np.isfinite(river[0][n]):
        return "没有河流栅格（no river cells），未划定集水区"
    text = f"距最近河道 {river[0][n]:.0f} m"
    if np.isfinite(lake[0][n]):
        text += f"、最近水库/湖泊水面 {lake[0][n]:.0f} m"
    return f"{text}，超过 {snap_m:.0f} m，未划定集水区"


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
