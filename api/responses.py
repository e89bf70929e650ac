"""Response models of the read routes (sections, reservoirs, ingest): what the API returns,
typed and documented in OpenAPI. The services build plain dicts (layers/monitoring.py,
api/services/); the routes declare these as ``response_model`` with ``exclude_unset``, so a
key a service leaves out (``note`` when there is a class) stays out of the JSON as before.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["pass", "warn", "fail", "review", "insufficient", "undetermined", "nodata"]


# --- sections (监测断面) -------------------------------------------------------------------


class SectionInfo(BaseModel):
    code: str = Field(description="断面编码")
    name: str = Field(description="断面名称")
    control_level: str = Field(description="控制级别：国控/省控/市控/县控")
    waterbody: Literal["river", "lake"]
    waterbody_name: str = Field(description="水体类型：河流 / 湖库")
    target_grade: int = Field(ge=1, le=5, description="水质目标类别 1–5（Ⅰ–Ⅴ）")
    target_label: str
    river: str | None = None
    reservoir_code: str | None = Field(default=None, description="所在水库编码（湖库断面）")
    drinking_source: bool
    drinking_source_level: str | None = None
    lon: float = Field(description="经度（CGCS2000 EPSG:4490）")
    lat: float = Field(description="纬度（CGCS2000 EPSG:4490）")


class LatestMonth(BaseModel):
    """A section's latest month with samples, as the map colours it."""

    period: str = Field(examples=["2025-06"])
    status: Status
    status_label: str
    sample_count: int
    months: list[str]
    grade: int | None = Field(description="水质类别 1–6（6 = 劣Ⅴ）；数据不足时为空")
    note: str | None = None
    label: str | None = None
    colour: str | None = None
    state: str | None = None
    meets_target: bool | None = None
    good: bool | None = None
    main_pollutants: list[str] | None = None


class SectionListItem(SectionInfo):
    sample_count: int = Field(description="采样日期数")
    reading_count: int = Field(description="监测值条数")
    first_sampled_on: dt.date | None
    last_sampled_on: dt.date | None
    latest: LatestMonth | None


class DefaultPeriod(BaseModel):
    period: str | None = Field(description="默认评价年份；没有样本时为空", examples=["2025"])
    rule: str


class PeriodSpan(BaseModel):
    label: str
    start: dt.date
    end: dt.date


class Exceedance(BaseModel):
    key: str
    name: str
    value: float
    grade: int
    label: str
    exceedance: float | None = Field(description="超Ⅲ类标准倍数")


class SectionAssessment(BaseModel):
    section: SectionInfo
    period: PeriodSpan | None
    reading_count: int
    sampled_on: list[dt.date]
    sample_count: int
    status: Status
    status_label: str
    assessment: dict[str, Any] | None = Field(
        description="GB 3838-2002 单因子评价：类别、各指标类别与均值、主要污染物；数据不足时为空"
    )
    note: str | None = None
    # The sample-count rule of the period (评价办法 二(二)), when there is a period.
    period_kind: str | None = None
    months: list[str] | None = None
    month_count: int | None = None
    water_periods: list[str] | None = None
    rule: str | None = None
    sufficient: bool | None = None
    shortfall: str | None = None
    # The verdict against the section's own target, when there is a class.
    target_grade: int | None = None
    target_label: str | None = None
    target_source: str | None = None
    meets_target: bool | None = None
    meets_target_label: str | None = None
    good: bool | None = None
    good_label: str | None = None
    drinking_exceeded: list[str] | None = None
    exceedances: list[Exceedance] | None = None


class SeriesIndicator(BaseModel):
    key: str
    name: str
    unit: str
    bound: str = Field(description="限值方向：≤、≥ 或 范围")
    class_limits: list[Any] = Field(description="Ⅰ–Ⅴ类标准限值")
    target_limit: float | None = Field(description="断面水质目标类别的限值")


class SeriesPoint(BaseModel):
    date: dt.date
    value: float | None
    below_detection_limit: bool
    detection_limit: float | None
    grade: int | None
    label: str | None
    colour: str | None


class SectionSeries(BaseModel):
    section: SectionInfo
    indicator: SeriesIndicator
    points: list[SeriesPoint]


# --- reservoirs (水库) ----------------------------------------------------------------------


class ReservoirRef(BaseModel):
    code: str = Field(description="水库编码 SKBM")
    name: str
    bloom_risk: bool | None = None


class MissingParameter(BaseModel):
    key: str
    name: str


