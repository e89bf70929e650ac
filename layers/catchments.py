"""Sections' catchments from the registered DEM, stored in PostGIS (集水区入库).

:func:`compute_catchments` reads the DEM's registered COG, the sections and rivers from
PostGIS (in the DEM's CRS), keeps only the DEM cells whose centre lies in the district (the
layers describe the district only), delineates with :func:`gis.catchments.delineate` and
replaces every row of ``catchments`` in one transaction; areas are taken on the ellipsoid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio
import rasterio.features
import shapely
from pyproj import Transformer
from sqlalchemy import Engine, text

from gis.area import m2_to_mu
from gis.catchments import LAKE_CODES, SNAP_M, bracket, delineate, polygons
from gis.compliance import CONSTRUCTION_CODES, CONSTRUCTION_PREFIXES, FARMLAND_CODES
from gis.crs import CGCS2000
from gis.errors import InvalidInputError
from layers.monitoring import section_assessment
from layers.rasters import cog_path, get_raster
from layers.settings import Settings
from layers.sql import query


@dataclass(frozen=True)
class CatchmentRow:
    code: str
    downstream: str | None
    snap_distance_m: float | None
    reason: str | None
    incremental_km2: float | None
    catchment_km2: float | None


def compute_catchments(engine: Engine, settings: Settings) -> list[CatchmentRow]:
    """Delineate every section on the DEM and replace the ``catchments`` table."""
    dem_row = get_raster(engine, "dem")
    with engine.connect() as conn:
        params = {"epsg": dem_row.epsg, "lake_codes": list(LAKE_CODES)}
        rows = conn.execute(query("catchments_inputs"), params).all()
    sections = [(r.code, *shapely.from_wkb(r.wkb).coords[0]) for r in rows if r.kind == "section"]
    rivers = [shapely.from_wkb(r.wkb) for r in rows if r.kind == "river"]
    lakes = [shapely.from_wkb(r.wkb) for r in rows if r.kind == "lake"]
    district = next((r.wkb for r in rows if r.kind == "district" and r.wkb), None)
    if not sections or not rivers or district is None:
        raise InvalidInputError(
            "划定集水区需要区界、河流和监测断面图层（missing district, rivers or sections）。"
        )
    with rasterio.open(cog_path(settings.var_dir, dem_row)) as src:
        dem = src.read(1).astype("float64")
        transform, nodata = src.transform, src.nodata
    fill = -9999.0 if nodata is None else float(nodata)
    inside = rasterio.features.geometry_mask(
        [shapely.from_wkb(district)], dem.shape, transform, invert=True
    )
    dem[~inside] = fill
    streams = rasterio.features.rasterize(
        rivers, out_shape=dem.shape, transform=transform, all_touched=True, dtype="uint8"
    ).astype(bool)
    lake_cells = None
    if lakes:  # all_touched, as the rivers: a small reservoir keeps its cells on a coarse DEM
        lake_cells = rasterio.features.rasterize(
            lakes, out_shape=dem.shape, transform=transform, all_touched=True, dtype="uint8"
        ).astype(bool)
    result = delineate(dem, fill, transform, streams, sections, snap_m=SNAP_M, lakes=lake_cells)
    shapes = polygons(result, transform)
    to_4490 = Transformer.from_crs(dem_row.epsg, CGCS2000, always_xy=True)
    out = []
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM catchments"))
        for snap in result.snaps:
            incremental, whole = shapes.get(snap.code, (None, None))
            params = {
                "code": snap.code,
                "downstream": result.downstream.get(snap.code),
                "snap": None if snap.row is None else round(snap.distance_m, 1),
                "reason": snap.reason,
                "sha256": dem_row.sha256,
                "incremental": _wkb(incremental, to_4490),
                "catchment": _wkb(whole, to_4490),
            }
            if snap.code in result.shared:
                other = result.shared[snap.code]
                where = "同一水库/湖泊水面" if snap.lake else "同一河道像元"
                params["reason"] = f"与断面 {other} 位于{where}，集水区同 {other}，未单独划定"
            elif snap.row is not None and incremental is None:
                params["reason"] = "断面与下游断面落在同一河道像元，未单独划定"
            conn.execute(query("catchments_insert"), params)
        for r in conn.execute(
            text(
                "SELECT section_code, downstream_code, snap_distance_m, reason, "
                "incremental_km2, catchment_km2 FROM catchments ORDER BY section_code"
            )
        ):
            out.append(CatchmentRow(*r))
    return out


def _wkb(geom, transformer: Transformer) -> bytes | None:
    if geom is None:
        return None
    return shapely.to_wkb(
        shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(*xy.T)))
    )


def catchment_rows(engine: Engine, code: str | None = None, geometry: bool = False) -> list[dict]:
    """Stored catchments (one section with ``code``), optionally with GeoJSON geometries."""
    with engine.connect() as conn:
        rows = conn.execute(
            query("catchments_list"), {"code": code, "geometry": geometry}
        ).mappings()
        out = [dict(r) for r in rows]
    if not geometry:
        for r in out:
            r.pop("incremental"), r.pop("catchment")
    return out


def attribution(engine: Engine, code: str) -> dict:
    """What lies in the section's catchment and incremental catchment (溯源): areas in m² and
    亩 with shares of the part's area, the reservoirs, and the upstream sections."""
    params = {
        "code": code,
        "farmland_codes": list(FARMLAND_CODES),
        "construction_prefixes": list(CONSTRUCTION_PREFIXES),
        "construction_codes": list(CONSTRUCTION_CODES),
    }
    with engine.connect() as conn:
        rows = conn.execute(query("catchments_attribution"), params).mappings().all()
    [row] = catchment_rows(engine, code) or [None]
    if row is None or not rows:
        raise InvalidInputError(
            f"断面 {code} 没有已划定的集水区，无法溯源（no catchment）。",
            hint="先导入 DEM 并运行 watershed raster catchments；未划定的原因见 /api/catchments。",
        )
    out = {
        "code": code,
        "downstream_code": row["downstream_code"],
        "upstream_codes": row["upstream_codes"],
    }
    for r in rows:
        part = {"area_m2": r["area_m2"], "reservoir_codes": r["reservoir_codes"]}
        for key in ("farmland", "construction", "forest", "eco_redline", "water_source"):
            m2 = r[f"{key}_m2"]
            part[key] = {
                "m2": m2,
                "mu": m2_to_mu(m2),
                "share": m2 / r["area_m2"] if r["area_m2"] else None,
            }
        out[r["part"]] = part
    return out


