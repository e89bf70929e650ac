"""水环境安全: each listed section's period class, the 优良率 of each control-level group,
and the county-level drinking-water sources.

A section line is 达标 when its class meets the section's own 水质目标 (sections.target_grade,
SZMB), the list's ``section_target_class`` standing in only for a section without one; 优良
(Ⅰ–Ⅲ) is reported beside it. A period whose samples fall below the evaluation method's rule
(:mod:`gis.sampling`) has no class: 数据不足 with the count, and a group line with such a member
cannot be 达标.
"""

from collections import defaultdict

from sqlalchemy import text

from gis.compliance import COUNTY_AND_ABOVE, STATUS_LABELS, Evidence, LineResult
from gis.sampling import SectionPeriod, evaluate_section, verdict
from gis.section_groups import judge_rate
from gis.water_quality import GRADE_LABELS, grade_from_label
from layers.checks.context import CheckContext


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
    periods = _evaluate_all(ctx, list(sections.values()))
    list_target = grade_from_label(ctx.baseline.section_target_class)
    results: list[LineResult] = []
    for area in ctx.areas():
        members: dict[str, list[dict]] = defaultdict(list)
        for listed in area.lines.sections:
            row = sections.get(listed.name)
            result = _section_result(ctx, area, listed, row, periods, list_target)
            results.append(result)
            members[listed.control_level].append(_member(listed.name, row, result))
        for level, group in members.items():
            results.append(_group_result(ctx, area, level, group))
        if area.lines.drinking_water_good_rate is not None:
            results.append(_drinking_result(ctx, area, sections, periods))
    return results


def _evaluate_all(ctx: CheckContext, rows) -> dict[str, SectionPeriod]:
    samples = ctx.fetch(
        "checks_samples",
        {"codes": [r.code for r in rows], "start": ctx.period.start, "end": ctx.period.end},
    )
    by_section = defaultdict(list)
    for s in samples:
        by_section[s.section_code].append(
            (s.sampled_on, s.indicator, s.value, s.below_dl, s.detection_limit)
        )
    return {
        r.code: evaluate_section(
            by_section[r.code], r.waterbody, r.control_level, ctx.period, r.drinking_source
        )
        for r in rows
    }


def _evidence(row) -> tuple[Evidence, ...]:
    return (Evidence("sections", row.id, row.name, code=row.code),)


def _section_result(ctx, area, listed, row, periods, list_target) -> LineResult:
    own = row.target_grade if row is not None else None
    target = own or list_target
    base = dict(
        unit=area.name,
        unit_code=area.code,
        line="section",
        subject=listed.name,
        target=GRADE_LABELS[target],
        uom="class",
    )
    if row is None:
        return LineResult(
            **base,
            status="nodata",
            measured=None,
            detail={"reason": "数据库中没有该断面（请导入监测断面图层）"},
        )
    period = periods[row.code]
    detail = {
        "code": row.code,
        "control_level": listed.control_level,
        "period": ctx.period.label,
        "as_of": ctx.period.as_of.isoformat(),
        **period.coverage.to_dict(),
        "target_basis": "断面水质目标（SZMB）" if own else "清单统一目标（该断面未填水质目标）",
    }
    if period.assessment is None:
        status = "nodata" if period.outcome == "nodata" else "insufficient"
        reason = f"{ctx.period.label} {period.note}"
        if status == "insufficient":
            reason = f"{STATUS_LABELS[status]}：{reason}"
        return LineResult(
            **base,
            status=status,
            measured=None,
            evidence=_evidence(row),
            detail={**detail, "reason": reason},
        )
    judged = verdict(period.assessment, own, list_target)
    return LineResult(
        **base,
        status="pass" if judged.meets_target else "fail",
        measured=period.assessment.label,
        margin=judged.target_grade - period.assessment.grade,
        evidence=_evidence(row),
        detail={**detail, **judged.to_dict(), "assessment": period.assessment.to_dict()},
    )


def _member(name: str, row, result: LineResult) -> dict:
    """A group member as the group line lists it."""
    detail = result.detail
    return {
        "name": name,
        "code": row.code if row is not None else None,
        "status": result.status,
        "status_label": STATUS_LABELS[result.status],
        "class": result.measured,
        "good": detail.get("good"),
        "meets_target": detail.get("meets_target"),
        "sample_count": detail.get("sample_count"),
        "reason": detail.get("reason"),
    }


