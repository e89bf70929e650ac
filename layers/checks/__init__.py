"""The bottom-line list evaluation (底线管控清单核查): measure in PostGIS, judge in ``gis``.

``evaluate`` runs a fixed, small number of set-based queries whatever the data size (one per
family of lines), then judges each line of the list for the district and each unit.
"""

from sqlalchemy import Connection, Engine, text

from gis.baseline import Baseline
from gis.compliance import LineResult, Period, parse_period
from gis.errors import NotFoundError
from gis.sampling import DRY, MIN_SAMPLES, NATIONAL, NORMAL, WATER_PERIODS, WET
from gis.water_quality import EVALUATED_KEYS
from layers.checks.context import CheckContext, Memo, load_present, load_units
from layers.checks.land import check_areas, check_occupation, check_three_lines
from layers.checks.reservoirs import check_reservoirs
from layers.checks.water import check_water
from layers.settings import Settings
from layers.sql import query

__all__ = ["Memo", "evaluate", "latest_period"]


def latest_period(engine_or_conn) -> Period | None:
    """The default period of a check: the latest year in which at least one section meets the
    annual sample-count rule (:mod:`gis.sampling`), so a lone January sample does not move the
    list to a year nobody can judge yet. When no year meets the rule, the year of the newest
    sample (its lines then say 数据不足 with their counts); None without any sample."""
    months = {p: [m for m, q in WATER_PERIODS.items() if q == p] for p in (WET, NORMAL, DRY)}
    row = engine_or_conn.execute(
        query("checks_latest_year"),
        {
            "evaluated": list(EVALUATED_KEYS),
            "national": NATIONAL,
            "min_samples": MIN_SAMPLES["year"],
            "wet": months[WET],
            "normal": months[NORMAL],
            "dry": months[DRY],
        },
    ).one()
    year = row.complete if row.complete is not None else row.newest
    return None if year is None else parse_period(str(year))


def evaluate(
    bind: Engine | Connection,
    baseline: Baseline,
    settings: Settings,
    unit: str | None = None,
    period: str | None = None,
    memo: Memo | None = None,
) -> list[LineResult]:
    """Every line of the list for the district and each unit (or one unit, by code or name).

    ``memo`` keeps the statements' rows for reuse (:meth:`CheckContext.fetch`): pass the same
    mapping only while the data stay the same.
    """
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return evaluate(conn, baseline, settings, unit, period, memo)
    area = baseline.unit(unit) if unit is not None else None  # unknown unit: clear error
    chosen = parse_period(period) if period else latest_period(bind)
    if chosen is None:
        chosen = parse_period(str(_today_year(bind)))
    units, present = load_units(bind), load_present(bind)
    ctx = CheckContext(bind, baseline, settings, chosen, units, present, memo)
    results = [
        *check_reservoirs(ctx),
        *check_water(ctx),
        *check_areas(ctx),
        *check_occupation(ctx),
        *check_three_lines(ctx),
    ]
    if area is not None:
        results = [r for r in results if r.unit_code == area.code]
        if not results:
            raise NotFoundError(f"片区 {unit} 没有可核查的底线")
    order = {a.code: i for i, a in enumerate([baseline.district, *baseline.units])}
    return sorted(results, key=lambda r: order.get(r.unit_code, 99))


def _today_year(conn) -> int:
    return conn.execute(text("SELECT extract(year FROM current_date)::int")).scalar_one()
