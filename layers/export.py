"""Layer downloads (图层导出): GeoJSON for the map, and GeoPackage / shapefile / GeoJSON files.

Everything comes out in EPSG:4490 (CGCS2000), the CRS the bureau files in, with the CRS
declared (``.prj``, the GeoPackage's ``gpkg_spatial_ref_sys``, GeoJSON's ``crs`` member).
The map's GeoJSON is assembled inside PostGIS in one statement; files are written with
pyogrio (GDAL).

Files carry the bureau's fields as the bureau loaded them (``names="bureau"``, the default):
each column under the name the loaded file gave it (``BSM``, ``DLBM``, ``HXMC``…, recorded by
the loader in the load report; the layer's standard name where no load recorded one), the
file's other fields (kept in ``extra``) as real, typed columns again, in the file's order;
the database id is left out. ``names="platform"`` gives the table as it is (``extra`` as JSON
text). Shapefiles come zipped, in UTF-8 or GBK (``.cpg`` and the DBF's language byte say
which); GeoPackages are written as version 1.2, which every GDAL since 2.2 reads without the
"GeoPackage v1.4 may only be partially supported" warning GDAL 3.6 gives.
"""

import zipfile
from collections.abc import Mapping
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
from layers.sql import query, quote_identifier, template


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
#: Shapefile encodings offered: GDAL's name, the ``.cpg`` text and the DBF language driver
#: byte (offset 29) that older ArcGIS and MapGIS read instead of a ``.cpg``.
SHP_ENCODINGS = {"UTF-8": ("UTF-8", "UTF-8", 0x00), "GBK": ("CP936", "936", 0x4D)}
GPKG_VERSION = "1.2"
DBF_NAME_BYTES = 10
#: Columns of every table that are the platform's, not the bureau's.
PLATFORM_ONLY = ("id", "geom", "extra")

_OGR_TYPES = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "POLYGON": "Polygon",
    "MULTIPOLYGON": "MultiPolygon",
}
_EXTRA_CASTS = {"integer": "::bigint", "number": "::float8", "boolean": "::boolean", "string": ""}


@dataclass(frozen=True)
class OutputField:
    """One attribute of an exported file: its name there and where its values come from
    (a table column, or a key of ``extra`` with the JSON type of its values)."""

    name: str
    column: str | None = None
    extra_key: str | None = None
    kind: str = "string"


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


def field_plan(
    columns: list[str],
    filled: set[str],
    extra_kinds: Mapping[str, str],
    loads: list[tuple[Mapping[str, str] | None, list[str] | None]],
    default_names: Mapping[str, str],
) -> list[OutputField]:
    """The attributes of a bureau-named export, in the loaded file's order.

    ``loads`` are (column → file field, file fields in order) of the layer's loads, newest
    first: a column takes the name of the newest load that had it, else ``default_names``,
    else its own. A column no file had and no row fills (``filled`` has those with a value)
    is left out. A key of ``extra`` named like a column's output is the raw text the loader
    kept beside a value it normalised (``DLBM`` 101 → 0101): the column's checked value wins.
    """
    names: dict[str, str] = {}
    order: list[str] = []
    for mapping, source_fields in loads:
        for column, source in (mapping or {}).items():
            names.setdefault(column, source)
        order += [f for f in source_fields or [] if f not in order]
    plan: dict[str, OutputField] = {}
    for column in columns:
        if column not in PLATFORM_ONLY and (column in names or column in filled):
            name = names.get(column) or default_names.get(column) or column
            plan.setdefault(name, OutputField(name, column=column))
    for key, kind in extra_kinds.items():
        plan.setdefault(key, OutputField(key, extra_key=key, kind=kind))
    # The file's order; then what it did not list; the platform's provenance column last.
    rank = {name: i for i, name in enumerate(order)}
    unlisted = len(order)
    rank.setdefault("source", unlisted + 1)
    return sorted(plan.values(), key=lambda f: rank.get(f.name, unlisted))


def _loaded_names(engine: Engine, spec: LayerSpec) -> list[tuple[dict | None, list | None]]:
    with engine.connect() as conn:
        rows = conn.execute(query("export_field_names"), {"layer": spec.key}).all()
    return [(row.fields, row.source_fields) for row in rows]


