"""Whether a section's samples in a period are enough for a class, and the section's verdicts.

The sample-count rule of 《地表水环境质量评价办法（试行）》(环办〔2011〕22号) 二(二) 数据统计:

* month (and week, ten days): one sample may be used, several are averaged;
* quarter: the mean of at least two samples;
* year: 国控 sections are sampled monthly, so all twelve months; other sections at least
  three samples that cover the 丰, 平 and 枯 water periods.

Below the rule there is no class: the status is 数据不足 (``insufficient``) with the count.
A *sample* is a sampling date at the section on which at least one indicator that counts in
the class was measured (a date with only 水温 or 总氮 gives nothing to classify).

Water periods (水期) of Hubei: 枯水期 December–February, 平水期 March–April and
October–November, 丰水期 May–September. The method leaves the months to each basin; this split
is a project decision matching Hubei's flood season (汛期, May–September) and the dry winter
of the 涢水/府澴河 basin, to be confirmed with the district's monitoring station
(:data:`WATER_PERIODS` is the one place to change it).

达标 and 优良 are different questions (DOMAIN.md §6): 达标 = the class meets the section's
own 水质目标 (SZMB); 优良 = class Ⅰ–Ⅲ. A drinking-water source must also keep the GB 3838
Table 2 supplementary items within their limits to be either.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from gis.compliance import Period
from gis.water_quality import (
    EVALUATED_KEYS,
    GRADE_LABELS,
    INDICATORS,
    Assessment,
    assess_period,
    indicator_key,
)

GOOD = 3  # 优良 = class Ⅰ–Ⅲ
NATIONAL = "国控"
DRY, NORMAL, WET = "枯水期", "平水期", "丰水期"
WATER_PERIODS: Mapping[int, str] = MappingProxyType(
    {
        **dict.fromkeys((12, 1, 2), DRY),
        **dict.fromkeys((3, 4, 10, 11), NORMAL),
        **dict.fromkeys((5, 6, 7, 8, 9), WET),
    }
)
MIN_SAMPLES = {"month": 1, "quarter": 2, "year": 3}

Outcome = Literal["assessed", "insufficient", "nodata"]


def rule_text(kind: str, control_level: str | None) -> str:
    """The sample-count rule that applies, in Chinese, as the list line states it."""
    if kind == "month":
        return "月评价：至少1次监测"
    if kind == "quarter":
        return "季度评价：至少2次监测的均值"
    if control_level == NATIONAL:
        return "年度评价（国控断面）：每月监测，12个月均有数据"
    return "年度评价：至少3次监测，覆盖丰水期、平水期、枯水期"


@dataclass(frozen=True)
class Coverage:
    """How many samples a period has, which months and water periods they cover, and whether
    that meets the rule (``shortfall`` says what is missing, in Chinese)."""

    kind: str
    sample_count: int
    months: tuple[str, ...]  # "2025-03", sorted
    water_periods: tuple[str, ...]
    rule: str
    sufficient: bool
    shortfall: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period_kind": self.kind,
            "sample_count": self.sample_count,
            "months": list(self.months),
            "month_count": len(self.months),
            "water_periods": list(self.water_periods),
            "rule": self.rule,
            "sufficient": self.sufficient,
            "shortfall": self.shortfall,
        }


def coverage(
    period: Period, sample_dates: Iterable[dt.date], control_level: str | None
) -> Coverage:
    """Apply the sample-count rule to the dates of a section's samples in ``period``."""
    dates = sorted({d for d in sample_dates if period.start <= d <= period.end})
    months = tuple(sorted({f"{d.year}-{d.month:02d}" for d in dates}))
    seasons = tuple(p for p in (WET, NORMAL, DRY) if p in {WATER_PERIODS[d.month] for d in dates})
    kind = period.kind
    n = len(dates)
    shortfall = None
    if kind == "year" and control_level == NATIONAL:
        if len(months) < 12:
            shortfall = f"国控断面全年应逐月监测，仅有 {len(months)} 个月的数据"
    elif n < MIN_SAMPLES[kind]:
        shortfall = f"仅 {n} 次监测，不足 {MIN_SAMPLES[kind]} 次"
    elif kind == "year" and len(seasons) < 3:
        lacking = "、".join(p for p in (WET, NORMAL, DRY) if p not in seasons)
        shortfall = f"{n} 次监测未覆盖{lacking}"
    return Coverage(
        kind, n, months, seasons, rule_text(kind, control_level), shortfall is None, shortfall
    )


@dataclass(frozen=True)
class SectionPeriod:
    """A section over a period: its coverage and, when the rule is met, its assessment."""

    outcome: Outcome
    coverage: Coverage
    assessment: Assessment | None
    note: str | None = None

    @property
    def grade(self) -> int | None:
        return None if self.assessment is None else self.assessment.grade


def evaluate_section(
    samples: Iterable[tuple[dt.date, str, float | None, bool, float | None]],
    waterbody: str,
    control_level: str | None,
    period: Period,
    drinking_source: bool = False,
) -> SectionPeriod:
    """The section's class over ``period`` from its (date, indicator, value, below_dl, limit)
    samples, or why there is none: ``nodata`` (no samples) or ``insufficient`` (samples below
    the rule, or none of an indicator that counts in the class)."""
    rows = [s for s in samples if period.start <= s[0] <= period.end]
    evaluable = [s for s in rows if indicator_key(s[1]) in EVALUATED_KEYS]
    cover = coverage(period, (s[0] for s in evaluable), control_level)
    if not rows:
        return SectionPeriod("nodata", cover, None, "该时段没有监测数据")
    if not evaluable:
        note = "该时段的监测数据中没有参与评价的指标（只有水温、总氮等）"
        return SectionPeriod("insufficient", cover, None, note)
    if not cover.sufficient:
        return SectionPeriod("insufficient", cover, None, f"{cover.shortfall}（{cover.rule}）")
    return SectionPeriod("assessed", cover, assess_period(rows, waterbody, drinking_source))


@dataclass(frozen=True)
class Verdict:
    """达标 against the section's own target and 优良 (Ⅰ–Ⅲ), each with its reason."""

    target_grade: int
    target_source: str  # "section" (SZMB) or "list" (the list's class, the section has none)
    meets_target: bool
    good: bool
    drinking_exceeded: tuple[str, ...] = ()  # Table 2 items over their limit (names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_grade": self.target_grade,
            "target_label": GRADE_LABELS[self.target_grade],
            "target_source": self.target_source,
            "meets_target": self.meets_target,
            "meets_target_label": "达标" if self.meets_target else "不达标",
            "good": self.good,
            "good_label": "优良（Ⅰ–Ⅲ类）" if self.good else "非优良",
            "drinking_exceeded": list(self.drinking_exceeded),
        }


def verdict(assessment: Assessment, own_target: int | None, list_target: int) -> Verdict:
    """达标 against ``own_target`` (sections.target_grade), else the list's class; 优良 = Ⅰ–Ⅲ.

    At a drinking-water source a Table 2 item over its limit makes it neither."""
    target, source = (own_target, "section") if own_target else (list_target, "list")
    over = tuple(INDICATORS[k].name for k in assessment.drinking_exceeded)
    return Verdict(
        target,
        source,
        assessment.grade <= target and not over,
        assessment.grade <= GOOD and not over,
        over,
    )
