"""Readers (读取): shapefile (alone or zipped), GeoPackage, GeoJSON and KML (or KMZ), through pyogrio.

:func:`read_vector` returns the features exactly as stored (geometries in the file's own
coordinates), with the CRS it detected (:func:`gis.crs.detect_crs` on the ``.prj`` or the
dataset's CRS plus a sample of raw X/Y) and the attribute encoding it chose
(:func:`etl.encoding.detect_dbf_encoding` for shapefiles; GeoPackage, GeoJSON and KML are UTF-8
by specification).

For a shapefile pyogrio reads the geometries and :mod:`etl.dbf` the attribute table, with
numpy, decoding text with exactly the Python codec the detection verified. GDAL's own
conversion silently loses what it cannot map: a GBK-declared DBF holding ``㵐`` (a CJK
Extension A character outside GBK, four bytes in GB18030) comes out of GDAL as "19水片区",
while GB18030 — the superset every GBK/936 ``.cpg`` is read as — gives it back intact.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS

from etl.archive import ArchiveLimits, extract_kmz, extract_zip
from etl.counting import check_streamed_counts, too_many
from etl.dbf import read_dbf
from etl.encoding import check_no_mojibake, detect_dbf_encoding
from etl.gdal import gdal_messages, refuse_unless_benign, without_directories
from etl.shapefile import verify_read, verify_shapefile
from gis.crs import CrsDetection, detect_crs
from gis.errors import InvalidInputError

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml")
_SAMPLE_FEATURES = 500
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass
class VectorData:
    """What a file holds: features with raw geometries, and how they were interpreted."""

    frame: gpd.GeoDataFrame  # index 0..n-1 = feature number − 1; CRS = the detected one
    crs: CrsDetection
    encoding: str
    encoding_reason: str
    source: str  # file name (+ ":" + sublayer), the key that reloading replaces
    sha256: str
    warnings: list[str] = field(default_factory=list)


def read_vector(
    path: str | Path,
    *,
    crs: int | None = None,
    encoding: str | None = None,
    sublayer: str | None = None,
    limits: ArchiveLimits,
) -> VectorData:
    """Read ``path`` (.shp, .zip holding one dataset, .gpkg, .geojson/.json, .kml, .kmz)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"找不到文件 {path}（file not found）。")
    source = path.name if sublayer is None else f"{path.name}:{sublayer}"
    suffix = path.suffix.lower()
    digest = shapefile_sha256(path) if suffix == ".shp" else file_sha256(path)
    if suffix == ".kmz":
        # A zipped KML (Google Earth, 奥维): the zip's limits, then its one KML read as KML.
        with tempfile.TemporaryDirectory(prefix="watershed-kmz-") as folder:
            inner = extract_kmz(path, Path(folder), limits)
            data = _read_dataset(inner, crs, encoding, sublayer, limits)
    elif suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="watershed-zip-") as folder:
            files = extract_zip(path, Path(folder), limits)
            inner = _pick_dataset(path.name, files, sublayer)
            inner_layer = None if inner.suffix.lower() == ".shp" else sublayer
            data = _read_dataset(inner, crs, encoding, inner_layer, limits)
    else:
        if suffix not in VECTOR_SUFFIXES:
            raise InvalidInputError(
                f"不支持的文件类型 {path.suffix}（unsupported format）。",
                hint="支持 .shp（含 .shx/.dbf/.prj）、.zip、.gpkg、.geojson、.kml、.kmz；"
                "水质数据用 .csv/.xlsx 并指定 --layer samples。",
            )
        data = _read_dataset(path, crs, encoding, sublayer, limits)
    data.source, data.sha256 = source, digest
    return data


def file_sha256(path: Path) -> str:
    return _sha256([path])


