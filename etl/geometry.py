"""Geometry preparation (几何处理): to EPSG:4490, valid, non-empty, of the layer's type.

All steps work on whole shapely arrays (GEOS in C), never feature by feature:

1. refuse features whose type does not fit the layer (points offered to a polygon layer) and
   features with more vertices than ``Settings.max_vertices``;
2. drop Z/M; convert GCJ-02 to WGS84 when asked (:mod:`gis.gcj02`), then reproject to
   CGCS2000 (:func:`gis.crs.transformer_to_storage`);
3. repair invalid geometries with ``shapely.make_valid`` (method "structure": a bow-tie becomes
   two triangles, a ring that collapses to a line is dropped) and count them;
4. keep the parts of the layer's dimension — the polygonal parts of a GeometryCollection for a
   polygon layer — and collect them into Multi* (polygon and line layers) or explode them into
   one point per row (point layers); features left with nothing are dropped and counted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from gis.crs import CGCS2000, WGS84, transformer_to_storage
from gis.errors import CrsError, InvalidInputError
from gis.gcj02 import gcj02_to_wgs84_geometry

# shapely type ids: 0 Point, 1 LineString, 2 LinearRing, 3 Polygon, 4 MultiPoint,
# 5 MultiLineString, 6 MultiPolygon, 7 GeometryCollection.
_FAMILY_IDS = {"point": (0, 4), "line": (1, 2, 5), "polygon": (3, 6)}
_PART_IDS = {"point": (0,), "line": (1, 2), "polygon": (3,)}
_COLLECTION = 7
_FAMILY_OF_LAYER_TYPE = {
    "POINT": "point",
    "MULTIPOINT": "point",
    "LINESTRING": "line",
    "MULTILINESTRING": "line",
    "POLYGON": "polygon",
    "MULTIPOLYGON": "polygon",
}
FAMILY_ZH = {"point": "点", "line": "线", "polygon": "面"}


@dataclass
class PreparedGeometries:
    """Geometries in EPSG:4490 of the layer's type; ``rows`` maps each to its input feature."""

    geoms: NDArray[np.object_]
    rows: NDArray[np.int64]
    repaired: int
    dropped: int
    warnings: list[str] = field(default_factory=list)


def family_of(layer_type: str) -> str:
    return _FAMILY_OF_LAYER_TYPE[layer_type.upper()]


def prepare_geometries(
    geoms: NDArray[np.object_],
    *,
    epsg: int,
    layer_type: str,
    layer_label: str,
    gcj02: bool = False,
    max_vertices: int | None = None,
    wrap_single: bool = True,
) -> PreparedGeometries:
    """Reproject, repair and shape ``geoms`` (raw, in ``epsg``) for a ``layer_type`` column.

    ``wrap_single=False`` leaves valid single Polygons/LineStrings as they are, for a caller
    that makes them Multi* itself (the loader does, in the EWKB it COPYs: :mod:`etl.pgcopy`).
    """
    geoms = np.asarray(geoms, dtype=object)
    family = family_of(layer_type)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    _check_types(geoms, present, family, layer_label)
    _check_vertices(geoms, present, max_vertices, layer_label)
    rows = np.flatnonzero(present)
    work = geoms[rows]
    if shapely.has_z(work).any():
        work = shapely.force_2d(work)
    _check_finite(work, rows, layer_label)
    work = to_storage(work, epsg, gcj02)
    _check_area_of_use(work, rows, epsg, layer_label)
    work, repaired = _repair(work, family)
    if family == "point":
        parts, part_rows = _parts_of_family(work, family)
        out, out_rows = parts, rows[part_rows]
    else:
        out, keep, fixed = _to_multi(work, family, wrap_single)
        keep &= ~shapely.is_empty(out)  # a ring that collapsed to a line is no polygon
        out, out_rows = out[keep], rows[keep]
        repaired += fixed
    notes = _notes(len(geoms) - len(rows), repaired)
    collapsed = len(rows) - len(np.unique(out_rows))
    if collapsed:
        notes.append(f"{collapsed} 个要素修复后不剩{FAMILY_ZH[family]}（退化为点或线），已跳过。")
    if len(out_rows) > len(np.unique(out_rows)):
        notes.append("多点要素已拆分为单点（每点一行，属性相同）。")
    dropped = len(geoms) - len(np.unique(out_rows))
    return PreparedGeometries(np.asarray(out, dtype=object), out_rows, repaired, dropped, notes)


