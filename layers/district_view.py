"""The district the platform shows: its name from the list in force, where the map opens from
the list (``map_center``) or the loaded district boundary — never a constant in code."""

from dataclasses import dataclass

from sqlalchemy import Engine

from gis.baseline import load_baseline
from gis.errors import WatershedError
from layers.settings import Settings
from layers.sql import query


@dataclass(frozen=True)
class DistrictView:
    name: str | None
    center: tuple[float, float] | None  # (lat, lon)
    zoom: int | None = None


def district_view(engine: Engine, settings: Settings) -> DistrictView:
    """Name and centre of the district in the list in force; None for what is not known (no
    valid list: the name; no list centre and no boundary loaded: the centre)."""
    try:
        baseline = load_baseline(settings.baseline_path)
    except WatershedError:
        return DistrictView(None, None)
    if baseline.map_center is not None:
        lat, lon, zoom = baseline.map_center
        return DistrictView(baseline.district.name, (lat, lon), zoom)
    with engine.connect() as conn:
        row = conn.execute(query("district_centre"), {"code": baseline.district.code}).first()
    centre = None if row is None else (round(row.lat, 5), round(row.lon, 5))
    return DistrictView(baseline.district.name, centre)
