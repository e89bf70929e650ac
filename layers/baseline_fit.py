"""Does a list fit the loaded data? Checked before any evaluation.

A list for another district run on this database would report this district's figures under
the other's name, so the district code, every unit code and every named section and
reservoir must exist in the loaded layers. A layer with no rows at all is not a misfit (its
lines are 无数据); a layer with rows that lack what the list names is. Sections and reservoirs
are matched by code; a name is a fallback, with a warning.
"""

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from gis.baseline import Baseline
from gis.errors import BaselineError
from layers.registry import SPATIAL_LAYERS

#: Layers a line may measure an area of (``layer`` of area_at_least): the polygon layers.
AREA_LAYERS = tuple(k for k, s in SPATIAL_LAYERS.items() if s.geometry_type == "MULTIPOLYGON")


@dataclass
class Fit:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _codes(conn: Connection, table: str) -> tuple[set[str], set[str]]:
    rows = conn.execute(text(f"SELECT code, name FROM {table}")).all()  # table: a constant
    return {r.code for r in rows}, {r.name for r in rows}


def check_fit(conn: Connection, baseline: Baseline) -> Fit:
    fit = Fit()
    district_codes, _ = _codes(conn, "district")
    if district_codes and baseline.district.code not in district_codes:
        fit.problems.append(
            f"全区编码 {baseline.district.code}（{baseline.district.name}）不在已导入的区界中"
            f"（已导入：{'、'.join(sorted(district_codes))}）"
        )
    unit_codes, _ = _codes(conn, "units")
    if unit_codes:
        for unit in baseline.units:
            if unit.code not in unit_codes:
                fit.problems.append(
                    f"片区编码 {unit.code}（{unit.name}）不在已导入的流域片区中"
                    f"（已导入：{'、'.join(sorted(unit_codes))}）"
                )
    fit.problems += _layer_problems(baseline)
    _named(fit, conn, "sections", "断面", _section_refs(baseline))
    _named(fit, conn, "reservoirs", "水库", _reservoir_refs(baseline))
    return fit


def _layer_problems(baseline: Baseline) -> list[str]:
    """A line naming a layer the platform does not have, or one without areas (lines,
    points): gis/lines cannot know the registry, so the list is checked against it here."""
    problems = []
    for area in baseline.areas():
        for n, line in enumerate(area.lines, 1):
            layer = getattr(line, "layer", None)
            if layer is not None and layer not in AREA_LAYERS:
                problems.append(
                    f"{area.name} 第{n}条底线（{line.title()}）：图层 '{layer}' 不是可计算面积的"
                    f"面图层（可用：{'、'.join(AREA_LAYERS)}）"
                )
    return problems


def _section_refs(baseline: Baseline) -> list[tuple[str | None, str | None]]:
    refs = []
    for area in baseline.areas():
        for line in area.lines:
            listed = getattr(line, "sections", None) or ()
            members = getattr(line, "members", None)
            listed = (*listed, *(members.sections if members else ()))
            refs += [(s.code, s.name) for s in listed]
    return refs


def _reservoir_refs(baseline: Baseline) -> list[tuple[str | None, str | None]]:
    return [
        (name, name)  # a reservoir is named by SKBM or name in one field
        for area in baseline.areas()
        for line in area.lines
        for name in getattr(line, "reservoirs", ())
    ]


def _named(fit: Fit, conn: Connection, table: str, noun: str, refs) -> None:
    if not refs:
        return
    codes, names = _codes(conn, table)
    if not codes:
        return
    missing, by_name = [], []
    for code, name in dict.fromkeys(refs):
        if code is not None and code in codes:
            continue
        if name is not None and name in names:
            if code is None or code != name:
                by_name.append(name)
            continue
        missing.append(code or name)
    if by_name and table == "sections":
        fit.warnings.append(f"{noun} {'、'.join(by_name)} 按名称匹配；建议在清单中写明编码（code）")
    if missing:
        fit.problems.append(f"{noun} {'、'.join(missing)} 不在已导入的数据中")


def require_fit(conn: Connection, baseline: Baseline) -> list[str]:
    """The fit's warnings; a BaselineError naming every misfit when the list does not fit."""
    fit = check_fit(conn, baseline)
    if fit.problems:
        raise BaselineError(
            f"底线清单「{baseline.name}」与已导入的数据不符 (list does not fit the data)："
            + "；".join(fit.problems),
            hint="请确认清单对应本数据库的区县，或先导入相应图层。",
        )
    return fit.warnings
