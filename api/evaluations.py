"""The list evaluation as the API, the map and the workbook present it (核查服务).

One place for what ``GET /api/checks``, the checks workbook and the start-up warm-up share:
the list chosen by name (default: the one in force), the default period, the fit warnings,
and the cache (:mod:`api.checks_cache`).
"""

import logging
from collections import Counter
from typing import Any

from sqlalchemy import Engine

from api.checks_cache import cached
from gis.baseline import load_baseline
from gis.compliance import parse_period
from gis.errors import WatershedError
from layers.baseline_fit import check_fit
from layers.checks import Memo, evaluate, latest_period
from layers.settings import Settings

log = logging.getLogger(__name__)


def run_checks(
    engine: Engine,
    settings: Settings,
    unit: str | None,
    period: str | None,
    list_name: str | None = None,
) -> dict[str, Any]:
    """The evaluation of list ``list_name`` (cached per list file, data version and query)."""
    path = settings.list_path(list_name or settings.baseline)
    load_baseline(path)  # a missing or malformed list: its own error, before the cache stats it
    return cached(
        engine,
        settings,
        ("checks", unit, period),
        lambda memo: _evaluate(engine, settings, path, unit, period, memo),
        list_path=path,
    )


def _evaluate(engine, settings, path, unit, period, memo: Memo | None) -> dict[str, Any]:
    baseline = load_baseline(path)
    with engine.connect() as conn:
        chosen = parse_period(period) if period else latest_period(conn)
        warnings = check_fit(conn, baseline).warnings
        label = chosen.label if chosen else None
        results = [r.to_dict() for r in evaluate(conn, baseline, settings, unit, label, memo)]
    return {
        "list": path.stem,
        "baseline": baseline.name,
        "source": baseline.source,
        "district": {"code": baseline.district.code, "name": baseline.district.name},
        "units": [{"code": u.code, "name": u.name} for u in baseline.units],
        "unit": unit,
        "period": label,
        "summary": dict(Counter(r["status"] for r in results)),
        "warnings": warnings,
        "results": results,
    }


def warm_checks(engine: Engine, settings: Settings) -> None:
    """The district's evaluation for the default period, computed ahead into the cache (the
    statement rows it keeps serve every other unit, period and list). A failure is only
    logged: the next request computes afresh and reports it."""
    if not settings.warm_checks or settings.checks_cache_seconds <= 0:
        return
    try:
        run_checks(engine, settings, None, None)
    except Exception:
        log.exception("核查结果预热失败（checks warm-up failed）")


def validate_lists(settings: Settings) -> list[str]:
    """Every list in data/baselines/ checked at start-up: the list in force must be valid (a
    BaselineError stops the start with its message); the others' problems are logged and
    returned, one line each."""
    load_baseline(settings.baseline_path)
    problems = []
    for name in settings.list_names():
        try:
            load_baseline(settings.list_path(name))
        except WatershedError as exc:
            problems.append(f"{name}: {exc.message}")
            log.warning("底线清单 %s 无效（invalid list）：%s", name, exc.message)
    return problems