def shapefile_sha256(shp: Path) -> str:
    """Hash of the shapefile's parts in a fixed order (.shp, .shx, .dbf, .prj, .cpg)."""
    return _sha256([p for s in _SHAPEFILE_PARTS if (p := sibling(shp, s)) is not None])


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def sibling(path: Path, suffix: str) -> Path | None:
    """The file next to ``path`` with ``suffix``, matched case-insensitively."""
    exact = path.with_suffix(suffix)
    if exact.is_file():
        return exact
    wanted = (path.stem + suffix).lower()
    return next((p for p in path.parent.iterdir() if p.name.lower() == wanted), None)


def _pick_dataset(archive: str, files: list[Path], sublayer: str | None) -> Path:
    """The one dataset in an extracted archive (``sublayer`` picks a shapefile by name)."""
    found = [f for f in files if f.suffix.lower() in VECTOR_SUFFIXES]
    shapefiles = [f for f in found if f.suffix.lower() == ".shp"]
    candidates = shapefiles or found
    if sublayer is not None and shapefiles:
        named = [f for f in shapefiles if f.stem.lower() == sublayer.lower()]
        if named:
            return named[0]
    if len(candidates) == 1:
        return candidates[0]
    names = "、".join(f.name for f in candidates) or "无"
    raise InvalidInputError(
        f"压缩包 {archive} 中{'有多个' if candidates else '没有'}可导入的数据（{names}）"
        "（archive must hold exactly one dataset）。",
        hint="多个 shapefile 时用 --sublayer 指定文件名（不含扩展名）；"
        "支持 .shp、.gpkg、.geojson、.kml。",
    )


def _read_dataset(
    path: Path,
    crs: int | None,
    encoding: str | None,
    sublayer: str | None,
    limits: ArchiveLimits | None = None,
) -> VectorData:
    if path.suffix.lower() == ".shp":
        return _read_shapefile(path, crs, encoding, limits)
    return _read_utf8_dataset(path, crs, encoding, sublayer, limits)


# -- counts before reading (issue 16, defect 5) ------------------------------------------------

#: Where a shapefile record's point count sits, by shape type (ESRI Shapefile Technical
#: Description): after the 8-byte record header, the type (4), the box (32), then for
#: PolyLine/Polygon/MultiPatch NumParts (4) and NumPoints (4), for MultiPoint NumPoints (4).
_POINTS_AT = {
    **dict.fromkeys((3, 5, 13, 15, 23, 25, 31), 8 + 4 + 32 + 4),
    **dict.fromkeys((8, 18, 28), 8 + 4 + 32),
}
_POINT_TYPES = (1, 11, 21)
_CHUNK_FEATURES = 5_000


_too_many = too_many  # the refusal, shared with the streaming counts


