"""The bottom-line control list (底线管控清单) as data: schema, loading and validation.

A list is a YAML file (``data/baselines/<name>.yaml``): the district, optional watershed
units (any number, or none), and for each of them a list of typed lines (``gis/lines/``).
Loading refuses a malformed file naming the exact line and field of each problem, once, and
checks the list for internal consistency: unit figures that do not add up to the district's,
a section listed twice, a section in two units.
"""

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError

from gis.area import AREA_UNITS
from gis.errors import BaselineError
from gis.lines import LINE_TYPES, LineSpec, Reference, SectionRef, line_union
from gis.lines.base import CONTROL_LEVELS, Strict

Line = line_union()
SUM_TOLERANCE = 0.5  # in units of the last decimal a list gives (0.005 万亩 for 60.77 万亩)


class Area(Strict):
    """The district or one watershed unit, with the lines the list sets for it."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    lines: tuple[Line, ...] = ()  # type: ignore[valid-type]

    def find(self, type_: str, **fields: Any) -> LineSpec | None:
        """The area's first line of ``type_`` whose fields equal ``fields`` (None if none)."""
        for line in self.lines:
            if line.type == type_ and all(getattr(line, k) == v for k, v in fields.items()):
                return line
        return None

    def target(self, type_: str, **fields: Any) -> Any:
        """The target of the area's first line of ``type_`` matching ``fields`` (None if none)."""
        line = self.find(type_, **fields)
        return None if line is None else line.target

    def area_target_m2(self, layer: str) -> float | None:
        """The area line's target on ``layer`` in m² (None: no such line, or by reference)."""
        line = self.find("area_at_least", layer=layer)
        if line is None or line.by_reference:
            return None
        return line.target * AREA_UNITS[line.unit]

    def listed_sections(self) -> list[SectionRef]:
        """Every section the area's section_class lines list."""
        return [s for line in self.lines if line.type == "section_class" for s in line.sections]


class Discrepancy(Strict):
    line: str
    annex: str
    main_text: str
    note: str


