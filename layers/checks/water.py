"""水环境安全: each listed section's period class, the 优良率 of each control-level group,
and the county-level drinking-water sources."""

from collections import defaultdict

from sqlalchemy import text

from gis.compliance import COUNTY_AND_ABOVE, Evidence, LineResult, judge_minimum
from gis.section_groups import good_rate
from gis.water_quality import GRADE_LABELS, Assessment, assess_period, grade_from_label
from layers.checks.context import CheckContext

GOOD = 3  # 优良 = class Ⅰ–Ⅲ


def check_water(ctx: CheckContext) -> list[LineResult]:
    sections = {
        r.name: r
        for r in ctx.conn.execute(
            text(
                "SELECT id, code, name, control_level, waterbody, target_grade, drinking_source,"
                " drinking_source_level FROM sections"
            )
        )
    }
    assessments = _assess_all(ctx, list(sections.values()))
    target_grade = grade_from_label(ctx.baseline.section_target_class)
    results: list[LineResult] = []
    for area in ctx.areas():
        graded: dict[str, list[int | None]] = defaultdict(list)
        for listed in area.lines.sections:
            row = sections.get(listed.name)
            result = _section_result(ctx, area, listed, row, assessments, target_grade)
            results.append(result)
            graded[listed.control_level].append(
                assessments[row.code].grade if row and row.code in assessments else None
            )
        for level, grades in graded.items():
            results.append(_group_result(ctx, area, level, grades))
        if area.lines.drinking_water_good_rate is not None:
            results.append(_drinking_result(ctx, area, sections, assessments))
    return results


def _assess_all(ctx: CheckContext, rows) -> dict[str, Assessment]:
    samples = ctx.fetch(
        "checks_samples",
        {"codes": [r.code for r in rows], "start": ctx.period.start, "end": ctx.period.end},
    )
    by_section = defaultdict(list)
    for s in samples:
        by_section[s.section_code].append((s.indicator, s.value, s.below_dl, s.detection_limit))
    waterbody = {r.code: r.waterbody for r in rows}
    return {code: assess_period(values, waterbody[code]) for code, values in by_section.items()}


def _section_result(ctx, area, listed, row, assessments, target_grade) -> LineResult:
    base = dict(
        unit=area.name,
        unit_code=area.code,
        line="section",
        subject=listed.name,
        target=GRADE_LABELS[target_grade],
        uom="class",
    )
    if row is None:
        return LineResult(
            **base,
            status="nodata",
            measured=None,
            detail={"reason": "数据库中没有该断面（请导入监测断面图层）"},
        )
    evidence = (Evidence("sections", row.id, row.name),)
    assessment = assessments.get(row.code)
    if assessment is None:
        return LineResult(
            **base,
            status="nodata",
            measured=None,
            evidence=evidence,
            detail={"reason": f"{ctx.period.label} 无监测数据"},
        )
    margin = target_grade - assessment.grade
    return LineResult(
        **base,
        status="pass" if margin >= 0 else "fail",
        measured=assessment.label,
        margin=margin,
        evidence=evidence,
        detail={
            "control_level": listed.control_level,
            "period": ctx.period.label,
            "assessment": assessment.to_dict(),
        },
    )


def _group_result(ctx, area, level, grades: list[int | None]) -> LineResult:
    target = ctx.baseline.good_rate_targets[level]
    known = [g for g in grades if g is not None]
    rate = good_rate(known)
    measured = None if rate is None else round(100 * rate, 2)
    status, margin = (
        judge_minimum(measured, target, 0) if len(known) == len(grades) else ("nodata", None)
    )
    return LineResult(
        unit=area.name,
        unit_code=area.code,
        line="section_group",
        subject=f"{level}断面",
        status=status,
        target=target,
        measured=measured,
        uom="%",
        margin=margin,
        detail={
            "sections": len(grades),
            "assessed": len(known),
            "good": sum(1 for g in known if g <= GOOD),
        },
    )


def _drinking_result(ctx, area, sections, assessments) -> LineResult:
    """县级及以上集中式饮用水水源地: township sources (乡镇级) are not part of this line, and a
    source whose level is not recorded cannot be counted either way (it is listed)."""
    flagged = [r for r in sections.values() if r.drinking_source]
    sources = [r for r in flagged if r.drinking_source_level in COUNTY_AND_ABOVE]
    grades = [assessments[r.code].grade for r in sources if r.code in assessments]
    rate = good_rate(grades)
    measured = None if rate is None or len(grades) < len(sources) else round(100 * rate, 2)
    status, margin = judge_minimum(measured, area.lines.drinking_water_good_rate, 0)
    return LineResult(
        unit=area.name,
        unit_code=area.code,
        line="drinking_water",
        subject="县级及以上集中式饮用水水源地",
        status=status,
        target=area.lines.drinking_water_good_rate,
        measured=measured,
        uom="%",
        margin=margin,
        evidence=tuple(Evidence("sections", r.id, r.name) for r in sources),
        detail={
            "sources": [
                {
                    "name": r.name,
                    "level": r.drinking_source_level,
                    "class": assessments[r.code].label if r.code in assessments else None,
                }
                for r in sources
            ],
            "not_counted": [
                {"name": r.name, "level": r.drinking_source_level or "未填写"}
                for r in flagged
                if r not in sources
            ],
        },
    )
