"""Downloads the bureau files: the list evaluation and saved overlap reports (.xlsx, HTML).

Included before the overlap router, so ``/api/overlap/{id}.xlsx`` is matched here first.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import CallerDep, ReaderDep
from api.demo_label import demo_names, label_html, label_workbook
from api.deps import EngineDep, SettingsDep
from api.evaluations import run_checks
from api.params import XLSX, ListQuery, PeriodQuery, UnitQuery
from api.report_page import overlap_html
from api.saved_reports import get_report
from api.workbooks import checks_workbook, overlap_workbook

router = APIRouter(prefix="/api", tags=["exports"])

ProjectId = Annotated[int, Path(ge=1, le=2**31 - 1, description="项目编号")]


def _attachment(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@router.get(
    "/checks.xlsx",
    summary="下载底线核查表（Excel）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def checks_xlsx(
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    list_name: ListQuery = None,
) -> Response:
    """The evaluation of ``GET /api/checks`` as a workbook: one row per unit and line."""
    data = await run_in_threadpool(run_checks, engine, settings, unit, period, list_name)
    body = checks_workbook(data["baseline"], data["period"], data["results"])
    body = label_workbook(body, await run_in_threadpool(demo_names, engine, settings))
    return _attachment(body, f"checks-{data['period'] or 'latest'}.xlsx")


@router.get(
    "/overlap/{project_id}.xlsx",
    summary="下载项目压占分析表（Excel）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def overlap_xlsx(
    project_id: ProjectId, engine: EngineDep, settings: SettingsDep, caller: CallerDep
) -> Response:
    """A saved report as a workbook: summary per protected layer and the features touched
    (whoever may open the report: its owner, an admin)."""
    report = await run_in_threadpool(get_report, engine, caller, project_id)
    names = await run_in_threadpool(demo_names, engine, settings)
    return _attachment(
        label_workbook(overlap_workbook(report), names), f"overlap-{project_id}.xlsx"
    )


@router.get(
    "/overlap/{project_id}.html",
    summary="打印版项目压占分析报告（含示意图）",
    response_class=HTMLResponse,
)
async def overlap_page(
    project_id: ProjectId, engine: EngineDep, settings: SettingsDep, caller: CallerDep
) -> str:
    """A saved report as a printable page with an inline map (no external assets; whoever
    may open the report: its owner, an admin)."""
    report = await run_in_threadpool(get_report, engine, caller, project_id)
    return label_html(overlap_html(report), await run_in_threadpool(demo_names, engine, settings))
