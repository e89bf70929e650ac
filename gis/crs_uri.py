"""CRS identifiers of OGC API Features Part 2 (``crs``, ``bbox-crs``, ``Content-Crs``).

The platform offers the CRSs a bureau in 曾都区 works in: CGCS2000 geographic (EPSG:4490, the
storage CRS), WGS84 (CRS84 and EPSG:4326) and the two CGCS2000 3-degree Gauss-Krüger CRSs of
the district (EPSG:4526 zone 38 with the zone number in X, EPSG:4547 CM 114E without it).

Part 2 (OGC 18-058r1, 6.2 and 6.3) fixes the axis order of coordinates to the CRS's own:
CRS84 is longitude, latitude; EPSG:4490 and EPSG:4326 are latitude, longitude; the
Gauss-Krüger CRSs are northing (X), easting (Y). ``swap_axes`` says which ones need the
stored easting/longitude-first coordinates flipped; it is read from the EPSG definition by
pyproj, not typed by hand.
"""

import math
import re
from dataclasses import dataclass
from functools import cache

from pyproj import CRS, Transformer

from gis.errors import CrsError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
STORAGE_SRID = 4490


@dataclass(frozen=True)
class OgcCrs:
    """One CRS a client may ask for: its URI, its PostGIS SRID and its axis order."""

    uri: str
    srid: int
    swap_axes: bool
    label: str

    @property
    def header(self) -> str:
        """The ``Content-Crs`` header value (a URI in angle brackets, Part 2 req. 7)."""
        return f"<{self.uri}>"


def _epsg(srid: int, label: str) -> OgcCrs:
    first_axis = CRS.from_epsg(srid).axis_info[0].direction
    return OgcCrs(EPSG_URI.format(srid), srid, first_axis in ("north", "south"), label)


#: The offered CRSs, storage CRS first (the order of each collection's ``crs`` list).
SUPPORTED: tuple[OgcCrs, ...] = (
    _epsg(4490, "CGCS2000 地理坐标"),
    OgcCrs(CRS84, 4326, False, "WGS84 经度、纬度"),
    _epsg(4326, "WGS84 纬度、经度"),
    _epsg(4526, "CGCS2000 3° 高斯-克吕格 38 带（X 带带号）"),
    _epsg(4547, "CGCS2000 3° 高斯-克吕格 中央经线 114°E（X 不带带号）"),
)
DEFAULT = SUPPORTED[1]  # Part 1: without ``crs`` the answer is in CRS84
STORAGE = SUPPORTED[0]

_BY_URI = {crs.uri: crs for crs in SUPPORTED}
_EPSG_FORMS = (
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(\d+)$", re.IGNORECASE),
    re.compile(r"^\[?EPSG:(\d+)\]?$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:EPSG:[^:]*:(\d+)$", re.IGNORECASE),
)
_CRS84_FORMS = {
    "https://www.opengis.net/def/crs/ogc/1.3/crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
    "crs84",
    "ogc:crs84",
    "[ogc:crs84]",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
}


def parse_crs(text: str, parameter: str = "crs") -> OgcCrs:
    """The offered CRS named by ``text`` (the URI, ``EPSG:n``, ``[EPSG:n]`` or an OGC URN).

    Raises :class:`CrsError` naming the offered CRSs when it is not one of them.
    """
    value = text.strip().strip("<>")
    if value.lower() in _CRS84_FORMS:
        return DEFAULT
    for form in _EPSG_FORMS:
        match = form.match(value)
        if match:
            found = _BY_URI.get(EPSG_URI.format(int(match.group(1))))
            if found is not None:
                return found
            break
    offered = "、".join(crs.uri for crs in SUPPORTED)
    raise CrsError(
        f"不支持的坐标参考系 {parameter}={text[:120]!r} (unsupported {parameter}).",
        hint=f"可用：{offered}",
    )


def bbox_to_xy(bbox: list[float], crs: OgcCrs) -> tuple[float, float, float, float]:
    """A ``bbox`` given in ``crs``'s axis order as (min x, min y, max x, max y), x being the
    easting or longitude (the order PostGIS and the stored geometries use)."""
    if len(bbox) == 6:  # with heights: minimum corner, then maximum corner
        bbox = [bbox[0], bbox[1], bbox[3], bbox[4]]
    a1, b1, a2, b2 = bbox
    if crs.swap_axes:
        return b1, a1, b2, a2
    return a1, b1, a2, b2


#: How far (degrees) outside a projected CRS's EPSG area of use a bbox may reach: a
#: Gauss-Krüger zone is usable a zone's width beyond its edges.
AREA_MARGIN = 3.0


@cache
def _to_lonlat(srid: int) -> Transformer:
    return Transformer.from_crs(srid, 4490, always_xy=True)


def check_bbox(xy: tuple[float, float, float, float], crs: OgcCrs) -> None:
    """Refuse (:class:`CrsError`) a bbox (in x/y order) that cannot lie in ``crs``: latitudes
    beyond ±90 (often a bbox in the wrong axis order), or, in a projected CRS, corners
    that fall outside the CRS's area of use (PostGIS cannot project them)."""
    west, south, east, north = xy
    if CRS.from_epsg(crs.srid).is_geographic:
        if abs(south) > 90 or abs(north) > 90 or abs(west) > 180 or abs(east) > 180:
            raise CrsError(
                f"bbox 超出 {crs.uri} 的经纬度范围 (bbox out of range; axis order?).",
                hint="EPSG:4490、EPSG:4326 的 bbox 为 纬度,经度,纬度,经度；CRS84 为经度在前。",
            )
        return
    area = CRS.from_epsg(crs.srid).area_of_use
    lons, lats = _to_lonlat(crs.srid).transform(
        [west, east, west, east], [south, north, north, south]
    )
    inside = all(
        math.isfinite(lon)
        and math.isfinite(lat)
        and area.west - AREA_MARGIN <= lon <= area.east + AREA_MARGIN
        and area.south - AREA_MARGIN <= lat <= area.north + AREA_MARGIN
        for lon, lat in zip(lons, lats, strict=True)
    )
    if not inside:
        raise CrsError(
            f"bbox 不在 {crs.uri} 的适用范围内 (bbox outside the CRS's area of use; axis order?).",
            hint="高斯-克吕格坐标的 bbox 为 北坐标X,东坐标Y,北坐标X,东坐标Y。",
        )