def upstream_verdicts(engine: Engine, code: str, period: str | None = None) -> dict:
    """The section's verdict and those of every section upstream of it for the same period
    (default: the section's latest month with samples), nearest first; for a failing section,
    which upstream sections fail too and which pass, so the cause is bracketed between them.
    Sections with 数据不足/无数据 are listed apart: they neither clear nor blame a reach."""
    rows = {r["code"]: r for r in catchment_rows(engine)}
    if code not in rows:
        raise InvalidInputError(f"断面 {code} 没有集水区记录，无法列出上游断面（no catchment）。")
    here = section_assessment(engine, code, period)
    label = period or (here["period"] or {}).get("label")
    upstream, frontier = [], list(rows[code]["upstream_codes"])
    while frontier:
        current = frontier.pop(0)
        upstream.append(current)
        frontier += rows[current]["upstream_codes"] if current in rows else []
    judged = [_short(c, section_assessment(engine, c, label)) for c in upstream]
    out = {"section": _short(code, here), "period": label, "upstream": judged}
    if here["status"] == "fail":
        out |= bracket([(j["code"], j["status"]) for j in judged])
    return out


def _short(code: str, assessed: dict) -> dict:
    assessment = assessed.get("assessment") or {}
    return {
        "code": code,
        "name": assessed["section"]["name"],
        "status": assessed["status"],
        "status_label": assessed["status_label"],
        "grade_label": assessment.get("label"),
    }


def section_catchment(engine: Engine, code: str, period: str | None = None) -> dict:
    """Everything the section popup shows about what drains to ``code`` over ``period``: the
    tree (downstream section, upstream sections with their verdicts, nearest first, ``direct``
    for the immediate ones), the catchment and incremental areas, what lies in them, and for
    a failing section the bracketing lists. Without a catchment, ``available`` is false and
    ``reason`` says why (no DEM, not computed, or the section's own reason)."""
    here = section_assessment(engine, code, period)  # raises NotFoundError for a wrong code
    rows = {r["code"]: r for r in catchment_rows(engine)}
    out: dict = {"code": code, "name": here["section"]["name"], "available": False}
    if code not in rows:
        with engine.connect() as conn:
            has_dem = conn.execute(query("catchments_has_dem")).scalar_one()
        out["reason"] = (
            "已导入 DEM，但尚未划定集水区（运行 watershed raster catchments）"
            if has_dem
            else "尚未导入 DEM，无法划定集水区（watershed raster load 文件.tif --kind dem）"
        )
        return out
    row = rows[code]
    downstream = row["downstream_code"]
    out |= {
        "downstream": None
        if downstream is None
        else {"code": downstream, "name": rows[downstream]["name"]},
        "catchment_km2": row["catchment_km2"],
        "incremental_km2": row["incremental_km2"],
        "snap_distance_m": row["snap_distance_m"],
    }
    if row["catchment_km2"] is None:
        return out | {"reason": row["reason"] or "该断面未划定集水区"}
    verdicts = upstream_verdicts(engine, code, period)
    direct = set(row["upstream_codes"])
    for u in verdicts["upstream"]:
        u["direct"] = u["code"] in direct
    return out | verdicts | {"available": True, "attribution": attribution(engine, code)}
