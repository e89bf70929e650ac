"""Typed responses of the list endpoints (底线清单与核查)."""

import builtins
from typing import Any

from pydantic import BaseModel, Field


class EvidenceOut(BaseModel):
    layer: str
    id: int = Field(description="数据库行号：仅供地图定位，不向用户展示")
    name: str | None = None
    area_m2: float | None = None
    code: str | None = Field(None, description="业务编码（SKBM、BSM、HXBH、断面编码…）")
    location: str | None = Field(None, description="坐落")


class AsOfOut(BaseModel):
    layer: str
    label: str
    survey_year: str | None = None
    loaded_at: str | None = None


class LineOut(BaseModel):
    """One line of the list judged for one area."""

    unit: str
    unit_code: str
    line: str = Field(description="底线在其片区内的键（由清单决定）")
    part: str | None = Field(None, description="一条底线有多个结果时的分项（断面、非粮化…）")
    type: str = Field(description="底线类型（gis/lines）")
    label: str = ""
    line_label: str
    status: str
    status_label: str
    target: float | str | None = None
    measured: float | str | None = None
    margin: float | None = None
    uom: str
    uom_label: str
    target_text: str
    target_statement: str | None = Field(
        None, description="清单原文的目标（≥ 60.77 万亩、= 3 座…）"
    )
    measured_text: str
    margin_text: str
    subject: str | None = None
    evidence: list[EvidenceOut] = []
    as_of: list[AsOfOut] = []
    as_of_text: str | None = None
    detail: dict[str, Any] = {}


class AreaOut(BaseModel):
    code: str
    name: str


class ChecksOut(BaseModel):
    list: str = Field(description="清单名称（data/baselines/<name>.yaml）")
    baseline: str
    source: str
    district: AreaOut
    # builtins.list: the field ``list`` above shadows the name within this class body.
    units: builtins.list[AreaOut]
    unit: str | None
    period: str | None
    summary: dict[str, int]
    warnings: builtins.list[str] = Field(description="清单与数据的提示（如断面按名称匹配）")
    results: builtins.list[LineOut]
    stale: dict[str, Any] | None = Field(
        None, description="数据库暂时不可用时：返回的是上一次的核查结果，附计算时间与说明"
    )


class ListOut(BaseModel):
    name: str
    title: str | None = None
    district: AreaOut | None = None
    units: int | None = None
    lines: int | None = None
    in_force: bool
    valid: bool
    error: str | None = None


class ListAreaOut(BaseModel):
    """The district or a unit of a list, each line with its ``key``, ``title`` (label) and
    ``target_text`` beside the fields the list gives (``type``, subject, ``target``…)."""

    code: str
    name: str
    lines: list[dict[str, Any]]


class BaselineOut(BaseModel):
    name: str
    source: str
    district: ListAreaOut
    units: list[ListAreaOut]
    discrepancies: list[dict[str, str]]
    map_center: list[float] | None = None
