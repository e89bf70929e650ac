"""Feature and vertex counts of GeoJSON and KML while streaming, before GDAL opens the file.

GDAL's GeoJSON driver parses the whole document into a tree before the first feature is
returned, and counting through it (``read_info(force_feature_count=True)``) builds every
feature: 10^6 tiny polygons cost seconds and a gigabyte before a limit could refuse them
(issue 16, defect 5). Here the file is read as a stream of tokens — ijson's C parser for
JSON, expat's callbacks for KML (no entity declaration: a bomb is refused, not expanded) — and
counting stops at the first feature or vertex over the limit. Nothing is built: no
geometry, no feature object, no element tree.

A vertex is one position: in GeoJSON an array of numbers under a ``coordinates`` member, in
KML one whitespace-separated tuple of a ``<coordinates>`` element (or one ``gx:coord``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from xml.parsers import expat

import ijson

from etl.gdal import without_directories
from gis.errors import InvalidInputError

STREAMED_SUFFIXES = (".geojson", ".json", ".kml")
_HINT_LIMITS = (
    "项目范围只需项目红线本身；图层数据请由编辑者通过数据导入上传，"
    "或由管理员调整 WATERSHED_MAX_FEATURES / WATERSHED_OVERLAP_MAX_FEATURES / "
    "WATERSHED_MAX_VERTICES。"
)


def too_many(name: str, what: str, count: int, limit: int, exact: bool = True) -> InvalidInputError:
    """The refusal of a file over a feature (``what`` = 要素) or vertex (顶点) limit."""
    seen = f"{count}" if exact else f"超过 {limit}（已读到 {count}）"
    english = "too many features" if what == "要素" else "too many vertices"
    return InvalidInputError(
        f"{name} 的{what}数 {seen}，超过上限 {limit}（{english}）。", hint=_HINT_LIMITS
    )


class _Counter:
    def __init__(self, name: str, max_features: int | None, max_vertices: int | None) -> None:
        self.name = name
        self.max_features = max_features
        self.max_vertices = max_vertices
        self.features = 0
        self.vertices = 0

    def feature(self) -> None:
        self.features += 1
        if self.max_features is not None and self.features > self.max_features:
            raise too_many(self.name, "要素", self.features, self.max_features, exact=False)

    def add_vertices(self, n: int) -> None:
        self.vertices += n
        if self.max_vertices is not None and self.vertices > self.max_vertices:
            raise too_many(self.name, "顶点", self.vertices, self.max_vertices, exact=False)


def check_streamed_counts(
    path: Path, max_features: int | None, max_vertices: int | None
) -> tuple[int, int] | None:
    """Count a GeoJSON or KML file's features and vertices as it streams, refusing it at the
    first one over a limit; returns (features, vertices), or None for another format."""
    suffix = path.suffix.lower()
    if suffix not in STREAMED_SUFFIXES:
        return None
    counter = _Counter(path.name, max_features, max_vertices)
    if suffix == ".kml":
        _count_kml(path, counter)
    else:
        _count_geojson(path, counter)
    return counter.features, counter.vertices


_UTF8_BOM = b"\xef\xbb\xbf"
_POSITION = re.compile(r"(?:^|\.)coordinates(?:\.item)*$")


@functools.lru_cache(maxsize=1024)  # a file has a handful of distinct prefixes
def _is_position(prefix: str) -> bool:
    """An array of numbers under a geometry's ``coordinates``, not under ``properties``."""
    return bool(_POSITION.search(prefix)) and "properties" not in prefix.split(".")


def _first_line(exc: Exception) -> str:
    """yajl's message without the excerpt of the file and its pointer line under it."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _count_geojson(path: Path, counter: _Counter) -> None:
    previous = None
    top_type = None
    try:
        with path.open("rb") as stream:
            if stream.read(3) != _UTF8_BOM:  # GDAL reads past a BOM (Windows tools write one)
                stream.seek(0)
            for prefix, event, value in ijson.parse(stream, use_float=True):
                if event == "start_map" and prefix == "features.item":
                    counter.feature()
                elif event == "end_array" and previous == "number" and _is_position(prefix):
                    counter.add_vertices(1)  # the end of one position [x, y(, z)]
                elif prefix == "type" and event == "string":
                    top_type = value
                previous = event
    except (ijson.JSONError, ValueError, OverflowError) as exc:
        raise InvalidInputError(
            f"{path.name} 不是有效的 JSON（not valid JSON: "
            f"{without_directories(_first_line(exc))[:200]}）。",
            hint="请用 GIS 软件重新导出为 GeoJSON（UTF-8）。",
        ) from exc
    if counter.features == 0 and top_type is not None and top_type != "FeatureCollection":
        counter.feature()  # a lone Feature or geometry is one feature


class _Forbidden(Exception):
    """An entity declared in a KML file: refused before it is expanded."""


def _forbid(*_args) -> None:
    raise _Forbidden


def _count_kml(path: Path, counter: _Counter) -> None:
    """Expat with Python callbacks and no tree (about 10 µs a Placemark; ElementTree's
    iterparse builds elements and took 27 µs). An entity declaration is refused outright, as
    defusedxml's ``forbid_entities`` does: KML has no use for one, and an internal entity
    (the "billion laughs") or an external one (a local file) must never reach GDAL's own
    parser. A bare ``<!DOCTYPE kml>`` passes; external DTDs are never fetched."""
    in_coordinates = False
    text: list[str] = []

    def start(name: str, _attrs) -> None:
        nonlocal in_coordinates
        if name.rpartition(":")[2] == "coordinates":
            in_coordinates = True
            text.clear()

    def end(name: str) -> None:
        nonlocal in_coordinates
        local = name.rpartition(":")[2]
        if local == "Placemark":
            counter.feature()
        elif local == "coordinates":
            counter.add_vertices(len("".join(text).split()))  # one tuple "x,y[,z]" a vertex
            in_coordinates = False
        elif local == "coord":  # gx:coord of a gx:Track: one position
            counter.add_vertices(1)

    def characters(data: str) -> None:
        if in_coordinates:
            text.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.EntityDeclHandler = _forbid  # every entity declaration, general or parameter
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Forbidden as exc:
        raise InvalidInputError(
            f"{path.name} 含实体定义（DTD ENTITY），出于安全原因不予读取（DTD/entities forbidden）。",
            hint="KML 不需要 DTD：请用 Google Earth、QGIS 或 奥维 重新导出。",
        ) from exc
    except (ValueError, LookupError) as exc:  # expat: "multi-byte encodings are not supported"
        raise InvalidInputError(
            f"{path.name} 声明的字符编码无法读取（unsupported encoding: {exc}）。",
            hint="请将 KML 另存为 UTF-8 编码（Google Earth、QGIS 导出的 KML 均为 UTF-8）。",
        ) from exc
    except expat.ExpatError as exc:
        raise InvalidInputError(
            f"{path.name} 不是有效的 KML/XML（not valid XML: {expat.ErrorString(exc.code)}，"
            f"第 {exc.lineno} 行）。",
            hint="请用 Google Earth、QGIS 或 奥维 重新导出。",
        ) from exc
