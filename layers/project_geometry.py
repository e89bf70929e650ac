"""A proposed project's outline (项目红线范围) from user input, checked and put in EPSG:4490.

The overlap report starts here: a GeoJSON object (geometry, Feature or FeatureCollection) or
the geometries of an uploaded file, in any CRS a bureau has (CGCS2000 lon/lat, Gauss-Krüger
with or without the zone prefix, WGS84) or in GCJ-02. Every way input can be wrong ends in an
:class:`~gis.errors.InvalidInputError` (or :class:`~gis.errors.CrsError`) saying what and how
to fix it; a self-intersecting outline is repaired and the repair is reported.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException

from gis.crs import (
    CGCS2000,
    CHINA_BOUNDS,
    CRS_PARAMETER_HINT,
    is_geographic,
    parse_crs,  # re-exported: it lived here before the move to gis
    transformer_to_storage,
)
from gis.errors import CrsError, InvalidInputError
from gis.gcj02 import gcj02_to_wgs84_geometry

_CRS_HINT = CRS_PARAMETER_HINT
_POLYGONAL = ("Polygon", "MultiPolygon")


#: Plots beyond this many are checked only as part of the total (one statement per plot).
MAX_PLOTS = 50


@dataclass(frozen=True)
class ProjectGeometry:
    """The outline in EPSG:4490 as one valid MultiPolygon, and what was done to get it.

    ``plots``: for an input of several features (plots, 地块), each one prepared on its own,
    so the report can give per-plot figures beside the total; empty for a single outline."""

    geom: shapely.MultiPolygon
    source_epsg: int
    gcj02: bool
    repaired: bool
    notes: tuple[str, ...]
    name: str | None = None
    plots: tuple["ProjectGeometry", ...] = ()


def with_plots(
    plots: Sequence[tuple[str | None, shapely.Geometry | None]],
    *,
    epsg: int,
    gcj02: bool,
    max_vertices: int,
    name: str | None = None,
    notes: Sequence[str] = (),
) -> ProjectGeometry:
    """The total outline of ``plots`` (name, geometry in ``epsg``) and, when there are several,
    each plot prepared on its own and named (地块1, 地块2 … where the input names none)."""
    geoms = [g for _, g in plots]
    total = prepare(geoms, epsg=epsg, gcj02=gcj02, max_vertices=max_vertices, name=name)
    named = [(n or f"地块{i}", g) for i, (n, g) in enumerate(plots, start=1) if g is not None]
    extra = list(notes)
    each: list[ProjectGeometry] = []
    if len(named) > 1:
        for plot_name, geom in named[:MAX_PLOTS]:
            each.append(
                prepare([geom], epsg=epsg, gcj02=gcj02, max_vertices=max_vertices, name=plot_name)
            )
        extra.append(f"文件含 {len(named)} 个地块：分地块结果与合计结果一并给出。")
        if len(named) > MAX_PLOTS:
            extra.append(f"地块超过 {MAX_PLOTS} 个：只给出前 {MAX_PLOTS} 个地块的分地块结果。")
    return replace(total, notes=(*extra, *total.notes), plots=tuple(each))


def from_geojson(
    obj: Any, *, crs: str | int | None, gcj02: bool, max_vertices: int
) -> ProjectGeometry:
    """Read a parsed GeoJSON object; ``crs`` (a parameter) wins over the object's ``crs`` member."""
    if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
        raise InvalidInputError(
            "请求体不是 GeoJSON 对象：缺少 type 成员 (not a GeoJSON object).",
            hint="应为 Polygon / MultiPolygon 几何、Feature 或 FeatureCollection。",
        )
    member = _crs_member(obj)
    epsg = parse_crs(crs) if crs is not None else (member if member is not None else CGCS2000)
    plots, name = _geometries(obj)
    return with_plots(plots, epsg=epsg, gcj02=gcj02, max_vertices=max_vertices, name=name)


