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

Status = Literal[
    "pass", "warn", "fail", "review", "insufficient", "undetermined", "pending", "nodata"
]
# Only pass/warn/fail are verdicts. The others say why there is none, or who must decide:
# review = a person must verify (e.g. permitted works inside the 生态保护红线);
# insufficient = data exist but too few for the method (e.g. samples below the period's rule);
# undetermined = outside what the data cover; pending = the target is given by reference
# (e.g. 省下达指标): the figure is measured and shown, the verdict left to whoever holds it;
# nodata = nothing to judge from.
STATUS_LABELS: dict[str, str] = {
    "pass": "达标",
    "warn": "预警",
    "fail": "不达标",
    "review": "需核实",
    "insufficient": "数据不足",
    "undetermined": "无法判定",
    "pending": "待定（参照指标）",
    "nodata": "无数据",
}

FARMLAND_CODES = ("0101", "0102", "0103")  # 耕地: 水田, 水浇地, 旱地 (三调)

# --- Land-class groups of the 三调 工作分类 (TD/T 1055-2019 附录A) for the occupation lines ---
# One place for every group; the SQL receives them as bound arrays, and
# :func:`basic_farmland_category` / :func:`redline_category` say the same in Python.
#
# 建设用地: 商服 05, 工矿仓储 06, 住宅 07, 公共管理与公共服务 08, 特殊 09, transport 10 except
# 农村道路 1006 (an agricultural road, 农用地), 水工建筑用地 1109 and 空闲地 1201 (unused land
# inside towns, villages and industrial sites: 建设用地 in the 三大类 correspondence).
CONSTRUCTION_PREFIXES = ("05", "06", "07", "08", "09")
CONSTRUCTION_CODES = (
    "1001", "1002", "1003", "1004", "1005", "1007", "1008", "1009", "1109", "1201",
)  # fmt: skip
# Under 永久基本农田 these are not occupation: 设施农用地 1202 (农用地, not 建设用地; 自然资规
# 〔2019〕4号 lets 种植设施 use it, 养殖设施 only where unavoidable and with 补划), and the
# farmland's own works: 田坎 1203, 农村道路 1006, 沟渠 1107. 可调整地类 (codes ending in K) are
# recognised by their suffix. Their areas are shown for information on the 非粮化 line.
BASIC_FARMLAND_PERMITTED = ("1202", "1203", "1006", "1107")
ADJUSTABLE_SUFFIX = "K"  # 可调整地类: 0201K, 0301K, 0403K, 1104K …
# 园地 02, 林地 03, 草地 04 and 坑塘水面 1104 on 永久基本农田: 非粮化 (166号: 永久基本农田不得
# 转为林地、草地、园地等其他农用地), reported on a line of its own, never as occupation.
NONFOOD_PREFIXES = ("02", "03", "04")
NONFOOD_CODES = ("1104",)
# Inside the 生态保护红线 (自然资发〔2022〕142号, its list of limited human activities):
# necessary, unavoidable linear infrastructure and existing lawful water and transport works
# are allowed under control, so such construction is 需核实, not 占用. Linear: 铁路 1001, 轨道交通 1002, 公路 1003, 城镇村道路
# 1004, 管道运输 1009; water works: 水工建筑 1109. Stations 1005, airports 1007 and ports 1008
# are not linear and count as occupation.
REDLINE_LINEAR_CODES = ("1001", "1002", "1003", "1004", "1009")
REDLINE_WATER_WORKS_CODES = ("1109",)

BasicFarmlandCategory = Literal[
    "farmland", "adjustable", "permitted", "construction", "nonfood", "other"
]
RedlineCategory = Literal["linear", "water_works", "construction"]
BASIC_FARMLAND_CATEGORY_LABELS = {
    "farmland": "耕地",
    "adjustable": "可调整地类",
    "permitted": "设施农用地及田坎、农村道路、沟渠",
    "construction": "建设用地（占用）",
    "nonfood": "园地、林地、草地、坑塘水面（非粮化）",
    "other": "其他地类（需核实）",
}
REDLINE_CATEGORY_LABELS = {
    "linear": "线性基础设施（需核实）",
    "water_works": "水工建筑（需核实）",
    "construction": "其他建设用地（占用）",
    "project": "已批、在建或已建项目（占用）",
}


def is_construction(dlbm: str) -> bool:
    return dlbm[:2] in CONSTRUCTION_PREFIXES or dlbm in CONSTRUCTION_CODES