class TrophicParameter(BaseModel):
    key: str
    name: str
    unit: str
    partial: float = Field(description="单项营养状态指数 TLI(j)")
    weight: float = Field(description="权重（按已测参数归一）")


class ReservoirTrophic(BaseModel):
    reservoir: ReservoirRef
    period: str | None
    sections: list[str] = Field(description="参与计算的湖库断面编码")
    index: float | None = Field(description="综合营养状态指数 TLI(Σ)；无数据时为空")
    grade: str | None = Field(description="贫营养 … 重度富营养")
    eutrophic: bool | None
    parameters: list[TrophicParameter]
    note: str | None = None
    means: dict[str, float | None] | None = None
    complete: bool | None = None
    flag: str | None = None
    missing: list[MissingParameter] | None = None


# --- ingest (数据导入) ----------------------------------------------------------------------


class LoadReport(BaseModel):
    """The loader's report (导入报告), as ``watershed load --json`` prints it."""

    layer: str
    layer_name: str
    source: str = Field(description="来源文件名：同名文件再次导入会替换其数据")
    sha256: str
    read: int
    loaded: int
    repaired: int
    dropped: int
    replaced: int
    crs: int | None = Field(description="检测到的输入坐标系 EPSG（入库统一为 4490）")
    crs_reason: str | None
    encoding: str | None
    encoding_reason: str | None
    area_m2: float | None
    area_mu: float | None
    warnings: list[str]
    load_id: int | None
    seconds: float | None
    previous_load: dict[str, Any] | None = Field(
        None, description="本次替换的上一次导入（同一来源文件）：编号、时间、操作人、要素数"
    )
    same_file: bool = Field(False, description="与上一次导入的文件逐字节相同")
    notes: list[str] = Field(default_factory=list, description="说明（替换了哪次导入等）")


class LoadRecord(BaseModel):
    id: int
    layer: str
    layer_name: str
    source: str
    sha256: str
    loaded_at: dt.datetime
    actor: str | None
    report: dict[str, Any] | None


# --- catchments (集水区溯源) ----------------------------------------------------------------


class SectionRef(BaseModel):
    code: str = Field(description="断面编码")
    name: str = Field(description="断面名称")


class SectionVerdict(SectionRef):
    """A section's verdict over the period asked."""

    status: Status
    status_label: str
    grade_label: str | None = Field(description="水质类别（Ⅰ–劣Ⅴ），无评价时为空")


class UpstreamVerdict(SectionVerdict):
    direct: bool = Field(description="是否为紧邻的上游断面（其下游断面即本断面）")


class LandShare(BaseModel):
    m2: float = Field(description="面积（m²，椭球面）")
    mu: float = Field(description="面积（亩）")
    share: float | None = Field(description="占该范围面积的比例（0–1）")


class CatchmentPart(BaseModel):
    """What lies in the catchment, or in the incremental catchment."""

    area_m2: float
    reservoir_codes: list[str] = Field(description="区内水库编码")
    farmland: LandShare = Field(description="耕地（0101–0103）")
    construction: LandShare = Field(description="建设用地")
    forest: LandShare = Field(description="林地（03）")
    eco_redline: LandShare = Field(description="生态保护红线")
    water_source: LandShare = Field(description="饮用水水源保护区")


class CatchmentAttribution(BaseModel):
    code: str
    downstream_code: str | None
    upstream_codes: list[str]
    catchment: CatchmentPart
    incremental: CatchmentPart


class SectionCatchment(BaseModel):
    """The section popup's 汇水区溯源. ``available`` false: ``reason`` says why there is no
    catchment, and only the tree known so far is given."""

    code: str
    name: str
    available: bool
    reason: str | None = Field(default=None, description="无汇水区时的原因")
    downstream: SectionRef | None = None
    catchment_km2: float | None = None
    incremental_km2: float | None = None
    snap_distance_m: float | None = None
    period: str | None = Field(default=None, description="评价时段")
    section: SectionVerdict | None = Field(default=None, description="本断面该时段的评价")
    upstream: list[UpstreamVerdict] | None = Field(default=None, description="上游断面，近者在前")
    upstream_failing: list[str] | None = Field(default=None, description="不达标时：上游同样不达标")
    upstream_passing: list[str] | None = Field(default=None, description="不达标时：上游达标")
    upstream_unknown: list[str] | None = Field(
        default=None, description="不达标时：上游无法判定（数据不足/无数据）"
    )
    attribution: CatchmentAttribution | None = None
