"""What an offline area (离线区域) of one unit holds: the vector tiles of the tiled layers over
the unit, each with its size, so the map can show the size before downloading.

The small layers, the sections with their assessments and the list evaluation are the same
for every area (the page adds them); the tiles are what depends on the unit and dominate the
size. Zooms: the map draws vector tiles from ``webmap.layers.TILE_MIN_ZOOM`` (13) and over-zooms
z16 tiles above it, so z13–z16 is everything the map can ask for (z10–z12 would never be read).
"""

from dataclasses import dataclass

from sqlalchemy import Engine, select, text

from layers.models import Unit
from layers.registry import SPATIAL_LAYERS
from layers.sql import query, quote_identifier, template

MAX_ZOOM = 16


@dataclass(frozen=True)
class AreaLayer:
    key: str
    name_zh: str
    table: str
    tiles: list[tuple[int, int, int]]  # (z, x, y)
    sizes: list[int]  # bytes of each tile's MVT; 0: no feature there
    bytes: int


def tiled_layers() -> list[str]:
    return [key for key, spec in SPATIAL_LAYERS.items() if spec.delivery == "tiles"]


def unit_name(engine: Engine, code: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Unit.name).where(Unit.code == code)).scalar_one_or_none()


def area_tiles(engine: Engine, unit_code: str, zmin: int, zmax: int = MAX_ZOOM) -> list[AreaLayer]:
    """Each tiled layer's tiles over the unit with their MVT sizes (one set-based statement per
    layer: the tile grid, the intersection with the unit and the encoding all in PostGIS)."""
    layers = []
    with engine.connect() as conn:
        for key in tiled_layers():
            spec = SPATIAL_LAYERS[key]
            grid = template("offline_area_grid").strip().rstrip(";")
            statement = template("offline_area_tiles").format(
                table=quote_identifier(spec.table), grid=grid
            )
            sql = text(statement)
            rows = conn.execute(
                sql, {"unit": unit_code, "zmin": zmin, "zmax": zmax, "layer": spec.table}
            ).all()
            layers.append(
                AreaLayer(
                    key=key,
                    name_zh=spec.name_zh,
                    table=spec.table,
                    tiles=[(r.z, r.x, r.y) for r in rows],
                    sizes=[r.bytes for r in rows],
                    bytes=sum(r.bytes for r in rows),
                )
            )
    return layers


def basemap_tiles(
    engine: Engine, unit_code: str, zmin: int, zmax: int
) -> list[tuple[int, int, int]]:
    """The basemap tiles (z, x, y) an offline area of the unit holds: the area's tile grid."""
    with engine.connect() as conn:
        rows = conn.execute(
            query("offline_area_grid"), {"unit": unit_code, "zmin": zmin, "zmax": zmax}
        ).all()
    return [(r.z, r.x, r.y) for r in rows]
