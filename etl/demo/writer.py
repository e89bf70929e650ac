"""Writing the dataset as a bureau hands it over (按部门交付格式写出): shapefiles and CSV.

One shapefile per layer key with ``.prj`` and ``.cpg``. Attribute tables are GB18030, which
is byte-for-byte GBK for every character GBK has; a layer whose text is all GBK gets the
classic ArcGIS ``.cpg`` "936" and language-driver byte 0x4D, a layer with characters beyond
GBK (㵐 in 㵐水, 㵐水片区) gets ``.cpg`` "GB18030" (GDAL, QGIS and our loader read both right).
Dates are DBF date fields. The DBF header's "last update" is pinned to 2025-12-31 so that
the same seed gives byte-identical files.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from pyogrio.raw import write

from etl.demo.planar import to_gk
from gis.crs import CGCS2000

DBF_DATE = "2025-12-31"
_LDID_OFFSET = 29
_LDID_936 = 0x4D
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class LayerTable:
    """A layer ready to write: lon/lat geometries, ordered fields, output CRS."""

    key: str
    geoms: NDArray[np.object_]
    fields: dict[str, NDArray]
    geometry_type: str  # Point / MultiLineString / MultiPolygon
    epsg: int = CGCS2000


def write_layer(table: LayerTable, folder: Path) -> Path:
    path = folder / f"{table.key}.shp"
    for suffix in _SIDECARS:
        path.with_suffix(suffix).unlink(missing_ok=True)
    geoms = table.geoms
    if table.geometry_type.startswith("Multi"):
        geoms = _promote(geoms)
    if table.epsg != CGCS2000:
        geoms = to_gk(geoms)
    write(
        str(path),
        shapely.to_wkb(geoms),
        field_data=list(table.fields.values()),
        fields=list(table.fields),
        geometry_type=table.geometry_type,
        crs=f"EPSG:{table.epsg}",
        driver="ESRI Shapefile",
        encoding="GB18030",
        layer_options={"DBF_DATE_LAST_UPDATE": DBF_DATE, "RESIZE": "YES"},
    )
    _mark_code_page(path, _all_gbk(table.fields))
    return path


def _promote(geoms: NDArray) -> NDArray:
    multi = {"Polygon": shapely.multipolygons, "LineString": shapely.multilinestrings}
    out = geoms.copy()
    for kind, make in multi.items():
        single = shapely.get_type_id(out) == shapely.GeometryType[kind.upper()].value
        out[single] = [make([g]) for g in out[single]]
    return out


def _all_gbk(fields: dict[str, NDArray]) -> bool:
    for values in fields.values():
        if values.dtype == object:
            for value in values:
                try:
                    str(value).encode("gbk")
                except UnicodeEncodeError:
                    return False
    return True


def _mark_code_page(path: Path, gbk: bool) -> None:
    """``.cpg`` 936 + LDID 0x4D for GBK text; ``.cpg`` GB18030 (LDID left 0) otherwise."""
    path.with_suffix(".cpg").write_text("936" if gbk else "GB18030", encoding="ascii")
    if gbk:
        dbf = path.with_suffix(".dbf")
        raw = bytearray(dbf.read_bytes())
        raw[_LDID_OFFSET] = _LDID_936
        dbf.write_bytes(bytes(raw))


def write_csv(rows: list[dict[str, str]], headers: dict[str, str], path: Path) -> Path:
    """A CSV as Excel's "CSV UTF-8" writes it (BOM, CRLF), ``headers`` mapping keys to titles."""
    lines = [",".join(headers.values())]
    lines += [",".join(_cell(row.get(key, "")) for key in headers) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def _cell(value: str) -> str:
    text = str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\r\n') else text