def to_storage(geoms: NDArray[np.object_], epsg: int, gcj02: bool = False) -> NDArray:
    """Coordinates in ``epsg`` (GCJ-02 lon/lat when ``gcj02``) to EPSG:4490."""
    if gcj02:
        if epsg not in (CGCS2000, WGS84):
            raise CrsError(
                f"--gcj02 只适用于经纬度坐标，但数据的坐标系是 EPSG:{epsg}（GCJ-02 needs lon/lat）。",
                hint="高德/AMap 导出的数据是经纬度；若数据本是投影坐标，请去掉 --gcj02。",
            )
        geoms = gcj02_to_wgs84_geometry(geoms)  # WGS84 = CGCS2000 at this scale (DOMAIN §5)
        epsg = CGCS2000
    if epsg == CGCS2000:
        return geoms
    transformer = transformer_to_storage(epsg)

    def transform(xy: NDArray) -> NDArray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(geoms, transform)
    if not np.all(np.isfinite(shapely.bounds(out))):
        raise CrsError(
            f"部分坐标无法从 EPSG:{epsg} 换算到 CGCS2000（coordinates out of the CRS's range）。",
            hint="请核对坐标系（--crs）是否与数据一致。",
        )
    return out


#: Geometries per chunk when every coordinate is looked at (bounds the arrays' memory).
_CHUNK = 50_000
#: How far (degrees) beyond a CRS's published area of use a feature may reach: a county cut
#: by a Gauss–Krüger zone edge is still surveyed in the zone it mostly lies in.
AREA_OF_USE_MARGIN = 0.5


def _check_finite(geoms: NDArray, rows: NDArray, layer_label: str) -> None:
    """Refuse NaN/±Inf coordinates: make_valid would drop them and change the shape."""
    for start in range(0, len(geoms), _CHUNK):
        chunk = geoms[start : start + _CHUNK]
        coords = shapely.get_coordinates(chunk)
        bad = ~np.isfinite(coords).all(axis=1)
        if not bad.any():
            continue
        owner = np.repeat(np.arange(len(chunk)), shapely.get_num_coordinates(chunk))
        features = np.unique(owner[bad]) + start
        raise InvalidInputError(
            f"图层 {layer_label}：第 {int(rows[features[0]]) + 1} 个要素含非有限坐标"
            f"（NaN 或无穷大）（non-finite coordinates, feature {int(rows[features[0]]) + 1}）。",
            hint="请在 GIS 软件中检查该要素的节点（坐标为空或溢出），修复后重新导出。",
        )


@functools.cache
def area_of_use(epsg: int) -> tuple[float, float, float, float]:
    """Lon/lat box where data in ``epsg`` may lie: the CRS's area of use within CGCS2000's
    (China), widened by :data:`AREA_OF_USE_MARGIN`."""
    bounds = [CRS.from_epsg(c).area_of_use for c in (epsg, CGCS2000)]
    known = [b for b in bounds if b is not None]
    west = max(b.west for b in known) - AREA_OF_USE_MARGIN
    south = max(b.south for b in known) - AREA_OF_USE_MARGIN
    east = min(b.east for b in known) + AREA_OF_USE_MARGIN
    north = min(b.north for b in known) + AREA_OF_USE_MARGIN
    return west, south, east, north


def _check_area_of_use(geoms: NDArray, rows: NDArray, epsg: int, layer_label: str) -> None:
    """Every feature (its bounds, in EPSG:4490) inside the source CRS's area of use."""
    west, south, east, north = area_of_use(epsg)
    b = shapely.bounds(geoms)
    outside = (b[:, 0] < west) | (b[:, 1] < south) | (b[:, 2] > east) | (b[:, 3] > north)
    if not outside.any():
        return
    first = int(np.argmax(outside))
    lon, lat = (b[first, 0] + b[first, 2]) / 2, (b[first, 1] + b[first, 3]) / 2
    raise CrsError(
        f"图层 {layer_label}：{int(outside.sum())} 个要素超出坐标系 EPSG:{epsg} 的适用范围"
        f"（经度 {west:.2f}～{east:.2f}、纬度 {south:.2f}～{north:.2f}），"
        f"如第 {int(rows[first]) + 1} 个要素（约经度 {lon:.4f}、纬度 {lat:.4f}）"
        "（features outside the CRS's area of use）。",
        hint="请检查这些要素的坐标是否录错，或坐标系（--crs）是否选对。",
    )


def _check_types(geoms: NDArray, present: NDArray, family: str, layer_label: str) -> None:
    types = shapely.get_type_id(geoms)
    wrong = present & ~np.isin(types, (*_FAMILY_IDS[family], _COLLECTION))
    if not wrong.any():
        return
    first = int(np.argmax(wrong))
    found = {f for f, ids in _FAMILY_IDS.items() if np.isin(types[wrong], ids).any()}
    found_zh = "、".join(FAMILY_ZH[f] for f in sorted(found))
    raise InvalidInputError(
        f"图层 {layer_label} 需要{FAMILY_ZH[family]}要素，但文件中有 {int(wrong.sum())} 个"
        f"{found_zh}要素（如第 {first + 1} 个要素：{geoms[first].geom_type}）"
        "（wrong geometry type for the layer）。",
        hint="请确认 --layer 是否选对，或导入与该图层几何类型一致的文件。",
    )