def prepare(
    geoms: Sequence[shapely.Geometry | None],
    *,
    epsg: int,
    gcj02: bool,
    max_vertices: int,
    name: str | None = None,
) -> ProjectGeometry:
    """Check, transform to EPSG:4490, convert from GCJ-02, repair and merge the geometries."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        raise InvalidInputError(
            "项目范围为空：没有几何图形 (empty geometry).", hint="请提供至少一个面。"
        )
    _check_polygonal(geoms)
    merged = shapely.force_2d(shapely.MultiPolygon([p for g in geoms for p in _polygons(g)]))
    _check_vertices(merged, max_vertices)
    _check_finite(merged)
    notes: list[str] = []
    lonlat = _to_storage(merged, epsg)
    if epsg != CGCS2000:
        notes.append(f"已由 EPSG:{epsg} 转换为 CGCS2000 经纬度（EPSG:4490）。")
    if gcj02:
        lonlat = gcj02_to_wgs84_geometry(lonlat)
        notes.append("已由 GCJ-02（火星坐标）纠偏为 WGS84/CGCS2000。")
    _check_in_china(lonlat)
    geom, repaired, repair_notes = _valid_multipolygon(lonlat, len(geoms))
    return ProjectGeometry(geom, epsg, gcj02, repaired, (*notes, *repair_notes), name)


# --- reading GeoJSON ----------------------------------------------------------------------


def _crs_member(obj: Mapping) -> int | None:
    """The EPSG code named by a (2008-style) ``crs`` member, if any."""
    member = obj.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, Mapping) else None
    if not isinstance(name, str | int):
        raise CrsError("GeoJSON 的 crs 成员格式不对 (malformed crs member).", hint=_CRS_HINT)
    return parse_crs(name)


#: Properties naming a plot (地块) or, for one-feature input, the project, first found wins.
PLOT_NAME_FIELDS = ("DKMC", "地块名称", "DKBH", "地块编号", "XMMC", "项目名称", "name", "名称")
PROJECT_NAME_FIELDS = ("XMMC", "项目名称", "name", "名称")

Plots = list[tuple[str | None, shapely.Geometry | None]]


def _geometries(obj: Mapping) -> tuple[Plots, str | None]:
    """Each feature's (plot name, geometry), and the project's name: a name all features
    share (XMMC, 项目名称 …), or a single feature's name."""
    kind = obj["type"]
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidInputError("FeatureCollection 没有要素 (no features).")
        parsed = [_feature(f, i) for i, f in enumerate(features)]
        plots = [(plot, geom) for geom, plot, _ in parsed]
        shared = {project for _, _, project in parsed}
        if len(parsed) == 1:
            return plots, parsed[0][2] or parsed[0][1]
        return plots, shared.pop() if len(shared) == 1 else None
    if kind == "Feature":
        geom, plot, project = _feature(obj, 0)
        return [(plot, geom)], project or plot
    return [(None, _geometry(obj, ""))], None


def _first(properties: Any, keys: tuple[str, ...]) -> str | None:
    if not isinstance(properties, Mapping):
        return None
    return next((str(properties[k])[:200] for k in keys if properties.get(k)), None)


def _feature(feature: Any, index: int) -> tuple[shapely.Geometry | None, str | None, str | None]:
    where = f"第 {index + 1} 个要素"
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise InvalidInputError(f"{where}不是 GeoJSON Feature (feature {index} is not a Feature).")
    properties = feature.get("properties") or {}
    plot = _first(properties, PLOT_NAME_FIELDS)
    project = _first(properties, PROJECT_NAME_FIELDS)
    if feature.get("geometry") is None:
        return None, plot, project
    return _geometry(feature["geometry"], where), plot, project


