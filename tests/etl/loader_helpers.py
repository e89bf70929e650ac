"""Small files for the loader tests, written in tmp_path, and a fingerprint of a table.

Every name (BSM, codes) carries a token unique to the test, because the layer tables have
unique columns and the whole session shares one database.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.enums import WktVersion
from sqlalchemy import Engine, text

#: A few parcels near 何店镇, 曾都区 (lon/lat, EPSG:4490).
ORIGIN = (113.2731, 31.7452)


def token() -> str:
    return uuid.uuid4().hex[:8]


def parcels(n: int = 3, size: float = 0.0005) -> list[shapely.Polygon]:
    x0, y0 = ORIGIN
    return [shapely.box(x0 + i * 0.001, y0, x0 + i * 0.001 + size, y0 + size) for i in range(n)]


def farmland_frame(prefix: str, geoms: list, **extra_columns) -> gpd.GeoDataFrame:
    n = len(geoms)
    names = ["㵐水片区", "涢水片区", "何店镇", "洛阳镇", "府河镇"]
    columns = {
        "BSM": [f"{prefix}{i:04d}" for i in range(n)],
        "DLBM": ["0101", "0102", "0103", "0201", "1203"][:n] + ["0101"] * max(0, n - 5),
        "DLMC": ["水田", "水浇地", "旱地", "果园", "田坎"][:n] + ["水田"] * max(0, n - 5),
        "ZLDWMC": (names * n)[:n],
        "TBMJ": [1000.0 + i for i in range(n)],
        "KCMJ": [10.0] * n,
        "TBDLMJ": [990.0 + i for i in range(n)],
        "BZ": ["备注"] * n,
    }
    columns.update(extra_columns)
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=4490)


def write_shapefile(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    encoding: str = "GB18030",
    cpg: str | None = "936",
    prj: str | None = "keep",
) -> Path:
    """Write ``frame`` as a shapefile; ``cpg``/``prj`` None removes that file, ``prj`` text
    replaces it."""
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    cpg_path, prj_path = path.with_suffix(".cpg"), path.with_suffix(".prj")
    cpg_path.unlink(missing_ok=True)
    if cpg is not None:
        cpg_path.write_text(cpg)
    if prj is None:
        prj_path.unlink(missing_ok=True)
    elif prj != "keep":
        prj_path.write_text(prj)
    return path


def esri_prj(epsg: int) -> str:
    return CRS.from_epsg(epsg).to_wkt(WktVersion.WKT1_ESRI)


def reproject(geoms, epsg: int):
    """Geometries from EPSG:4490 to ``epsg`` (x = easting)."""
    t = Transformer.from_crs(4490, epsg, always_xy=True)
    return shapely.transform(
        np.asarray(geoms, dtype=object), lambda xy: np.column_stack(t.transform(*xy.T))
    )


def zip_files(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def shapefile_parts(shp: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in shp.parent.glob(shp.stem + ".*")}


def fingerprint(engine: Engine, table: str) -> tuple[int, str]:
    """Row count and an md5 over every row in id order: equal before and after = unchanged."""
    sql = text(
        f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') "
        f"FROM {table} AS t"
    )
    with engine.connect() as conn:
        count, digest = conn.execute(sql).one()
    return count, digest


def rows(engine: Engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()