def shapefile_counts(shp: Path, shx: Path) -> tuple[int, int]:
    """Features and vertices of a shapefile from its headers alone: the record count from
    the .shx size, each record's point count read at its offset in the .shp (numpy over a
    memory map; no geometry is parsed). Records pointing outside the file count as 0 here;
    :func:`etl.shapefile.verify_shapefile` refuses them afterwards."""
    records = max((shx.stat().st_size - 100) // 8, 0)
    size = shp.stat().st_size
    if records == 0 or size < 100:
        return records, 0
    shape_type = int(np.fromfile(shp, dtype="<i4", count=1, offset=32)[0])
    if shape_type in _POINT_TYPES:
        return records, records
    at = _POINTS_AT.get(shape_type)
    if at is None:
        return records, 0
    index = np.memmap(shx, dtype=">i4", mode="r", offset=100, shape=(records * 2,))
    positions = index[0::2].astype(np.int64) * 2 + at
    inside = positions + 4 <= size
    data = np.memmap(shp, dtype=np.uint8, mode="r")
    starts = positions[inside]
    # Null shapes (type 0) among the records carry no count.
    types = data[(starts - at + 8)[:, None] + np.arange(4)].copy().view("<i4").ravel()
    counts = data[starts[:, None] + np.arange(4)].copy().view("<i4").ravel()
    return records, int(np.clip(counts[types != 0], 0, None).sum())


def _check_shapefile_counts(shp: Path, limits: ArchiveLimits | None) -> None:
    if limits is None or (limits.max_features is None and limits.max_vertices is None):
        return
    features, vertices = shapefile_counts(shp, sibling(shp, ".shx"))
    if limits.max_features is not None and features > limits.max_features:
        raise _too_many(shp.name, "要素", features, limits.max_features)
    if limits.max_vertices is not None and vertices > limits.max_vertices:
        raise _too_many(shp.name, "顶点", vertices, limits.max_vertices)


def _check_dataset_counts(path: Path, layer: str | None, limits: ArchiveLimits | None) -> None:
    """GeoPackage (GeoJSON and KML are counted while streaming, :mod:`etl.counting`): the
    feature count GDAL reports (GeoPackage keeps it), then, with a vertex limit, the geometries read
    in chunks of 5,000 and counted, stopping at the first chunk over the limit."""
    if limits is None or (limits.max_features is None and limits.max_vertices is None):
        return
    try:
        info = pyogrio.read_info(path, layer=layer, force_feature_count=True)
    except (DataSourceError, DataLayerError) as exc:
        raise _unreadable(path, exc) from exc
    features = int(info.get("features") or 0)
    if limits.max_features is not None and features > limits.max_features:
        raise _too_many(path.name, "要素", features, limits.max_features)
    if limits.max_vertices is None:
        return
    total = 0
    for skip in range(0, features, _CHUNK_FEATURES):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the full read reports them
            chunk = _pyogrio_read(
                path, layer, None, columns=[], skip_features=skip, max_features=_CHUNK_FEATURES
            )
        total += int(shapely.get_num_coordinates(chunk.geometry.values).sum())
        if total > limits.max_vertices:
            raise _too_many(path.name, "顶点", total, limits.max_vertices, exact=False)


def _read_shapefile(
    shp: Path, crs: int | None, encoding: str | None, limits: ArchiveLimits | None = None
) -> VectorData:
    missing = [s for s in (".shx", ".dbf") if sibling(shp, s) is None]
    if missing:
        raise InvalidInputError(
            f"shapefile {shp.name} 缺少 {'、'.join(shp.stem + s for s in missing)}"
            "（shapefile is incomplete: missing .shx/.dbf）。",
            hint="shapefile 由同名的 .shp、.shx、.dbf（及 .prj、.cpg）组成，请一并提供"
            "（打包为 zip 最方便）。",
        )
    _check_shapefile_counts(shp, limits)  # before the table or a geometry is read
    detection = detect_dbf_encoding(shp, encoding)
    dbf = sibling(shp, ".dbf")
    table, notes = read_dbf(dbf, detection.encoding)
    # What the headers promise, checked before GDAL reads and against what it read.
    index = verify_shapefile(shp, sibling(shp, ".shx"), dbf, len(table))
    with _gdal_notes() as gdal, gdal_messages() as messages:
        shapes = _pyogrio_read(shp, None, None, columns=[], fid_as_index=True)
    gdal += refuse_unless_benign(shp.name, messages)
    fids = shapes.index.to_numpy()
    verify_read(shp, index, fids, shapely.is_missing(shapes.geometry.values))
    frame = gpd.GeoDataFrame(
        table.iloc[fids].reset_index(drop=True), geometry=shapes.geometry.to_numpy()
    )
    prj = sibling(shp, ".prj")
    prj_text = prj.read_text(encoding="latin-1") if prj else None
    crs_detection = detect_crs(prj_text, _sample_xy(frame.geometry.values), crs)
    frame = frame.set_crs(crs_detection.epsg, allow_override=True)
    return VectorData(
        frame,
        crs_detection,
        detection.encoding,
        detection.reason,
        shp.name,
        "",
        [*notes, *gdal],
    )


def _read_utf8_dataset(
    path: Path,
    crs: int | None,
    encoding: str | None,
    sublayer: str | None,
    limits: ArchiveLimits | None = None,
) -> VectorData:
    # GeoJSON and KML are counted as they stream, before GDAL opens them (opening one parses
    # it whole); a GeoPackage keeps its counts, read through GDAL below.
    streamed = limits is not None and check_streamed_counts(
        path, limits.max_features, limits.max_vertices
    )
    layer = _choose_layer(path, sublayer)
    if not streamed:
        _check_dataset_counts(path, layer, limits)
    declared = encoding or "utf-8"
    with _gdal_notes() as notes, gdal_messages() as messages:
        frame = _pyogrio_read(path, layer, encoding)
        info = pyogrio.read_info(path, layer=layer)
    notes += refuse_unless_benign(path.name, messages)
    wkt = CRS.from_user_input(info["crs"]).to_wkt() if info.get("crs") else None
    crs_detection = detect_crs(wkt, _sample_xy(frame.geometry.values), crs)
    frame = frame.set_crs(crs_detection.epsg, allow_override=True)
    for name in _text_columns(frame):
        check_no_mojibake(frame[name].dropna().unique(), field=name)
    kind = path.suffix.lower().lstrip(".").upper()
    reason = f"按 --encoding 指定：{encoding}" if encoding else f"{kind} 按规范为 UTF-8"
    return VectorData(frame, crs_detection, declared, reason, path.name, "", notes)


def _choose_layer(path: Path, sublayer: str | None) -> str | None:
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except (DataSourceError, DataLayerError) as exc:
        raise _unreadable(path, exc) from exc
    if sublayer is not None:
        if sublayer not in layers:
            raise InvalidInputError(
                f"{path.name} 中没有图层“{sublayer}”（sublayer not found）。",
                hint=f"可用图层：{'、'.join(layers)}",
            )
        return sublayer
    if len(layers) > 1:
        raise InvalidInputError(
            f"{path.name} 含多个图层（{'、'.join(layers)}），请指定一个（several layers）。",
            hint="用 --sublayer 图层名 选择要导入的图层。",
        )
    return None


def _pyogrio_read(
    path: Path, layer: str | None, encoding: str | None, **kwargs
) -> gpd.GeoDataFrame:
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=encoding, **kwargs)
    except (DataSourceError, DataLayerError, pyogrio.errors.FieldError) as exc:
        raise _unreadable(path, exc) from exc
    except (pyogrio.errors.GeometryError, shapely.errors.GEOSException) as exc:
        raise InvalidInputError(
            f"{path.name} 含无法解析的几何（unreadable geometry）：{without_directories(str(exc))}",
            hint="请在 GIS 软件中检查并修复几何后重新导出。",
        ) from exc
    return frame if kwargs.get("fid_as_index") else frame.reset_index(drop=True)


def _unreadable(path: Path, exc: Exception) -> InvalidInputError:
    return InvalidInputError(
        f"无法读取 {path.name}（unreadable file）：{without_directories(str(exc))}",
        hint="请确认文件完整、格式正确（可先用 QGIS 打开检查）。",
    )


@contextmanager
def _gdal_notes() -> Iterator[list[str]]:
    """Collect GDAL's warnings while reading, to report them instead of printing them."""
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    notes.extend(f"GDAL：{w.message}" for w in caught)


def _text_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """Attribute columns holding text (object or pandas string dtype)."""
    return [
        c
        for c in frame.columns
        if c != frame.geometry.name
        and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))
    ]


def _sample_xy(geoms: np.ndarray) -> np.ndarray | None:
    """Up to a few thousand raw (x, y) pairs from features spread over the file."""
    present = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if not len(present):
        return None
    step = max(1, len(present) // _SAMPLE_FEATURES)
    coords = shapely.get_coordinates(present[::step])
    return coords[:: max(1, len(coords) // 5000)]
