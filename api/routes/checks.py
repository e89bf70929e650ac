"""`GET /api/checks`: the bottom-line list evaluated against the data (底线核查)."""

import logging
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.checks_cache import cached
from api.deps import EngineDep, SettingsDep
from gis.baseline import load_baseline
from gis.compliance import parse_period
from layers.checks import Memo, evaluate, latest_period
from layers.settings import Settings

router = APIRouter(prefix="/api", tags=["checks"])
log = logging.getLogger(__name__)

PERIOD_PATTERN = r"^\d{4}(-\d{1,2}|-[Qq][1-4])?$"
UnitQuery = Annotated[
    str | None,
    Query(max_length=100, description="片区编码或名称；缺省为全区及各片区", examples=["涢水片区"]),
]
PeriodQuery = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        description="时段：年份 2025、季度 2025-Q2 或年月 2025-06；缺省为有断面满足年度样本数要求的最近一年",
        examples=["2025"],
    ),
]


def warm_checks(engine, settings: Settings) -> None:
    """The district's evaluation for the default period, computed ahead into the cache (the
    statement rows it keeps serve every other unit and period too). A failure here is only
    logged: the next request computes afresh and reports it."""
    if not settings.warm_checks or settings.checks_cache_seconds <= 0:
        return
    try:
        run_checks(engine, settings, None, None)
    except Exception:
        log.exception("核查结果预热失败（checks warm-up failed）")


def run_checks(engine, settings: Settings, unit: str | None, period: str | None) -> dict[str, Any]:
    """The evaluation as the API and the workbook present it (cached: api.checks_cache)."""
    return cached(
        engine,
        settings,
        ("checks", unit, period),
        lambda memo: _evaluate(engine, settings, unit, period, memo),
    )


def _evaluate(
    engine, settings: Settings, unit: str | None, period: str | None, memo: Memo | None = None
) -> dict[str, Any]:
    baseline = load_baseline(settings.baseline_path)
    if period:
        chosen = parse_period(period)
    else:
        with engine.connect() as conn:
            chosen = latest_period(conn)
    label = chosen.label if chosen else None
    results = [r.to_dict() for r in evaluate(engine, baseline, settings, unit, label, memo)]
    return {
        "baseline": baseline.name,
        "source": baseline.source,
        "unit": unit,
        "period": chosen.label if chosen else None,
        "summary": dict(Counter(r["status"] for r in results)),
        "results": results,
    }


@router.get("/checks", summary="底线管控清单核查（各片区、各条底线的达标情况）")
async def checks(
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
) -> dict[str, Any]:
    """Each line of the list for the district and each unit: ``status`` (pass 达标 / warn 预警 /
    fail 不达标 / review 需核实 / insufficient 数据不足 / undetermined 无法判定 / nodata 无数据)
    with ``status_label``; ``target``, ``measured``, ``margin`` and ``uom`` as numbers, and
    ``target_text`` / ``measured_text`` / ``margin_text`` / ``uom_label`` rounded for people
    with Chinese units; the ``evidence`` the figure was measured from (``id`` for the map,
    ``code`` / ``name`` / ``location`` — the bureau's code and 坐落 — for people); and for land
    lines ``as_of`` (survey year and load date of each layer) with ``as_of_text``."""
    return await run_in_threadpool(run_checks, engine, settings, unit, period)