def _extra_kinds(engine: Engine, spec: LayerSpec) -> dict[str, str]:
    sql = template("export_extra_keys").replace("{table}", quote_identifier(spec.table))
    with engine.connect() as conn:
        return {row.key: row.kind for row in conn.execute(text(sql))}


def _table_columns(engine: Engine, spec: LayerSpec) -> list[str]:
    """The table's columns, less the ellipsoidal area PostgreSQL generates from the geometry
    (LayerSpec.ellipsoidal_area_field): a figure the platform keeps for its reports, not an
    attribute of the bureau's data, and the export's geometry carries it anyway."""
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {quote_identifier(spec.table)} WHERE false"))
        names = list(result.keys())  # (a result iterates over rows, not column names)
    return [c for c in names if c != spec.ellipsoidal_area_field]


def _filled_columns(engine: Engine, spec: LayerSpec, columns: list[str]) -> set[str]:
    """The columns with a value in at least one row (one pass over the table)."""
    counts = ", ".join(f"count({quote_identifier(c)})" for c in columns)
    with engine.connect() as conn:
        row = conn.execute(text(f"SELECT {counts} FROM {quote_identifier(spec.table)}")).one()
    return {column for column, count in zip(columns, row, strict=True) if count}


def _fetch(engine: Engine, spec: LayerSpec, selects: list[str], params: list) -> list[tuple]:
    """One binary-mode fetch of ``selects`` and the geometry as WKB, ordered by id."""
    table = quote_identifier(spec.table)
    columns = ", ".join([*selects, "ST_AsBinary(geom)"])
    with engine.connect() as conn, conn.connection.driver_connection.cursor(binary=True) as cur:
        cur.execute(f"SELECT {columns} FROM {table} ORDER BY id", params)
        return cur.fetchall()


