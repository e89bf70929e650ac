"""The bottom-line list evaluation (底线管控清单核查): measure in PostGIS, judge in ``gis``.

Each line type of ``gis/lines`` has its measuring module here, under the same name, with a
``measure(ctx, items)`` taking every line of that type in the list at once (so a fixed, small
number of set-based statements runs whatever the data size and the number of units).
``evaluate`` checks that the list fits the data, groups its lines by type, measures, and
returns the results in the list's own order.
"""

import importlib
from collections import defaultdict
from collections.abc import Callable
from functools import cache

from sqlalchemy import Connection, Engine, text

from gis.baseline import Baseline
from gis.compliance import LineResult, Period, parse_period
from gis.errors import NotFoundError
from gis.sampling import DRY, MIN_SAMPLES, NATIONAL, NORMAL, WATER_PERIODS, WET
from gis.water_quality import EVALUATED_KEYS
from layers.baseline_fit import require_fit
from layers.checks.context import CheckContext, Item, Memo, load_present, load_units
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
    require_fit(bind, baseline)
    ctx = CheckContext(bind, baseline, settings, chosen, units, present, memo)
    areas = [area] if area is not None else list(baseline.areas())
    by_type: dict[str, list[Item]] = defaultdict(list)
    position: dict[tuple[str, str], tuple[int, int]] = {}
    for i, a in enumerate(areas):
        for j, spec in enumerate(a.lines):
            by_type[spec.type].append((a, spec))
            position[(a.code, spec.key())] = (i, j)
    if area is not None and not by_type:
        raise NotFoundError(f"片区 {unit} 没有可核查的底线")
    results = [r for type_, items in by_type.items() for r in measurer(type_)(ctx, items)]
    return sorted(results, key=lambda r: position[(r.unit_code, r.line)])


@cache
def measurer(type_: str) -> Callable[[CheckContext, list[Item]], list[LineResult]]:
    """The ``measure`` of a line type: ``layers/checks/<type>.py``, found by its name."""
    return importlib.import_module(f"{__name__}.{type_}").measure


def _today_year(conn) -> int:
    return conn.execute(text("SELECT extract(year FROM current_date)::int")).scalar_one()
