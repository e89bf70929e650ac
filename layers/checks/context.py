"""What every check needs: the connection, the list, the settings, the period, the units."""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from gis.baseline import Area, Baseline
from gis.compliance import Evidence, Period
from layers.settings import Settings


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CheckContext:
    conn: Connection
    baseline: Baseline
    settings: Settings
    period: Period
    units: dict[str, UnitRow]  # by code, as stored in the database
    present: frozenset[str]  # layer tables holding at least one feature

    def has(self, area: Area, *layers: str) -> bool:
        """Whether the area's unit and every named layer have data, i.e. a check can be made."""
        return all(c in self.units for c in self.unit_codes(area)) and set(layers) <= self.present

    def areas(self) -> list[Area]:
        """The district, then each unit of the list."""
        return [self.baseline.district, *self.baseline.units]

    def is_district(self, area: Area) -> bool:
        return area is self.baseline.district

    def unit_codes(self, area: Area) -> list[str]:
        """Database unit codes an area covers: all of them for the district."""
        return list(self.units) if self.is_district(area) else [area.code]

    def unit_evidence(self, area: Area) -> tuple[Evidence, ...]:
        return tuple(
            Evidence("units", self.units[c].id, self.units[c].name)
            for c in self.unit_codes(area)
            if c in self.units
        )


def load_units(conn: Connection) -> dict[str, UnitRow]:
    rows = conn.execute(text("SELECT id, code, name FROM units ORDER BY code")).all()
    return {r.code: UnitRow(r.id, r.code, r.name) for r in rows}


PRESENCE_LAYERS = ("basic_farmland", "eco_redline", "urban_boundary", "farmland", "projects")


def load_present(conn: Connection) -> frozenset[str]:
    """The layers that hold data (one statement; table names are constants, not input)."""
    probes = ", ".join(f"EXISTS (SELECT 1 FROM {t}) AS {t}" for t in PRESENCE_LAYERS)
    row = conn.execute(text(f"SELECT {probes}")).one()
    return frozenset(t for t in PRESENCE_LAYERS if getattr(row, t))
