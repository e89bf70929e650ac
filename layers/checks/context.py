"""What every check needs: the connection, the list, the settings, the period, the units."""

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, text

from gis.baseline import Area, Baseline
from gis.compliance import Evidence, LineResult, Period
from gis.lines import LineSpec
from layers.registry import PRESENCE_LAYERS
from layers.settings import Settings
from layers.sql import query, quote_identifier, template

#: Rows of already-run statements by (statement name, parameters), valid for one data version.
Memo = MutableMapping[tuple, list[Row]]
#: A line of the list and the area it is set for.
Item = tuple[Area, LineSpec]


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
    memo: Memo | None = None
    # Rows already fetched during this evaluation, when no longer-lived memo is given.
    _rows: dict = field(default_factory=dict, compare=False, repr=False)
    # Figures several line types share within this evaluation (e.g. the sections' periods).
    shared: dict = field(default_factory=dict, compare=False, repr=False)

    def result(self, area: Area, spec: LineSpec, suffix: str | None = None, **fields) -> LineResult:
        """A :class:`LineResult` of ``spec`` for ``area``: key, type and label from the list.
        A target given by reference keeps the measured figure but gets no verdict: the
        status is 待定（参照指标） and the target reads as the reference's text."""
        fields.setdefault("subject", spec.subject_text())
        fields.setdefault("target", getattr(spec, "target", None))
        if suffix is None:  # one result for the line: its target as the list states it
            fields.setdefault("target_statement", spec.target_text())
        if spec.by_reference:
            # Nothing measured: nothing to show against the reference either.
            status = "pending" if fields.get("measured") is not None else "nodata"
            fields |= {"status": status, "margin": None, "target": spec.target_text()}
            fields["detail"] = {**fields.get("detail", {}), "reference": spec.target.model_dump()}
        return LineResult(
            unit=area.name, unit_code=area.code, line=spec.key(), part=suffix, type=spec.type,
            label=spec.title(), **fields,
        )  # fmt: skip

    def fetch(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """The rows of statement ``name`` (layers/sql) with ``params``: from :attr:`memo` when
        the same statement already ran with the same parameters on the same data. The land
        statements (a couple of seconds at district scale) take no period, so a caller that
        keeps one memo per data version runs them once for every unit and period."""
        params = dict(params or {})
        key = (name, *sorted((k, _hashable(v)) for k, v in params.items()))
        memo = self.memo if self.memo is not None else self._rows
        if key not in memo:
            memo[key] = self.conn.execute(query(name), params).all()
        return memo[key]

    def fetch_template(self, name: str, **identifiers: str) -> list[Row]:
        """The rows of template ``name`` (layers/sql) with its ``{…}`` slots filled by
        identifiers from the registry (quoted; never user input), memoised like :meth:`fetch`."""
        key = (name, *sorted(identifiers.items()))
        memo = self.memo if self.memo is not None else self._rows
        if key not in memo:
            quoted = {k: quote_identifier(v) for k, v in identifiers.items()}
            memo[key] = self.conn.execute(text(template(name).format(**quoted))).all()
        return memo[key]

    def has(self, area: Area, *layers: str) -> bool:
        """Whether the area's unit and every named layer have data, i.e. a check can be made.
        The district is measured as the sum of the loaded units: with none, nothing is."""
        codes = self.unit_codes(area)
        return bool(codes) and all(c in self.units for c in codes) and set(layers) <= self.present

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
            Evidence("units", self.units[c].id, self.units[c].name, code=c)
            for c in self.unit_codes(area)
            if c in self.units
        )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def load_units(conn: Connection) -> dict[str, UnitRow]:
    rows = conn.execute(text("SELECT id, code, name FROM units ORDER BY code")).all()
    return {r.code: UnitRow(r.id, r.code, r.name) for r in rows}


def load_present(conn: Connection) -> frozenset[str]:
    """The layers that hold data (one statement; table names are constants, not input)."""
    probes = ", ".join(f"EXISTS (SELECT 1 FROM {t}) AS {t}" for t in PRESENCE_LAYERS)
    row = conn.execute(text(f"SELECT {probes}")).one()
    return frozenset(t for t in PRESENCE_LAYERS if getattr(row, t))
