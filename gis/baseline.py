"""The bottom-line control list (底线管控清单) as data: schema, loading and validation.

A list is a YAML file (``data/baselines/<district>.yaml``): the district's lines and each
watershed unit's. Loading refuses a malformed file with a clear error and checks the list
for internal consistency, reporting every problem by name at once: unit figures that do not
add up to the district's, a section listed twice, an unknown control level.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gis.errors import BaselineError

CONTROL_LEVELS = ("国控", "省控", "市控", "县控")
SUM_TOLERANCE = 0.005  # 万亩 figures are given to 0.01: parts and total agree to half that
AREA_LINES = ("farmland_wanmu", "basic_farmland_wanmu", "eco_redline_wanmu")
COUNT_LINES = ("reservoirs_medium", "reservoirs_small")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListedSection(_Strict):
    name: str = Field(min_length=1)
    control_level: str


class Lines(_Strict):
    reservoirs_medium: int | None = Field(default=None, ge=0)
    reservoirs_small: int | None = Field(default=None, ge=0)
    sections: tuple[ListedSection, ...] = ()
    drinking_water_good_rate: float | None = Field(default=None, ge=0, le=100)
    farmland_wanmu: float | None = Field(default=None, ge=0)
    basic_farmland_wanmu: float | None = Field(default=None, ge=0)
    eco_redline_wanmu: float | None = Field(default=None, ge=0)


class Area(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    lines: Lines


class Discrepancy(_Strict):
    line: str
    annex: str
    main_text: str
    note: str


class Baseline(_Strict):
    name: str
    source: str
    section_target_class: str = "Ⅲ"
    good_rate_targets: dict[str, float]
    district: Area
    units: tuple[Area, ...] = Field(min_length=1)
    discrepancies: tuple[Discrepancy, ...] = ()

    def unit(self, code_or_name: str) -> Area:
        for area in (self.district, *self.units):
            if code_or_name in (area.code, area.name):
                return area
        known = ", ".join(f"{a.code} ({a.name})" for a in (self.district, *self.units))
        raise BaselineError(f"清单中没有片区 '{code_or_name}' (unknown unit). 可用：{known}")


def consistency_problems(baseline: Baseline) -> list[str]:
    """Every internal inconsistency of the list, each named in a sentence (Chinese)."""
    problems: list[str] = []
    for level in baseline.good_rate_targets:
        if level not in CONTROL_LEVELS:
            problems.append(
                f"优良率目标中的控制级别 '{level}' 未知（可用：{'、'.join(CONTROL_LEVELS)}）"
            )
    for area in (baseline.district, *baseline.units):
        seen: set[str] = set()
        for section in area.lines.sections:
            if section.control_level not in CONTROL_LEVELS:
                problems.append(
                    f"{area.name}：断面 '{section.name}' 的控制级别 '{section.control_level}' 未知"
                    f"（可用：{'、'.join(CONTROL_LEVELS)}）"
                )
            if section.control_level not in baseline.good_rate_targets:
                problems.append(
                    f"{area.name}：断面 '{section.name}' 的控制级别 '{section.control_level}' 没有优良率目标"
                )
            if section.name in seen:
                problems.append(f"{area.name}：断面 '{section.name}' 重复列出")
            seen.add(section.name)
    problems += _sum_problems(baseline)
    return problems


def _sum_problems(baseline: Baseline) -> list[str]:
    problems: list[str] = []
    district, units = baseline.district.lines, [u.lines for u in baseline.units]
    for line in (*COUNT_LINES, *AREA_LINES):
        total = getattr(district, line)
        parts = [getattr(u, line) for u in units]
        if total is None or any(p is None for p in parts):
            continue
        tolerance = 0 if line in COUNT_LINES else SUM_TOLERANCE
        if abs(sum(parts) - total) > tolerance + 1e-9:
            detail = " + ".join(f"{u.name} {getattr(u.lines, line)}" for u in baseline.units)
            problems.append(
                f"{line}：各片区之和 {detail} = {round(sum(parts), 4)}，与全区 {total} 不符"
            )
    district_sections = {(s.name, s.control_level) for s in district.sections}
    unit_sections = [(s.name, s.control_level) for u in units for s in u.sections]
    if district_sections and set(unit_sections) != district_sections:
        missing = sorted(n for n, _ in district_sections - set(unit_sections))
        extra = sorted(n for n, _ in set(unit_sections) - district_sections)
        if missing:
            problems.append(f"sections：全区断面 {'、'.join(missing)} 未列入任何片区")
        if extra:
            problems.append(
                f"sections：片区断面 {'、'.join(extra)} 不在全区清单中（或控制级别不同）"
            )
    names = [n for n, _ in unit_sections]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"sections：断面 '{dup}' 同时列在多个片区")
    return problems


def parse_baseline(data: Any, origin: str = "<data>") -> Baseline:
    """Validate parsed YAML; raise BaselineError naming every problem."""
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise BaselineError(
            f"底线清单 {origin} 格式错误 (malformed list): {details}",
            hint="请对照 data/baselines/zengdu.yaml 的结构修改。",
        ) from None
    problems = consistency_problems(baseline)
    if problems:
        raise BaselineError(
            f"底线清单 {origin} 不一致 (inconsistent list)：" + "；".join(problems),
            hint="请修正上述各项后重新加载。",
        )
    return baseline


def load_baseline(path: Path) -> Baseline:
    """Read and validate a list file; unchanged files are not parsed again (the API asks for
    the list on every request, and parsing plus validation costs ~6 ms)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise BaselineError(f"找不到底线清单文件 {path} (file not found).") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, size: int) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"找不到底线清单文件 {path} (file not found).") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BaselineError(f"底线清单 {path.name} 不是合法的 YAML (invalid YAML): {exc}") from None
    return parse_baseline(data, origin=path.name)