class Baseline(Strict):
    name: str = Field(min_length=1)
    source: str = ""
    district: Area
    units: tuple[Area, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    #: The map's initial view [lat, lon, zoom]; default: fitted to the district's data.
    map_center: tuple[float, float, int] | None = None

    def areas(self) -> tuple[Area, ...]:
        """The district, then each unit, in the list's order."""
        return (self.district, *self.units)

    def unit(self, code_or_name: str) -> Area:
        for area in self.areas():
            if code_or_name in (area.code, area.name):
                return area
        known = ", ".join(f"{a.code} ({a.name})" for a in self.areas())
        raise BaselineError(f"清单中没有片区 '{code_or_name}' (unknown unit). 可用：{known}")


def consistency_problems(baseline: Baseline) -> list[str]:
    """Every internal inconsistency of the list, each named in a sentence (Chinese)."""
    problems: list[str] = []
    for area in baseline.areas():
        keys: set[str] = set()
        for n, line in enumerate(area.lines, 1):
            if line.key() in keys:
                problems.append(
                    f"{area.name} 第{n}条底线：与前面的底线重复（{line.key()}），请给出不同的 id"
                )
            keys.add(line.key())
        names = [
            s.label for line in area.lines if line.type == "section_class" for s in line.sections
        ]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{area.name}：断面 '{dup}' 重复列出")
    if baseline.units:
        problems += _sum_problems(baseline)
        problems += _section_problems(baseline)
    return problems


def _summable(line: LineSpec) -> tuple | None:
    """Lines whose unit targets must add up to the district's: same type and subject."""
    if line.by_reference:
        return None
    if line.type == "reservoir_count" and line.compare == "exactly":
        return ("reservoir_count", line.scale)
    if line.type == "area_at_least":
        return ("area_at_least", line.layer, line.unit)
    return None


def _sum_problems(baseline: Baseline) -> list[str]:
    problems = []
    parts: dict[tuple, list[tuple[Area, LineSpec]]] = defaultdict(list)
    for unit in baseline.units:
        for line in unit.lines:
            if (key := _summable(line)) is not None:
                parts[key].append((unit, line))
    for line in baseline.district.lines:
        key = _summable(line)
        if key is None or len(parts.get(key, ())) != len(baseline.units):
            continue  # a figure not given for every unit cannot be summed
        total = sum(part.target for _, part in parts[key])
        tolerance = (
            0
            if key[0] == "reservoir_count"
            else SUM_TOLERANCE * _last_digit([line.target, *(p.target for _, p in parts[key])])
        )
        if abs(total - line.target) > tolerance + 1e-9:
            detail = " + ".join(f"{u.name} {p.target:g}" for u, p in parts[key])
            problems.append(
                f"{line.title()}：各片区之和 {detail} = {round(total, 6):g}，与全区 {line.target:g} 不符"
            )
    return problems


def _last_digit(values: list[float]) -> float:
    decimals = max(len(f"{v:g}".partition(".")[2]) for v in values)
    return 10.0**-decimals


def _section_problems(baseline: Baseline) -> list[str]:
    def listed(area: Area) -> set[str]:
        return {
            s.label for line in area.lines if line.type == "section_class" for s in line.sections
        }

    problems = []
    district = listed(baseline.district)
    in_units: dict[str, list[str]] = defaultdict(list)
    for unit in baseline.units:
        for name in listed(unit):
            in_units[name].append(unit.name)
    for name, units in sorted(in_units.items()):
        if len(units) > 1:
            problems.append(f"断面 '{name}' 同时列在多个片区（{'、'.join(units)}）")
    if district and in_units:
        if missing := sorted(district - set(in_units)):
            problems.append(f"全区断面 {'、'.join(missing)} 未列入任何片区")
        if extra := sorted(set(in_units) - district):
            problems.append(f"片区断面 {'、'.join(extra)} 不在全区清单中")
    return problems


def _where(loc: tuple, data: Any) -> str:
    """A validation error's location in the list's own terms: area, line number, field."""
    parts, i = [], 0
    if loc and loc[0] in ("district", "units"):
        if loc[0] == "district":
            area, i = _get(data, "district"), 1
            parts.append(f"全区（{_name(area)}）")
        elif len(loc) > 1 and isinstance(loc[1], int):
            area, i = _get(_get(data, "units"), loc[1]), 2
            parts.append(f"片区 {loc[1] + 1}（{_name(area)}）")
        else:
            area, i = None, 1
            parts.append("units")
        if len(loc) > i + 1 and loc[i] == "lines" and isinstance(loc[i + 1], int):
            line = _get(_get(area, "lines"), loc[i + 1])
            kind = line.get("type") if isinstance(line, dict) else None
            parts.append(f"第{loc[i + 1] + 1}条底线" + (f"（{kind}）" if kind else ""))
            i += 2
            if len(loc) > i and loc[i] in LINE_TYPES:
                i += 1  # the discriminator's own level: the type, already named
    rest = [f"[{p + 1}]" if isinstance(p, int) else str(p) for p in loc[i:]]
    if rest:
        parts.append("字段 " + ".".join(rest).replace(".[", "["))
    return " ".join(parts) or "清单"


def _get(node: Any, key: Any) -> Any:
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


def _name(area: Any) -> str:
    return str(_get(area, "name") or "?")


def _message(err: dict) -> str:
    if err["type"] == "union_tag_invalid":
        return f"未知的底线类型 '{err['input'].get('type')}'（可用：{'、'.join(LINE_TYPES)}）"
    if err["type"] == "union_tag_not_found":
        return f"缺少 type（底线类型，可用：{'、'.join(LINE_TYPES)}）"
    if err["type"] == "extra_forbidden":
        return "不认识的字段 (unknown field)"
    if err["type"] == "missing":
        return "缺少此项 (required)"
    if err["type"] == "literal_error":
        return f"取值 {err['input']!r} 不可用，应为 {err['ctx']['expected']}"
    if err["type"] in ("greater_than_equal", "less_than_equal"):
        bound = err["ctx"].get("ge", err["ctx"].get("le"))
        word = "不小于" if err["type"] == "greater_than_equal" else "不大于"
        return f"取值 {err['input']!r} 应{word} {bound}"
    if err["type"] in ("int_parsing", "int_from_float", "int_type"):
        return f"取值 {err['input']!r} 应为整数 (not an integer)"
    if err["type"] in ("float_parsing", "float_type"):
        return f"取值 {err['input']!r} 应为数字 (not a number)"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


_UNION_MEMBERS = {"int", "float", "str", "Reference", "SectionRef"}


def _is_member_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part in _UNION_MEMBERS or part.startswith(("constrained-", "function-"))
    )


def _errors(exc: ValidationError, data: Any) -> list[str]:
    """One message per place: a value tried against each member of a union (a number or a
    reference) fails once per member; the reference's complaint is only kept for a mapping."""
    seen: dict[str, str] = {}
    for err in exc.errors():
        tags = [p for p in err["loc"] if _is_member_tag(p)]
        if tags and ("Reference" in tags) != isinstance(err["input"], dict):
            continue
        if err["type"] == "too_short" and err["ctx"]["actual_length"] < len(err["input"]):
            continue  # its items' own errors say why they were dropped
        loc = tuple(p for p in err["loc"] if not _is_member_tag(p))
        seen.setdefault(_where(loc, data), _message(err))
    return [f"{where}：{message}" for where, message in seen.items()]


def parse_baseline(data: Any, origin: str = "<data>") -> Baseline:
    """Validate parsed YAML; raise BaselineError naming every problem once."""
    if not isinstance(data, dict):
        raise BaselineError(f"底线清单 {origin} 应为一个映射（mapping），含 name、district 等项。")
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        raise BaselineError(
            f"底线清单 {origin} 格式错误 (malformed list)：" + "；".join(_errors(exc, data)),
            hint="格式见 README「底线管控清单」一节与 data/baselines/zengdu.yaml。",
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
    the list on every request, and parsing plus validation costs a few ms)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise BaselineError(f"找不到底线清单文件 {path} (file not found).") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
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


__all__ = [
    "CONTROL_LEVELS",
    "Area",
    "Baseline",
    "Reference",
    "load_baseline",
    "parse_baseline",
]
