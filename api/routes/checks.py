"""`GET /api/checks`: a bottom-line list evaluated against the data (底线核查)."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.check_schemas import ChecksOut
from api.deps import EngineDep, SettingsDep
from api.evaluations import run_checks
from api.params import ListQuery, PeriodQuery, UnitQuery

router = APIRouter(prefix="/api", tags=["checks"])


@router.get(
    "/checks",
    response_model=ChecksOut,
    response_model_exclude_unset=True,  # ``stale`` only when it is
    summary="底线管控清单核查（各片区、各条底线的达标情况）",
)
async def checks(
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    list_name: ListQuery = None,
) -> ChecksOut:
    """Each line of the list for the district and each unit, in the list's order, with the
    list's labels: ``status`` (pass 达标 / warn 预警 / fail 不达标 / review 需核实 /
    insufficient 数据不足 / undetermined 无法判定 / pending 待定（参照指标） / nodata 无数据)
    with ``status_label``; ``target``, ``measured``, ``margin`` and ``uom`` as numbers, and
    ``target_text`` / ``measured_text`` / ``margin_text`` / ``uom_label`` rounded for people
    with Chinese units; the ``evidence`` the figure was measured from (``id`` for the map,
    ``code`` / ``name`` / ``location`` — the bureau's code and 坐落 — for people); and for land
    lines ``as_of`` (survey year and load date of each layer) with ``as_of_text``. A list
    whose codes are not in the loaded data is refused (422) naming what is missing."""
    return await run_in_threadpool(run_checks, engine, settings, unit, period, list_name)