def _check_vertices(
    geoms: NDArray, present: NDArray, max_vertices: int | None, layer_label: str
) -> None:
    if max_vertices is None:
        return
    counts = np.where(present, shapely.get_num_coordinates(geoms), 0)
    over = counts > max_vertices
    if over.any():
        first = int(np.argmax(over))
        raise InvalidInputError(
            f"图层 {layer_label}：{int(over.sum())} 个要素的节点数超过上限 {max_vertices}"
            f"（如第 {first + 1} 个要素，{int(counts[first])} 个节点）（too many vertices）。",
            hint="请先抽稀或拆分该要素，或调整 WATERSHED_MAX_VERTICES。",
        )


def _repair(geoms: NDArray, family: str) -> tuple[NDArray, int]:
    invalid = ~shapely.is_valid(geoms)
    if not invalid.any():
        return geoms, 0
    geoms = geoms.copy()
    method = "structure" if family == "polygon" else "linework"
    kwargs = {"keep_collapsed": False} if method == "structure" else {}
    geoms[invalid] = shapely.make_valid(geoms[invalid], method=method, **kwargs)
    return geoms, int(invalid.sum())


def _parts_of_family(geoms: NDArray, family: str) -> tuple[NDArray, NDArray]:
    """Single parts of ``family`` (recursing into collections) and the row each came from."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while True:
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, _COLLECTION))
        if not nested.any():
            break
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        keep_owner = owner[~nested]
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([keep_owner, owner[nested][sub_owner]])
        order = np.argsort(owner, kind="stable")
        parts, owner = parts[order], owner[order]
    keep = np.isin(shapely.get_type_id(parts), _PART_IDS[family]) & ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    rings = shapely.get_type_id(parts) == 2
    if rings.any():  # a LinearRing is a closed line: store it as a LineString
        coords = shapely.get_coordinates(parts[rings])
        index = np.repeat(np.arange(rings.sum()), shapely.get_num_coordinates(parts[rings]))
        parts = parts.copy()
        parts[rings] = shapely.linestrings(coords, indices=index)
    return parts, owner


def _collect(parts: NDArray, owner: NDArray, family: str) -> tuple[NDArray, NDArray]:
    """One Multi* per owner; returns the geometries and the (sorted) owners that have one."""
    kept, inverse = np.unique(owner, return_inverse=True)
    collect = shapely.multipolygons if family == "polygon" else shapely.multilinestrings
    return collect(parts, indices=inverse), kept


def _to_multi(geoms: NDArray, family: str, wrap_single: bool) -> tuple[NDArray, NDArray, int]:
    """Multi* of ``family`` for every row (valid input), a keep mask, and re-repairs.

    Single parts are wrapped (left single without ``wrap_single``) and Multi* kept as they
    are (the common case, no explode); only collections (and rings) are taken apart,
    filtered and collected — and, as their parts may overlap, checked and repaired once more.
    """
    single_id, multi_id = (3, 6) if family == "polygon" else (1, 5)
    collect = shapely.multipolygons if family == "polygon" else shapely.multilinestrings
    types = shapely.get_type_id(geoms)
    out, keep = geoms.copy(), np.ones(len(geoms), dtype=bool)
    single = types == single_id
    if wrap_single and single.any():
        out[single] = collect(geoms[single][:, None])
    other = np.flatnonzero(~single & (types != multi_id))
    if not len(other):
        return out, keep, 0
    parts, owner = _parts_of_family(geoms[other], family)
    collected, kept = _collect(parts, owner, family)
    keep[other] = False
    invalid = ~shapely.is_valid(collected)
    if invalid.any():
        fixed = shapely.make_valid(collected[invalid], method="structure", keep_collapsed=False)
        again, again_kept = _collect(*_parts_of_family(fixed, family), family)
        usable = np.zeros(len(collected), dtype=bool)
        usable[~invalid] = True
        usable[np.flatnonzero(invalid)[again_kept]] = True
        collected[np.flatnonzero(invalid)[again_kept]] = again
        collected, kept = collected[usable], kept[usable]
    out[other[kept]] = collected
    keep[other[kept]] = True
    return out, keep, int(invalid.sum())


def _notes(missing: int, repaired: int) -> list[str]:
    notes = []
    if missing:
        notes.append(f"{missing} 个要素没有几何或几何为空，已跳过。")
    if repaired:
        notes.append(f"{repaired} 个无效几何（如自相交）已用 make_valid 修复。")
    return notes