def _geometry(obj: Any, where: str) -> shapely.Geometry:
    try:
        return shapely.geometry.shape(obj)
    except (GEOSException, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        kind = obj.get("type") if isinstance(obj, Mapping) else type(obj).__name__
        raise InvalidInputError(
            f"{where}几何无法解析（type={kind!s:.40}）：{str(exc)[:200]} (malformed GeoJSON geometry).",
            hint="坐标应为 [经度, 纬度] 数组，面的每个环首尾相同且至少 4 个点。",
        ) from None


# --- checks ---------------------------------------------------------------------------------


def _check_polygonal(geoms: Sequence[shapely.Geometry]) -> None:
    for geom in geoms:
        parts = shapely.get_parts(geom) if geom.geom_type == "GeometryCollection" else [geom]
        wrong = sorted({p.geom_type for p in parts if p.geom_type not in _POLYGONAL})
        if wrong:
            raise InvalidInputError(
                f"项目范围必须是面（Polygon/MultiPolygon），收到 {'、'.join(wrong)} (a polygon is needed).",
                hint="点、线没有面积，无法计算压占；请提供项目用地范围面。",
            )


def _polygons(geom: shapely.Geometry) -> list[shapely.Polygon]:
    return [p for p in shapely.get_parts(shapely.get_parts(geom)) if not p.is_empty]


def _check_vertices(geom: shapely.Geometry, max_vertices: int) -> None:
    count = shapely.get_num_coordinates(geom)
    if count > max_vertices:
        raise InvalidInputError(
            f"项目范围有 {count} 个顶点，超过上限 {max_vertices} (too many vertices).",
            hint="请简化图形后再提交，或由管理员调整 WATERSHED_MAX_VERTICES。",
        )


def _check_finite(geom: shapely.Geometry) -> None:
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise InvalidInputError("坐标含有非数值（NaN/Infinity）(non-finite coordinates).")


def _to_storage(geom: shapely.Geometry, epsg: int) -> shapely.Geometry:
    xy = shapely.get_coordinates(geom)
    if is_geographic(epsg) and (np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90):
        raise CrsError(
            f"坐标超出经纬度范围（|x|>180 或 |y|>90），但坐标系是 EPSG:{epsg}（经纬度）"
            "(coordinates out of range).",
            hint="数据可能是高斯-克吕格投影坐标（米）。" + _CRS_HINT,
        )
    if epsg == CGCS2000:
        return geom
    transformer = transformer_to_storage(epsg)
    return shapely.transform(
        geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1]))
    )


def _check_in_china(geom: shapely.Geometry) -> None:
    xy = shapely.get_coordinates(geom)
    lon_min, lat_min, lon_max, lat_max = CHINA_BOUNDS
    lon, lat = xy[:, 0], xy[:, 1]
    inside = (
        np.isfinite(xy).all(axis=1)
        & (lon >= lon_min)
        & (lon <= lon_max)
        & (lat >= lat_min)
        & (lat <= lat_max)
    )
    if not inside.all():
        i = int(np.argmin(inside))
        raise CrsError(
            f"{int((~inside).sum())}/{len(xy)} 个顶点换算后不在中国范围内（例如 经度 {lon[i]:.4f}、"
            f"纬度 {lat[i]:.4f}）(coordinates out of range).",
            hint="请核对坐标系；经纬度请按 [经度, 纬度] 顺序书写。" + _CRS_HINT,
        )


def _valid_multipolygon(
    geom: shapely.MultiPolygon, n_inputs: int
) -> tuple[shapely.MultiPolygon, bool, list[str]]:
    """Repair each invalid polygon (make_valid, areal parts kept), then dissolve them all."""
    notes: list[str] = []
    polygons = list(shapely.get_parts(geom))
    invalid = [i for i, p in enumerate(polygons) if not p.is_valid]
    for i in invalid:
        reason = shapely.is_valid_reason(polygons[i])
        polygons[i] = shapely.make_valid(polygons[i])
        notes.append(f"项目范围几何无效（{reason}），已自动修复 (invalid geometry repaired).")
    areal = [p for g in polygons for p in shapely.get_parts(g) if p.geom_type in _POLYGONAL]
    merged = shapely.union_all(areal) if areal else shapely.MultiPolygon()
    if n_inputs > 1:
        notes.append(f"{n_inputs} 个要素已合并为一个项目范围（重叠部分只计一次）。")
    parts = [p for p in _polygons(merged) if p.geom_type == "Polygon" and p.area > 0]
    result = shapely.MultiPolygon(parts)
    if result.is_empty or not math.isfinite(result.area):
        raise InvalidInputError(
            "项目范围没有面积 (geometry has no area).", hint="请检查图形是否退化为线或点。"
        )
    return result, bool(invalid), notes