def _group_result(ctx, area, level, members: list[dict]) -> LineResult:
    """优良率 of the level's sections (Ⅰ–Ⅲ, whatever each section's own target); the 达标率
    against each section's own target is given beside it in the detail."""
    target = ctx.baseline.good_rate_targets[level]
    known = [m for m in members if m["class"] is not None]
    lacking = [m for m in members if m["class"] is None]
    good = sum(1 for m in known if m["good"])
    met = sum(1 for m in known if m["meets_target"])
    lacking_status = (
        "insufficient" if any(m["status"] == "insufficient" for m in lacking) else "nodata"
    )
    status, measured, margin, upper = judge_rate(
        good, len(known), len(members), target, lacking_status
    )
    detail = {
        "counts": "优良（Ⅰ–Ⅲ类）断面比例",
        "period": ctx.period.label,
        "sections": len(members),
        "assessed": len(known),
        "good": good,
        "meets_target": met,
        "target_rate": None if lacking else round(100 * met / len(members), 2),
        "target_rate_counts": "达到各自水质目标的断面比例（达标率）",
        "members": members,
        "lacking": [m["name"] for m in lacking],
    }
    if upper:
        detail["reason"] = (
            f"{'、'.join(detail['lacking'])} 缺少可评价的数据；即使按优良计，优良率最多 "
            f"{measured}%，仍低于目标 {target}%"
        )
    elif lacking:
        detail["reason"] = (
            f"{STATUS_LABELS[status]}：{'、'.join(detail['lacking'])} 在 {ctx.period.label} "
            "没有可评价的类别，优良率无法计算"
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
        detail=detail,
    )


def _drinking_result(ctx, area, sections, periods) -> LineResult:
    """县级及以上集中式饮用水水源地: township sources (乡镇级) are not part of this line, and a
    source whose level is not recorded cannot be counted either way (it is listed)."""
    flagged = [r for r in sections.values() if r.drinking_source]
    sources = [r for r in flagged if r.drinking_source_level in COUNTY_AND_ABOVE]
    graded = {r.code: periods[r.code].grade for r in sources}
    judged = {
        r.code: verdict(periods[r.code].assessment, r.target_grade, r.target_grade)
        for r in sources
        if periods[r.code].assessment is not None
    }
    known = [g for g in graded.values() if g is not None]
    good = sum(1 for j in judged.values() if j.good)
    lacking = [r for r in sources if graded[r.code] is None]
    lacking_status = (
        "insufficient"
        if any(periods[r.code].outcome == "insufficient" for r in lacking)
        else "nodata"
    )
    status, measured, margin, _ = judge_rate(
        good, len(known), len(sources), area.lines.drinking_water_good_rate, lacking_status
    )
    detail = {
        "counts": "水质优良（Ⅰ–Ⅲ类，且表2补充项目不超标）的水源地比例",
        "period": ctx.period.label,
        "sources": [
            {
                "name": r.name,
                "code": r.code,
                "level": r.drinking_source_level,
                "class": None if graded[r.code] is None else GRADE_LABELS[graded[r.code]],
                "status_label": None
                if graded[r.code] is not None
                else STATUS_LABELS[periods[r.code].outcome],
                "good": judged[r.code].good if r.code in judged else None,
                "drinking_exceeded": list(judged[r.code].drinking_exceeded)
                if r.code in judged
                else [],
                "sample_count": periods[r.code].coverage.sample_count,
                "reason": periods[r.code].note,
            }
            for r in sources
        ],
        "not_counted": [
            {"name": r.name, "level": r.drinking_source_level or "未填写"}
            for r in flagged
            if r not in sources
        ],
    }
    if lacking and status != "fail":
        detail["reason"] = (
            f"{STATUS_LABELS[status]}：{'、'.join(r.name for r in lacking)} 在 "
            f"{ctx.period.label} 没有可评价的类别"
        )
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
        evidence=tuple(e for r in sources for e in _evidence(r)),
        detail=detail,
    )
