"""`/api/sections`: monitoring sections, their period assessment and indicator time series."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep
from api.params import SectionPeriodQuery
from api.responses import (
    DefaultPeriod,
    SectionAssessment,
    SectionCatchment,
    SectionListItem,
    SectionSeries,
)
from layers.catchments import section_catchment
from layers.monitoring import default_period, list_sections, section_assessment, section_series

router = APIRouter(prefix="/api/sections", tags=["sections"])

CodePath = Annotated[str, Path(max_length=32, description="断面编码", examples=["ZD-01"])]


@router.get(
    "",
    response_model=list[SectionListItem],
    response_model_exclude_unset=True,
    summary="监测断面列表（含最近一个月的水质类别）",
)
async def sections(engine: EngineDep, _: ReaderDep) -> list[dict]:
    """Every section: control level, waterbody, target class, position (EPSG:4490), its
    ``sample_count`` (sampling dates) and ``reading_count``, the span of its samples, and
    ``latest``: its latest month with an evaluated indicator, with class, ``status``
    (达标/不达标 against its own target, or 数据不足), ``good`` (优良) and the sample count."""
    return await run_in_threadpool(list_sections, engine)


@router.get(
    "/default-period",
    response_model=DefaultPeriod,
    summary="默认评价时段（满足年度样本数要求的最近一年）",
)
async def period(engine: EngineDep, _: ReaderDep) -> dict:
    """The period the checks and the map open on: the latest year in which at least one section
    meets the evaluation method's annual sample-count rule (``period`` null without samples)."""
    return await run_in_threadpool(default_period, engine)


@router.get(
    "/{code}/assessment",
    response_model=SectionAssessment,
    response_model_exclude_unset=True,
    summary="断面时段水质评价（类别、单项类别、超标倍数、主要污染物）",
)
async def assessment(
    code: CodePath,
    engine: EngineDep,
    _: ReaderDep,
    period: SectionPeriodQuery = None,
) -> dict:
    """GB 3838-2002 single-factor assessment of the period mean (the mean of monthly means):
    class, each indicator's class, exceedance multiples over class Ⅲ and the main pollutants;
    ``sample_count``, ``months`` and the sample-count ``rule`` of the period (评价办法 二(二)):
    below it ``status`` is ``insufficient`` (数据不足) and there is no class. ``meets_target``
    (达标) is against the section's own target class, ``good`` (优良) is class Ⅰ–Ⅲ."""
    return await run_in_threadpool(section_assessment, engine, code, period)


@router.get(
    "/{code}/series", response_model=SectionSeries, summary="断面单项指标时间序列（用于图表）"
)
async def series(
    code: CodePath,
    engine: EngineDep,
    _: ReaderDep,
    indicator: Annotated[
        str,
        Query(max_length=40, description="指标键或名称，如 nh3n、氨氮、TP", examples=["nh3n"]),
    ],
    start: Annotated[dt.date | None, Query(alias="from", description="起始日期（含）")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="结束日期（含）")] = None,
) -> dict:
    """Every sample of one indicator between ``from`` and ``to``, with its class and colour,
    plus the class limits and the target-class limit to draw as reference lines."""
    return await run_in_threadpool(section_series, engine, code, indicator, start, end)


@router.get(
    "/{code}/catchment",
    response_model=SectionCatchment,
    response_model_exclude_unset=True,
    summary="断面集水区溯源：上下游断面、集水面积、区内用地与水库、上游断面水质",
)
async def catchment(
    code: CodePath,
    engine: EngineDep,
    _: ReaderDep,
    period: SectionPeriodQuery = None,
) -> dict:
    """For the section popup: downstream and upstream sections (the tree, with each upstream
    section's verdict over the same period), catchment and incremental catchment areas (km²),
    the 耕地, 建设用地, 林地, 生态保护红线 and water-source zones in them with shares, the
    reservoirs; for a failing section the upstream sections that fail too and those that pass.
    Without a catchment ``available`` is false and ``reason`` says why."""
    return await run_in_threadpool(section_catchment, engine, code, period)