def basic_farmland_category(dlbm: str) -> BasicFarmlandCategory:
    """What a parcel of class ``dlbm`` under 永久基本农田 is (same order as the SQL's CASE)."""
    if dlbm in FARMLAND_CODES:
        return "farmland"
    if dlbm.endswith(ADJUSTABLE_SUFFIX):
        return "adjustable"
    if dlbm in BASIC_FARMLAND_PERMITTED:
        return "permitted"
    if is_construction(dlbm):
        return "construction"
    if dlbm[:2] in NONFOOD_PREFIXES or dlbm in NONFOOD_CODES:
        return "nonfood"
    return "other"


def redline_category(dlbm: str) -> RedlineCategory | None:
    """What a parcel of class ``dlbm`` inside the 生态保护红线 is; None: not construction."""
    if dlbm in REDLINE_LINEAR_CODES:
        return "linear"
    if dlbm in REDLINE_WATER_WORKS_CODES:
        return "water_works"
    return "construction" if is_construction(dlbm) else None


def judge_occupation(occupied: float, permitted: float) -> tuple[Status, float]:
    """Occupation with permitted categories: 不达标 when anything else occupies, 需核实 when
    only permitted categories (e.g. linear works in the red line) do, 达标 when nothing."""
    if occupied > 0:
        return "fail", -occupied
    return ("review" if permitted > 0 else "pass"), -occupied


# Drinking-water source levels (水源地级别). The list's line counts 县级及以上 sources only.
SOURCE_LEVELS = ("地市级", "县级", "乡镇级")
COUNTY_AND_ABOVE = ("地市级", "县级")
# Project status (项目状态). 拟建 is a siting question for the overlap report only; approved,
# under-construction and built projects are real land use and count as occupation in the list.
PROJECT_STATUSES = ("拟建", "已批", "在建", "已建")
OCCUPYING_STATUSES = ("已批", "在建", "已建")
# Overlaps smaller than this are coordinate noise along shared edges, not occupation.
MIN_OVERLAP_M2 = 1.0


# --- As-of of the data behind a line ---


@dataclass(frozen=True)
class DataAsOf:
    """How current a layer's data are: the survey year the file states (SJNF/NF/GXSJ, if
    any) and when it was loaded into the platform (the ``loads`` record)."""

    layer: str
    label: str
    survey_year: str | None = None  # "2023", or "2021–2023" when the features differ
    loaded_at: str | None = None  # ISO date of the latest load

    def text(self) -> str:
        if not self.survey_year and not self.loaded_at:
            return f"{self.label}：数据年度、导入日期不详"
        year = f"{self.survey_year}年度数据" if self.survey_year else "数据年度不详"
        loaded = f"{self.loaded_at} 导入" if self.loaded_at else "导入日期不详"
        return f"{self.label}：{year}，{loaded}"


def as_of_text(as_of: tuple[DataAsOf, ...] | list[dict[str, Any]]) -> str:
    """One line for people: ``耕地（地类图斑）：2023年度数据，2026-12-05 导入；…``."""
    items = [a if isinstance(a, DataAsOf) else DataAsOf(**a) for a in as_of]
    return "；".join(a.text() for a in items)


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
    """One line of a list judged for one area. ``line`` is the line's key in its area and
    ``part`` which of its results this is when a line gives several (a section of a
    section_class line, the 非粮化 finding of an occupation line); ``type`` is its line type
    (gis/lines) and ``label`` what people read, from the list."""

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
    as_of: tuple[DataAsOf, ...] = ()  # land lines: survey year and load date of their layers
    type: str = ""
    label: str = ""
    part: str | None = None
    # The target as the list states it (≥ 60.77 万亩, = 3 座, ≤ 0 个, a reference's text);
    # None: the figure with its unit.
    target_statement: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [asdict(e) for e in self.evidence]
        data["as_of"] = [asdict(a) for a in self.as_of]
        data["as_of_text"] = as_of_text(self.as_of) if self.as_of else None
        data["line_label"] = self.label or self.line
        data["status_label"] = STATUS_LABELS[self.status]
        data["uom_label"] = uom_label(self.uom)
        data["target_text"] = self.target_statement or figure_text(self.target, self.uom)
        data["measured_text"] = figure_text(self.measured, self.uom)
        data["margin_text"] = (
            figure_text(self.margin, self.uom, signed=True)
            if self.uom != "class"
            else ("—" if self.margin is None else f"{int(self.margin):+d} 类")
        )
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
    """When the next dam-safety appraisal (大坝安全鉴定) is due at the latest.

    The first within ``first_years`` of completion, then at most every ``interval_years``
    (《水库大坝安全鉴定办法》 art. 5: 5 and 6–10 years). None when neither date is known.
    """
    if last_appraisal_on is not None:
        return _add_years(last_appraisal_on, interval_years)
    if completed_on is not None:
        return _add_years(completed_on, first_years)
    return None


