"""Layer downloads (图层导出): GeoJSON for the map, and GeoPackage / shapefile / GeoJSON files.

Everything comes out in EPSG:4490 (CGCS2000), the CRS the bureau files in; tipg's OGC
endpoints answer in CRS84 and are meant for viewing. The map's GeoJSON is assembled inside
PostGIS in one statement; files are written with pyogrio (GDAL), shapefiles as a zip with a
UTF-8 ``.cpg``.
"""

import zipfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from sqlalchemy import Engine, text

from gis.crs import CGCS2000
from gis.errors import InvalidInputError
from layers.registry import LayerSpec, get_layer
from layers.sql import quote_identifier


@dataclass(frozen=True)
class ExportFormat:
    driver: str
    media_type: str
    suffix: str


FORMATS = {
    "gpkg": ExportFormat("GPKG", "application/geopackage+sqlite3", ".gpkg"),
    "shp": ExportFormat("ESRI Shapefile", "application/zip", ".zip"),
    "geojson": ExportFormat("GeoJSON", "application/geo+json", ".geojson"),
}


_OGR_TYPES = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "POLYGON": "Polygon",
    "MULTIPOLYGON": "MultiPolygon",
}


def spatial_layer(key: str) -> LayerSpec:
    spec = get_layer(key)
    if spec.geometry_type is None:
        raise InvalidInputError(f"图层 '{key}' 没有几何，不能按地图图层导出 (not a spatial layer).")
    return spec


def feature_count(engine: Engine, spec: LayerSpec) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(f"SELECT count(*) FROM {quote_identifier(spec.table)}")
        ).scalar_one()


def layer_geojson(engine: Engine, key: str, max_features: int) -> str:
    """The layer as GeoJSON text in EPSG:4490, or an error when it is too big for that."""
    spec = spatial_layer(key)
    count = feature_count(engine, spec)
    if count > max_features:
        raise InvalidInputError(
            f"图层 {spec.name_zh} 有 {count} 个要素，超过 GeoJSON 上限 {max_features} (layer too large).",
            hint="大图层请用矢量瓦片 /ogc/collections/…/tiles，或下载 /api/layers/{key}/export。",
        )
    sql = files("layers.sql").joinpath("layer_geojson.sql").read_text(encoding="utf-8")
    with engine.connect() as conn:
        return conn.execute(text(sql.replace("{table}", quote_identifier(spec.table)))).scalar_one()


def read_layer(engine: Engine, spec: LayerSpec) -> gpd.GeoDataFrame:
    """The whole layer as a GeoDataFrame in EPSG:4490, ordered by id.

    One binary-mode fetch with geometries as WKB, parsed by shapely in one vectorised call,
    and ``extra`` (JSONB) rendered as JSON text by PostgreSQL — the text every file format
    can hold. ``geopandas.read_postgis`` parsed each geometry from hex in a Python loop
    (more than half of a 200 000-parcel export).
    """
    table = quote_identifier(spec.table)
    with engine.connect() as conn, conn.connection.driver_connection.cursor(binary=True) as cur:
        cur.execute(f"SELECT * FROM {table} WHERE false")  # the columns in the table's order
        names = [column.name for column in cur.description]
        select = ", ".join(_select_expression(name) for name in names)
        cur.execute(f"SELECT {select} FROM {table} ORDER BY id")
        rows = cur.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
    geoms = shapely.from_wkb(frame["geom"].to_numpy())
    return gpd.GeoDataFrame(frame.assign(geom=geoms), geometry="geom", crs=CGCS2000)


def _select_expression(name: str) -> str:
    column = quote_identifier(name)
    if name == "geom":
        return f"ST_AsBinary({column}) AS {column}"
    if name == "extra":
        return f"{column}::text AS {column}"
    return column


def export_layer(engine: Engine, key: str, fmt: str, directory: Path) -> Path:
    """Write layer ``key`` as ``fmt`` (gpkg, shp, geojson) into ``directory``; returns the file."""
    spec = spatial_layer(key)
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"未知导出格式 '{fmt}' (unknown format).", hint="可用：gpkg、shp、geojson"
        )
    frame = read_layer(engine, spec)
    geometry_type = _OGR_TYPES[spec.geometry_type]
    if fmt != "shp":
        path = directory / f"{key}{FORMATS[fmt].suffix}"
        pyogrio.write_dataframe(
            frame, path, layer=key, driver=FORMATS[fmt].driver, geometry_type=geometry_type
        )
        return path
    shp_dir = directory / key
    shp_dir.mkdir()
    pyogrio.write_dataframe(
        frame,
        shp_dir / f"{key}.shp",
        driver="ESRI Shapefile",
        geometry_type=geometry_type,
        layer_options={"ENCODING": "UTF-8"},
    )
    path = directory / f"{key}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(shp_dir.iterdir()):
            archive.write(member, member.name)
    return path
