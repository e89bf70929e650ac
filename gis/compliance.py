"""Judging a bottom-line line (底线) against its measured figure.

Pure rules, no database: statuses, margins, the 预警 band, periods, the dam-safety appraisal
rule and the land-class groups the occupation checks use. ``layers.checks`` measures the
figures in PostGIS and hands them here.
"""

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from gis.errors import InvalidInputError

Status = Literal["pass", "warn", "fail", "review", "insufficient", "undetermined", "nodata"]
# Only pass/warn/fail are verdicts. The others say why there is none, or who must decide:
# review = a person must verify (e.g. permitted works inside the 生态保护红线);
# insufficient = data exist but too few for the method (e.g. samples below the period's rule);
# undetermined = outside what the data cover; nodata = nothing to judge from.
STATUS_LABELS: dict[str, str] = {
    "pass": "达标",
    "warn": "预警",
    "fail": "不达标",
    "review": "需核实",
    "insufficient": "数据不足",
    "undetermined": "无法判定",
    "nodata": "无数据",
}

LINE_LABELS: dict[str, str] = {
    "reservoirs_medium": "中型水库数量",
    "reservoirs_small": "小型水库数量",
    "reservoir_appraisal": "水库大坝安全鉴定",
    "section": "断面水质",
    "section_group": "断面优良率",
    "drinking_water": "集中式饮用水水源地水质",
    "farmland": "耕地保护红线",
    "basic_farmland": "永久基本农田",
    "eco_redline": "生态保护红线",
    "farmland_occupation": "永久基本农田占用",
    "eco_redline_occupation": "生态保护红线占用",
    "three_lines": "三线不交叉",
}

FARMLAND_CODES = ("0101", "0102", "0103")  # 耕地: 水田, 水浇地, 旱地 (三调)
# Construction land (建设用地) in the 三调 classification: 商服 05, 工矿仓储 06, 住宅 07,
# 公共管理与公共服务 08, 特殊 09, transport except 农村道路 (1006), 水工建筑 1109.
CONSTRUCTION_PREFIXES = ("05", "06", "07", "08", "09")
CONSTRUCTION_CODES = ("1001", "1002", "1003", "1004", "1005", "1007", "1008", "1009", "1109")
# Drinking-water source levels (水源地级别). The list's line counts 县级及以上 sources only.
SOURCE_LEVELS = ("地市级", "县级", "乡镇级")
COUNTY_AND_ABOVE = ("地市级", "县级")
# Project status (项目状态). 拟建 is a siting question for the overlap report only; approved,
# under-construction and built projects are real land use and count as occupation in the list.
PROJECT_STATUSES = ("拟建", "已批", "在建", "已建")
OCCUPYING_STATUSES = ("已批", "在建", "已建")
# Overlaps smaller than this are coordinate noise along shared edges, not occupation.
MIN_OVERLAP_M2 = 1.0


@dataclass(frozen=True)
class Evidence:
    """A feature behind a line's figure. ``id`` is the database row (for the map to find it);
    people are shown ``code`` (the bureau's own: SKBM, BSM, HXBH, section code), ``name`` and
    ``location`` (坐落), never the id."""

    layer: str
    id: int
    name: str | None = None
    area_m2: float | None = None
    code: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class LineResult:
    unit: str
    unit_code: str
    line: str
    status: Status
    target: float | str | None
    measured: float | str | None
    uom: str
    subject: str | None = None
    margin: float | None = None
    evidence: tuple[Evidence, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [asdict(e) for e in self.evidence]
        data["line_label"] = LINE_LABELS[self.line]
        data["status_label"] = STATUS_LABELS[self.status]
        return data


def judge_minimum(
    measured: float | None, target: float, warn_margin: float
) -> tuple[Status, float | None]:
    """A figure that must stay at or above ``target``: 预警 when met by less than the band."""
    if measured is None:
        return "nodata", None
    margin = measured - target
    if margin < 0:
        return "fail", margin
    if target > 0 and margin < warn_margin * target:
        return "warn", margin
    return "pass", margin


def judge_count(measured: int | None, target: int) -> tuple[Status, float | None]:
    """Reservoir counts must equal the list: fewer is a loss, more means the list is stale."""
    if measured is None:
        return "nodata", None
    margin = measured - target
    return ("pass" if margin == 0 else "fail" if margin < 0 else "warn"), margin


def judge_zero(measured: float) -> tuple[Status, float]:
    """Occupation and overlap lines: any area at all is 不达标."""
    return ("fail" if measured > 0 else "pass"), -measured


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def as_of(self) -> dt.date:
        return self.end

    @property
    def kind(self) -> Literal["year", "quarter", "month"]:
        """Which sample-count rule applies (评价办法 二(二)): the label's shape says it."""
        if "Q" in self.label:
            return "quarter"
        return "month" if "-" in self.label else "year"


def parse_period(text: str) -> Period:
    """``2025`` (a year), ``2025-Q2`` (a quarter) or ``2025-06`` (a month)."""
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})|-?[Qq]([1-4]))?\s*", text or "")
    if not match or not 1900 <= int(match[1]) <= 2100:
        raise InvalidInputError(
            f"无法识别的时段 '{text}' (bad period).",
            hint="请写成年份 2025、季度 2025-Q2 或年月 2025-06。",
        )
    year = int(match[1])
    if match[3] is not None:
        quarter = int(match[3])
        first, last = 3 * quarter - 2, 3 * quarter
        end = dt.date(year, last, calendar.monthrange(year, last)[1])
        return Period(f"{year}-Q{quarter}", dt.date(year, first, 1), end)
    if match[2] is None:
        return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
    month = int(match[2])
    if not 1 <= month <= 12:
        raise InvalidInputError(f"月份 {month} 不存在 (bad month).", hint="月份应为 1–12。")
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last))


def appraisal_due(
    completed_on: dt.date | None,
    last_appraisal_on: dt.date | None,
    first_years: int,
    interval_years: int,
) -> dt.date | None:
    """When the next dam-safety appraisal (大坝安全鉴定) is due.

    The first within ``first_years`` of completion, then at most every ``interval_years``
    (《水库大坝安全鉴定办法》: 5 and 10 years). None when neither date is known.
    """
    if last_appraisal_on is not None:
        return _add_years(last_appraisal_on, interval_years)
    if completed_on is not None:
        return _add_years(completed_on, first_years)
    return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
