"""Self-check of a generated dataset: exactly the planted problems, nothing else (自检).

Run on the figures measured from the written files (:mod:`etl.demo.report`); a generator
change that plants a problem too many or too few, or lets a met line drift into the 预警
band, fails here instead of in the checks' end-to-end tests.
"""

from typing import Any

import shapely

from etl.demo.build import SHORTFALLS, DemoData
from etl.demo.report import area_m2
from etl.demo.samples import FAILING_SECTION

WARN_BAND = 0.005  # the checks' default 预警 threshold
MAX_MARGIN = 0.02


class GenerationError(RuntimeError):
    """The generated dataset does not hold what the README promises."""


def verify(data: DemoData, figures: dict[str, Any]) -> None:
    problems = [
        *_tiling(data),
        *_reservoirs(data, figures),
        *_areas(data, figures),
        *_overlaps(figures),
        *_sections(data, figures),
    ]
    if problems:
        raise GenerationError(
            "示例数据自检失败（generated dataset check failed）：\n- " + "\n- ".join(problems)
        )


def _tiling(data: DemoData) -> list[str]:
    west, east = data.units.values()
    gap = area_m2(shapely.difference(data.outline, shapely.union(west, east)))
    overlap = area_m2(shapely.intersection(west, east))
    return (
        [f"units do not tile the district: gap {gap} m², overlap {overlap} m²"]
        if gap > 1 or overlap > 1
        else []
    )


def _reservoirs(data: DemoData, figures) -> list[str]:
    problems = []
    for unit in data.baseline.units:
        got = figures["reservoirs"]["counts"][unit.code]
        want = (
            unit.target("reservoir_count", scale="中型"),
            unit.target("reservoir_count", scale="小型"),
        )
        if (got["medium"], got["small"]) != want:
            problems.append(f"{unit.name} reservoirs {got} != {want}")
    if len(figures["reservoirs"]["overdue"]) != 1:
        problems.append(f"overdue reservoirs: {figures['reservoirs']['overdue']}")
    if figures["reservoirs"]["due"]:
        problems.append(f"reservoirs due for appraisal (预警): {figures['reservoirs']['due']}")
    return problems


def _areas(data: DemoData, figures) -> list[str]:
    problems = []
    for row in figures["units"]:
        unit = data.baseline.unit(row["code"])
        for key in ("farmland", "basic_farmland", "eco_redline"):
            target = unit.area_target_m2(key)
            margin = row[key]["m2"] / target - 1
            planted = (row["code"], key) in SHORTFALLS
            ok = margin < 0 if planted else WARN_BAND < margin < MAX_MARGIN
            if not ok:
                problems.append(f"{unit.name} {key}: margin {margin:+.4%}")
    return problems


# Which overlap lists must hold exactly one planted finding, and which must be empty.
_PLANTED = {
    "construction_on_basic_farmland": 1,
    "non_farmland_under_basic_farmland": 1,
    "urban_boundary_on_basic_farmland": 1,
}
_EMPTY = (
    "construction_in_eco_redline",
    "projects_in_water_source_zones",
    "urban_boundary_on_eco_redline",
    "basic_farmland_on_eco_redline",
)


def _overlaps(figures) -> list[str]:
    found = figures["overlaps"]
    problems = [f"{k}: {found[k]}" for k, n in _PLANTED.items() if len(found[k]) != n]
    problems += [f"{k} should be empty: {found[k]}" for k in _EMPTY if found[k]]
    for key in ("projects_on_basic_farmland", "projects_in_eco_redline"):
        projects = {row["XMMC"] for row in found[key]}
        if len(projects) != 1:
            problems.append(f"{key}: {projects}")
    return problems


def _sections(data: DemoData, figures) -> list[str]:
    problems = []
    for row in figures["sections"]:
        failing = row["name"] == FAILING_SECTION
        bad_years = [y for y, c in row["classes"].items() if c["class"] not in ("Ⅰ", "Ⅱ", "Ⅲ")]
        bad_months = {m["date"][:4] for m in row["months_worse_than_III"]}
        if failing:
            if (
                bad_years != ["2025"]
                or row["classes"]["2025"]["class"] != "Ⅳ"
                or bad_months != {"2025"}
            ):
                problems.append(f"{row['name']}: {row['classes']} {bad_months}")
        elif bad_years or bad_months:
            problems.append(f"{row['name']} is not clean: {bad_years} {bad_months}")
    units = {s.name: s.unit for s in data.sections}
    for unit in data.baseline.units:
        for listed in unit.listed_sections():
            if units.get(listed.name) != unit.code:
                problems.append(f"{listed.name} is not in {unit.name}")
    return problems
