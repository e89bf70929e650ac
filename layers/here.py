"""What is here (此处有什么): every layer's features at a point, for a tap on the map.

The map's own hit test finds only the feature drawn on top; a field team standing on a red
line that also lies in 永久基本农田 and a water-source zone needs all three. One set-based
statement (``layers/sql/here.sql``) asks every spatial layer of the registry at once; a layer
that holds no data at all is named apart (无数据), so "nothing here" is never claimed for it.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from layers.registry import MAP_LAYERS, SPATIAL_LAYERS, LayerSpec
from layers.sql import quote_identifier, template

#: Default search radius for points and lines (sections, reservoirs, rivers): a fingertip on
#: a tablet at z15-z16 covers about this much ground.
TOLERANCE_M = 20.0
MAX_TOLERANCE_M = 500.0
# Metres per degree of latitude, rounded down (the ellipsoid's value is 110 574-111 694 m), so
# a box of tolerance / (this · cos lat) degrees always holds the circle of the tolerance.
_METRES_PER_DEGREE_LOW = 110_000.0


@dataclass(frozen=True)
class Hit:
    """A feature at the point, named as people name it (the bureau's code, its name, 坐落)."""

    layer: str
    layer_name: str
    id: int
    code: str | None
    name: str | None
    location: str | None
    distance_m: float
    properties: dict[str, Any]


@dataclass(frozen=True)
class Here:
    lon: float
    lat: float
    tolerance_m: float
    hits: list[Hit] = field(default_factory=list)
    #: Layers that hold no feature at all: nothing can be said about them here (无数据).
    without_data: list[str] = field(default_factory=list)


def layer_order() -> list[str]:
    """Every spatial layer, in the map's order (top of the layer control first)."""
    return list(MAP_LAYERS) + [k for k in SPATIAL_LAYERS if k not in MAP_LAYERS]


def box_degrees(lat: float, tolerance_m: float) -> float:
    """Half-width in degrees of a box around the point that holds the tolerance circle."""
    return tolerance_m / (_METRES_PER_DEGREE_LOW * max(math.cos(math.radians(lat)), 0.01))


def _statement(keys: list[str]):
    branch = template("here_layer")
    branches = "\nUNION ALL\n".join(
        f"({branch.format(table=quote_identifier(SPATIAL_LAYERS[k].table))})" for k in keys
    )
    return text(template("here").format(branches=branches))


def _text(props: dict[str, Any], column: str | None) -> str | None:
    value = props.get(column) if column else None
    return None if value is None or value == "" else str(value)


def _hit(spec: LayerSpec, row) -> Hit:
    props = row.props or {}
    shown = {f.column for f in spec.popup_fields} | {
        "id",
        spec.code_field,
        spec.label_field,
        spec.location_field,
    }
    return Hit(
        layer=spec.key,
        layer_name=spec.name_zh,
        id=row.id,
        code=_text(props, spec.code_field),
        name=_text(props, spec.label_field),
        location=_text(props, spec.location_field),
        distance_m=round(float(row.distance_m), 2),
        properties={k: v for k, v in props.items() if k in shown},
    )


def features_here(engine: Engine, lon: float, lat: float, tolerance_m: float = TOLERANCE_M) -> Here:
    """The features of every spatial layer at (lon, lat): areas containing the point, points
    and lines within ``tolerance_m``; in the map's layer order, nearest first within a layer."""
    keys = layer_order()
    by_table = {SPATIAL_LAYERS[k].table: k for k in keys}
    params = {
        "lon": lon,
        "lat": lat,
        "tolerance_m": tolerance_m,
        "box_deg": box_degrees(lat, tolerance_m),
    }
    with engine.connect() as conn:
        rows = conn.execute(_statement(keys), params).all()
    present: set[str] = set()
    hits: list[Hit] = []
    for row in rows:
        key = by_table[row.layer_table.rsplit(".", 1)[-1].strip('"')]
        if row.id is None:
            present.add(key)
        else:
            hits.append(_hit(SPATIAL_LAYERS[key], row))
    rank = {k: n for n, k in enumerate(keys)}
    hits.sort(key=lambda h: (rank[h.layer], h.distance_m, h.code or "", h.id))
    return Here(
        lon=lon,
        lat=lat,
        tolerance_m=tolerance_m,
        hits=hits,
        without_data=[k for k in keys if k not in present],
    )