@dataclass(frozen=True)
class AppraisalState:
    status: Status
    due: dt.date | None  # the latest date the next appraisal may take place
    reason: str


def appraisal_state(
    completed_on: dt.date | None,
    last_appraisal_on: dt.date | None,
    as_of: dt.date,
    first_years: int = 5,
    warn_years: int = 6,
    interval_years: int = 10,
) -> AppraisalState:
    """One reservoir's dam-safety appraisal state on ``as_of``.

    《水库大坝安全鉴定办法》(水建管〔2003〕271号) art. 5: the first appraisal within 5 years of
    竣工验收, then every 6–10 years. So: 不达标 more than ``interval_years`` after the last
    appraisal, or more than ``first_years`` after completion with none; 预警 once
    ``warn_years`` have passed since the last one (the next is due); 无数据 when neither date
    is known, or the only appraisal known is later than ``as_of`` (the state then is unknown).
    """
    if last_appraisal_on is not None and last_appraisal_on > as_of:
        return AppraisalState("nodata", None, "已知鉴定日期晚于评价时点")
    due = appraisal_due(completed_on, last_appraisal_on, first_years, interval_years)
    if due is None:
        return AppraisalState("nodata", None, "缺少建成日期和鉴定日期")
    if last_appraisal_on is None:
        if as_of > due:
            return AppraisalState("fail", due, f"竣工后{first_years}年内未首次鉴定")
        return AppraisalState("pass", due, "首次鉴定期限内")
    if as_of > due:
        return AppraisalState("fail", due, f"距上次鉴定已超过{interval_years}年")
    if as_of >= _add_years(last_appraisal_on, warn_years):
        return AppraisalState("warn", due, f"距上次鉴定已满{warn_years}年，应安排鉴定")
    return AppraisalState("pass", due, "鉴定周期内")


DAM_CLASSES = ("一类坝", "二类坝", "三类坝")
UNSAFE_DAM_CLASS = "三类坝"  # 病险水库: 除险加固 or downgrading required


# --- Presentation: units and rounding for people (one table each) ---

#: Display label of a line's unit of measure (``LineResult.uom``).
UOM_LABELS: dict[str, str] = {
    "座": "座",
    "count": "个",
    "class": "类",
    "%": "%",
    "万亩": "万亩",
    "亩": "亩",
    "公顷": "公顷",
    "万公顷": "万公顷",
    "km²": "km²",
}
#: Decimals shown to people per unit: 亩 to 0.01, 万亩 to 0.0001 (1 亩), shares to 0.01 %.
#: 公顷 to 0.01 (0.15 亩), 万公顷 to 0.000001 (1 公顷 ÷ 100), km² to 0.0001 (100 m²).
UOM_DIGITS: dict[str, int] = {
    "亩": 2,
    "万亩": 4,
    "公顷": 2,
    "万公顷": 6,
    "km²": 4,
    "%": 2,
    "座": 0,
    "count": 0,
}


def uom_label(uom: str) -> str:
    return UOM_LABELS.get(uom, uom)


def number_text(value: float | str | None, uom: str, signed: bool = False) -> str:
    """A figure rounded for its unit (亩 0.01, 万亩 0.0001, % 0.01), thousands separated,
    without the unit; ``—`` when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    digits = UOM_DIGITS.get(uom, 2)
    number = round(float(value), digits)
    number = 0.0 if number == 0 else number  # no "-0.00"
    return f"{number:{'+' if signed else ''},.{digits}f}"


def figure_text(value: float | str | None, uom: str, signed: bool = False) -> str:
    """A figure as people read it, with its unit in Chinese: ``12.35 亩``, ``60.9350 万亩``,
    ``Ⅳ类``, ``3 座``, ``66.67%``; ``—`` when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and uom != "class":
        return value  # a target given by reference: its own text, no unit to add
    text = number_text(value, uom, signed)
    label = uom_label(uom)
    return f"{text}{label}" if uom in ("%", "class") else f"{text} {label}"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
