"""Response models shared by the routers (they document the API in OpenAPI)."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class OverlapFeature(BaseModel):
    id: int = Field(description="数据库内部编号（仅供系统使用，报告以 code 标识要素）")
    name: str | None = Field(description="要素名称或地类名称")
    code: str | None = Field(
        default=None, description="要素编码：标识码 BSM、永久基本农田图斑编号、红线编码等"
    )
    location: str | None = Field(default=None, description="坐落（坐落单位名称）")
    area_m2: float
    area_mu: float
    net_area_m2: float | None = Field(
        default=None, description="扣除田坎等后的面积（m²）：重叠面积 × 图斑地类面积 ÷ 图斑椭球面积"
    )
    net_area_mu: float | None = None


class Coverage(BaseModel):
    """How much of the project the data can speak for (数据覆盖范围)."""

    covered_m2: float = Field(description="数据范围内的项目面积（m²）")
    covered_mu: float
    covered_share: float = Field(description="数据范围内占项目的比例（0–1）")
    uncovered_m2: float = Field(description="超出数据范围的项目面积（m²），该部分无法判定")
    uncovered_mu: float
    uncovered_share: float
    extent: Literal["full", "partial", "none"]


class LayerCoverage(Coverage):
    basis: Literal["district", "features"] = Field(
        description="覆盖范围的依据：district = 行政区界（全区划定的图层）；features = 图层自身要素（地类图斑）"
    )
    loaded: bool = Field(description="图层是否已导入（空图层不覆盖任何范围）")


class DistrictCoverage(Coverage):
    district_loaded: bool
    outside_geometry: dict[str, Any] | None = Field(
        default=None, description="行政区界之外的部分 GeoJSON（EPSG:4490）"
    )


class Finding(BaseModel):
    status: Literal["overlap", "clear", "partial", "undetermined"]
    label: str = Field(description="涉及 / 不涉及 / 无法判定（超出数据范围）…")


class OverlapLayer(BaseModel):
    layer: str = Field(description="图层键，如 eco_redline")
    name: str = Field(description="图层中文名")
    severity: Literal["prohibited", "restricted", "informational"]
    area_m2: float = Field(description="重叠面积（椭球面积，m²）")
    area_mu: float = Field(description="重叠面积（亩）")
    net_area_m2: float | None = Field(
        default=None,
        description="扣除田坎等后的面积（m²），仅对申报了净面积的图层（耕地：TBDLMJ），否则为空",
    )
    net_area_mu: float | None = Field(default=None, description="扣除田坎等后的面积（亩）")
    share: float = Field(description="占项目面积的比例（0–1）")
    feature_count: int
    features: list[OverlapFeature]
    geometry: dict[str, Any] | None = Field(description="重叠部分 GeoJSON 几何（EPSG:4490）")
    # reports saved before coverage was measured have neither
    coverage: LayerCoverage | None = None
    finding: Finding | None = None


class VerdictReason(BaseModel):
    layer: str
    severity: str
    text: str


class Verdict(BaseModel):
    status: Literal["conflict", "review", "clear", "undetermined"]
    label: str = Field(description="冲突 / 需审查 / 不涉及 / 无法判定")
    summary: str
    reasons: list[VerdictReason]


class OverlapInput(BaseModel):
    crs: str = Field(description="输入坐标系")
    gcj02: bool
    repaired: bool = Field(description="几何是否经过自动修复")
    notes: list[str]


class PlotLayer(BaseModel):
    layer: str
    name: str
    area_m2: float
    area_mu: float
    net_area_m2: float | None = None
    net_area_mu: float | None = None


class PlotVerdict(BaseModel):
    status: Literal["conflict", "review", "clear", "undetermined"]
    label: str


class PlotResult(BaseModel):
    """One plot (地块) of a multi-plot input, checked on its own."""

    name: str = Field(description="地块名称（DKMC、地块名称 …；无则 地块1、地块2 …）")
    area_m2: float
    area_mu: float
    layers: list[PlotLayer]
    verdict: PlotVerdict


class DataAsOf(BaseModel):
    layer: str
    name: str
    loaded_at: dt.datetime | None = Field(description="最近一次导入时间；空 = 未经导入程序导入")


class OverlapReport(BaseModel):
    id: int | None = Field(default=None, description="保存后的核查编号")
    project_name: str | None
    submitted_by: str | None = Field(default=None, description="核查人（令牌名称）")
    checked_at: dt.datetime | None = Field(default=None, description="核查时间（北京时间）")
    data_as_of: list[DataAsOf] = Field(
        default_factory=list, description="各图层数据的现势性（最近导入时间）"
    )
    project_status: str = Field(default="拟建", description="项目状态：核查的项目均为 拟建")
    project_status_note: str | None = None
    project_area_m2: float
    project_area_mu: float
    project_geometry: dict[str, Any] = Field(description="项目范围 GeoJSON（EPSG:4490，已修复）")
    coverage: DistrictCoverage | None = Field(
        default=None, description="项目在行政区界（数据范围）内外的面积与比例"
    )
    input: OverlapInput
    layers: list[OverlapLayer]
    verdict: Verdict
    plots: list[PlotResult] = Field(
        default_factory=list, description="多地块文件的分地块结果（单一范围时为空）"
    )


class ProjectSummary(BaseModel):
    id: int
    name: str
    status: str = Field(description="项目状态：保存的核查均为 拟建（不计入底线清单）")
    submitted_by: str | None
    submitted_at: dt.datetime
    verdict: str | None
    project_area_mu: float | None