def _frame(rows: list[tuple], names: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame.from_records(rows, columns=[*names, "geom"], coerce_float=True)
    geoms = shapely.from_wkb(frame["geom"].to_numpy())
    return gpd.GeoDataFrame(frame.assign(geom=geoms), geometry="geom", crs=CGCS2000)


def read_layer(engine: Engine, spec: LayerSpec) -> gpd.GeoDataFrame:
    """The whole table as a GeoDataFrame in EPSG:4490, ordered by id, ``extra`` as JSON text.

    One binary-mode fetch with geometries as WKB, parsed by shapely in one vectorised call
    (``geopandas.read_postgis`` parsed each geometry from hex in a Python loop).
    """
    names = [c for c in _table_columns(engine, spec) if c != "geom"]
    selects = [
        f"{quote_identifier(n)}::text" if n == "extra" else quote_identifier(n) for n in names
    ]
    return _frame(_fetch(engine, spec, selects, []), names)


def read_bureau_layer(
    engine: Engine, spec: LayerSpec, default_names: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """The layer with the bureau's field names and its ``extra`` fields as typed columns."""
    columns = _table_columns(engine, spec)
    plan = field_plan(
        columns,
        _filled_columns(engine, spec, columns),
        _extra_kinds(engine, spec),
        _loaded_names(engine, spec),
        default_names,
    )
    selects, params = [], []
    for field in plan:
        if field.column is not None:
            selects.append(quote_identifier(field.column))
        else:  # the key is the file's, hence a bound value
            selects.append(f"(extra ->> %s){_EXTRA_CASTS[field.kind]}")
            params.append(field.extra_key)
    frame = _frame(_fetch(engine, spec, selects, params), [f.name for f in plan])
    for field in plan:
        if field.kind == "integer" and field.extra_key is not None:
            frame[field.name] = frame[field.name].astype("Int64")
    return frame


def dbf_names(names: list[str], encoding: str) -> dict[str, str]:
    """Each name cut to the DBF's 10 bytes in ``encoding`` (whole characters), unique without
    regard to case (DBF readers ignore it), so GDAL has nothing to launder."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        cut = _cut(name, encoding, DBF_NAME_BYTES)
        number = 1
        while cut.casefold() in taken:
            suffix = f"_{number}"
            cut = _cut(name, encoding, DBF_NAME_BYTES - len(suffix)) + suffix
            number += 1
        taken.add(cut.casefold())
        out[name] = cut
    return out


def _cut(name: str, encoding: str, limit: int) -> str:
    while len(name.encode(encoding)) > limit:
        name = name[:-1]
    return name


def check_encodable(frame: pd.DataFrame, encoding: str) -> None:
    """Refuse a shapefile in ``encoding`` that would lose text (GBK has no 㵐, for one)."""
    for name in frame.columns:
        problem = _unencodable(str(name), encoding)
        series = frame[name]
        if problem is None and (series.dtype == object or pd.api.types.is_string_dtype(series)):
            values = series.dropna().unique()
            texts = [v for v in values if isinstance(v, str)]
            problem = _unencodable("\n".join(texts), encoding)
        if problem is not None:
            raise InvalidInputError(
                f"字段 {name} 中的“{problem}”无法用 {encoding} 编码 (not representable in {encoding}).",
                hint="请选择 UTF-8 编码导出 Shapefile，或导出 GeoPackage。",
            )


def _unencodable(text_: str, encoding: str) -> str | None:
    try:
        text_.encode(encoding)
    except UnicodeEncodeError as exc:
        return exc.object[exc.start : exc.end]
    return None


def export_layer(
    engine: Engine,
    key: str,
    fmt: str,
    directory: Path,
    *,
    names: str = "bureau",
    encoding: str = "UTF-8",
    default_names: Mapping[str, str] | None = None,
) -> Path:
    """Write layer ``key`` as ``fmt`` (gpkg, shp, geojson) into ``directory``; returns the file.

    ``names``: ``bureau`` (the loaded files' field names and fields) or ``platform`` (the
    table). ``encoding``: the shapefile's, UTF-8 or GBK. ``default_names``: a column's name
    when no load recorded the file's.
    """
    spec = spatial_layer(key)
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"未知导出格式 '{fmt}' (unknown format).", hint="可用：gpkg、shp、geojson"
        )
    if encoding not in SHP_ENCODINGS:
        raise InvalidInputError(
            f"未知编码 '{encoding}' (unknown encoding).", hint="可用：UTF-8、GBK"
        )
    if names == "bureau":
        frame = read_bureau_layer(engine, spec, default_names or {})
    else:
        frame = read_layer(engine, spec)
    geometry_type = _OGR_TYPES[spec.geometry_type]
    if fmt == "gpkg":
        path = directory / f"{key}.gpkg"
        pyogrio.write_dataframe(
            frame,
            path,
            layer=key,
            driver="GPKG",
            geometry_type=geometry_type,
            dataset_options={"VERSION": GPKG_VERSION},
        )
        return path
    if fmt == "geojson":
        path = directory / f"{key}.geojson"
        pyogrio.write_dataframe(frame, path, driver="GeoJSON", geometry_type=geometry_type)
        return path
    return _write_shapefile(frame, directory, key, geometry_type, encoding)


def _write_shapefile(
    frame: gpd.GeoDataFrame, directory: Path, key: str, geometry_type: str, encoding: str
) -> Path:
    gdal_encoding, cpg, language_byte = SHP_ENCODINGS[encoding]
    check_encodable(frame, gdal_encoding)
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    frame = frame.rename(columns=dbf_names(attributes, gdal_encoding))
    shp_dir = directory / key
    shp_dir.mkdir()
    pyogrio.write_dataframe(
        frame,
        shp_dir / f"{key}.shp",
        driver="ESRI Shapefile",
        geometry_type=geometry_type,
        encoding=gdal_encoding,
    )
    # The .cpg as ArcGIS writes it ("936"; GDAL wrote "CP936") and the DBF language driver
    # byte for readers that ignore the .cpg.
    (shp_dir / f"{key}.cpg").write_text(cpg, encoding="ascii")
    with open(shp_dir / f"{key}.dbf", "r+b") as dbf:
        dbf.seek(29)
        dbf.write(bytes([language_byte]))
    path = directory / f"{key}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(shp_dir.iterdir()):
            archive.write(member, member.name)
    return path
