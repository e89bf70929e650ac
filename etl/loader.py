"""The layer loader (数据导入): one file into one layer, in one transaction.

:func:`load_file` reads the file (:mod:`etl.readers`), prepares its geometries
(:mod:`etl.geometry`) and attributes (:mod:`etl.aliases`), then in ONE transaction:

1. COPYs the features into a temporary staging table (binary COPY built by
   :mod:`etl.pgcopy`, geometry as EWKB);
2. deletes the rows a previous load of the same source brought, and moves the staged rows
   in with one ``INSERT … SELECT`` (:mod:`etl.replace`) — the table's constraints (validity,
   enumerations, unique codes) run here, and any violation aborts everything, traced back to
   the feature;
3. measures the ellipsoidal area of what was loaded (``ST_Area(geom::geography)``: PostGIS
   takes the ellipsoid of SRID 4490 from ``spatial_ref_sys``, GRS80 = CGCS2000's a and 1/f),
   records the load in ``loads`` and ANALYZEs the table.

Every layer table has its GiST index; how a very large load treats it, and how a layer that
other tables reference (sections, by their samples) is merged rather than deleted and
re-inserted, is in :mod:`etl.replace`.
A refused file leaves the layer exactly as it was. ``layer="samples"`` hands a CSV/XLSX to
:func:`etl.samples.load_samples`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import Engine

from etl.aliases import map_attributes, model_columns
from etl.archive import ArchiveLimits
from etl.geometry import family_of, prepare_geometries
from etl.pgload import (
    copy_frame,
    copy_kind,
    explain_error,
    identifiers,
    require_table,
)
from etl.readers import VectorData, read_vector
from etl.replace import bulk_replace, rebuild_indexes, replace_rows
from etl.report import LoadReport, Progress, silent
from gis.crs import CGCS2000
from gis.errors import InvalidInputError
from layers.registry import LayerSpec, get_layer
from layers.settings import Settings, get_settings
from layers.sql import composed

__all__ = ["LoadReport", "load_file"]


def load_file(
    engine: Engine,
    path: str | Path,
    layer: str,
    *,
    crs: int | None = None,
    encoding: str | None = None,
    gcj02: bool = False,
    sublayer: str | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> LoadReport:
    """Load ``path`` into ``layer``; returns the report, or raises a WatershedError.

    ``crs`` (EPSG) overrides the ``.prj``; ``encoding`` overrides ``.cpg``/detection;
    ``gcj02`` converts GCJ-02 lon/lat; ``sublayer`` picks a GeoPackage/KML layer or a
    shapefile inside a zip; ``actor`` is recorded in ``loads``.
    """
    spec = get_layer(layer)
    progress = progress or silent
    if spec.geometry_type is None:
        from etl.samples import load_samples
        from etl.tables import precheck_table

        limits = ArchiveLimits.from_settings(settings or get_settings())
        precheck_table(Path(path), sublayer, limits)  # empty CSV, XLSX limits and formulas
        return load_samples(
            engine, path, encoding=encoding, sheet=sublayer, actor=actor, progress=progress
        )
    settings = settings or get_settings()
    started = time.perf_counter()
    progress("读取文件", 0.0)
    data = read_vector(
        path,
        crs=crs,
        encoding=encoding,
        sublayer=sublayer,
        limits=ArchiveLimits.from_settings(settings),
    )
    report = _start_report(spec, data)
    progress("几何与属性", 0.2)
    staged = _prepare(spec, data, report, gcj02=gcj02, max_vertices=settings.max_vertices)
    _write(engine, spec, staged, report, actor, progress)
    report.seconds = round(time.perf_counter() - started, 3)
    progress("完成", 1.0)
    return report


def _start_report(spec: LayerSpec, data: VectorData) -> LoadReport:
    if len(data.frame) == 0:
        raise InvalidInputError(
            f"{data.source} 中没有要素（no features）。", hint="请检查是否导出了空图层。"
        )
    return LoadReport(
        layer=spec.key,
        layer_name=spec.name_zh,
        source=data.source,
        sha256=data.sha256,
        read=len(data.frame),
        crs=data.crs.epsg,
        crs_reason=data.crs.reason,
        encoding=data.encoding,
        encoding_reason=data.encoding_reason,
        warnings=[*data.crs.warnings, *data.warnings],
    )


def _prepare(
    spec: LayerSpec, data: VectorData, report: LoadReport, *, gcj02: bool, max_vertices: int
) -> pd.DataFrame:
    """The rows to stage: model columns, ``geom`` (shapely), ``extra`` (JSON), ``_row``."""
    geo = prepare_geometries(
        data.frame.geometry.values,
        epsg=data.crs.epsg,
        layer_type=spec.geometry_type,
        layer_label=f"{spec.key}（{spec.name_zh}）",
        gcj02=gcj02,
        max_vertices=max_vertices,
        wrap_single=False,  # wrapped in the EWKB by etl.pgcopy, during the COPY (see _write)
    )
    attrs = map_attributes(spec.key, pd.DataFrame(data.frame.drop(columns="geometry")))
    if not len(geo.geoms):
        raise InvalidInputError(
            f"{data.source} 中没有可用的几何（{report.read} 个要素均为空或无法修复）。",
            hint="请在 GIS 软件中检查几何后重新导出。",
        )
    if gcj02:
        report.warnings.append("已按 GCJ-02（火星坐标）纠偏到 WGS84/CGCS2000（迭代反算）。")
    report.repaired, report.dropped = geo.repaired, geo.dropped
    report.warnings += geo.warnings + attrs.warnings
    report.source_fields = [str(name) for name in data.frame.columns if name != "geometry"]
    report.fields = dict(attrs.mapping)
    staged = attrs.columns.iloc[geo.rows].reset_index(drop=True)
    staged["geom"] = geo.geoms  # serialised by etl.pgcopy, a chunk at a time during the COPY
    staged["extra"] = attrs.extra_json.iloc[geo.rows].to_numpy()
    staged["_row"] = geo.rows + 1
    return staged


def _write(
    engine: Engine,
    spec: LayerSpec,
    staged: pd.DataFrame,
    report: LoadReport,
    actor: str | None,
    progress: Progress,
) -> None:
    table_columns = spec.model.__table__.columns
    columns = [c.name for c in model_columns(spec)] + ["geom", "extra"]
    kinds = {name: copy_kind(table_columns[name]) for name in columns} | {"_row": "int4"}
    single_parts = family_of(spec.geometry_type) == "point"
    kinds["geom"] = f"ewkb:{CGCS2000}" if single_parts else f"ewkb:{CGCS2000}:multi"
    table = sql.Identifier(spec.table)
    label = f"{spec.key}（{spec.name_zh}）"
    with engine.begin() as conn:
        pg: psycopg.Connection = conn.connection.driver_connection
        cur = pg.cursor()
        # First: one writer per layer. A second load of the layer waits here until the first
        # commits, then sees its rows and replaces them (no duplicates, no unique clash).
        cur.execute(composed("lock_layer"), {"layer": spec.key})
        require_table(cur, spec.table)
        previous = cur.execute(
            composed("previous_load"), {"layer": spec.key, "source": report.source}
        ).fetchone()
        rows = staged["_row"].to_numpy()
        bulk = bulk_replace(cur, spec.table, report.source, len(staged))
        if bulk is not None:  # a whole layer reloaded: straight into the table
            direct = staged.drop(columns="_row").assign(source=report.source)
            _copy(cur, spec.table, direct, kinds | {"source": "text"}, progress, label, rows)
            rebuild_indexes(cur, bulk[1])
            report.replaced, report.loaded = bulk[0], len(direct)
        else:
            cur.execute(composed("load_stage_create", table=table, columns=identifiers(columns)))
            _copy(cur, "_stage", staged, kinds, progress, label, rows, target=spec.table)
            progress("替换同源数据", 0.78)
            report.replaced, report.loaded = replace_rows(
                pg, spec.table, columns, report.source, label
            )
        report.note_previous(previous)
        progress("面积与统计", 0.9)
        if spec.geometry_type.upper().endswith("POLYGON"):
            stored = spec.ellipsoidal_area_field
            measure = sql.Identifier(stored) if stored else sql.SQL("ST_Area(geom::geography)")
            summed = composed("load_layer_area", table=table, area=measure)
            area = cur.execute(summed, _src(report)).fetchone()[0]
            report.set_area(float(area))
        _record(cur, report, actor)
        cur.execute(sql.SQL("ANALYZE {}").format(table))


def _copy(cur, table, frame, kinds, progress, label, rows, target=None) -> None:
    """COPY ``frame`` into ``table``; a refused row is reported by its feature number."""
    try:
        with cur.connection.transaction():  # a savepoint keeps the transaction usable to explain
            copy_frame(cur, table, frame, kinds, progress, "写入数据库", (0.3, 0.75))
    except psycopg.Error as exc:
        raise explain_error(
            exc, cur, label=label, table=target or table, unit="个要素", copy_rows=rows
        ) from exc


def _src(report: LoadReport) -> dict[str, str]:
    return {"source": report.source}


def _record(cur: psycopg.Cursor, report: LoadReport, actor: str | None) -> None:
    """One row in ``loads`` with the report; its id goes back into the report."""
    params = {
        "layer": report.layer,
        "source": report.source,
        "sha256": report.sha256,
        "actor": actor,
        "report": Jsonb(report.to_dict(), dumps=_dumps),
    }
    report.load_id = cur.execute(composed("load_record_load"), params).fetchone()[0]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
