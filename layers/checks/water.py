"""水环境安全: each listed section's period class, the 优良率 of each control-level group,
and the county-level drinking-water sources.

A section line is 达标 when its class meets the section's own 水质目标 (sections.target_grade,
SZMB), the list's ``section_target_class`` standing in only for a section without one; 优良
(Ⅰ–Ⅲ) is reported beside it. A period whose samples fall below the evaluation method's rule
(:mod:`gis.sampling`) has no class: 数据不足 with the count, and a group line with such a member
cannot be 达标.
"""

from collections import defaultdict
from typing import Any

from gis.compliance import STATUS_LABELS, Evidence, LineResult
from gis.lines import Members, SectionRef
from gis.sampling import SectionPeriod, evaluate_section, verdict
from gis.section_groups import judge_rate
from gis.water_quality import GRADE_LABELS, grade_from_label
from layers.checks.context import CheckContext

#: A section without a 水质目标 of its own, on a line that gives none, is held to Ⅲ (优良).
DEFAULT_TARGET = 3


def sections(ctx: CheckContext) -> dict[str, Any]:
    """Every section by code, with the unit it lies in (one statement per evaluation)."""
    if "sections" not in ctx.shared:
        ctx.shared["sections"] = {r.code: r for r in ctx.fetch("checks_sections")}
    return ctx.shared["sections"]


def periods(ctx: CheckContext) -> dict[str, SectionPeriod]:
    """Every section's class over the evaluated period, or why it has none."""
    if "periods" not in ctx.shared:
        ctx.shared["periods"] = _evaluate_all(ctx, list(sections(ctx).values()))
    return ctx.shared["periods"]


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


def find_section(ctx: CheckContext, ref: SectionRef):
    """A listed section's row: by code, else by name (the fit check warned about it)."""
    rows = sections(ctx)
    if ref.code is not None and ref.code in rows:
        return rows[ref.code]
    return next((r for r in rows.values() if ref.name is not None and r.name == ref.name), None)


def group_members(ctx: CheckContext, area, members: Members) -> list:
    """The sections of a group: the listed ones when the line lists them, else those lying
    in the line's area; then every other condition (levels, rivers, waterbody) must hold."""
    if members.sections:
        rows = [r for r in (find_section(ctx, ref) for ref in members.sections) if r is not None]
    else:
        codes = set(ctx.unit_codes(area))
        rows = [r for r in sections(ctx).values() if r.unit_code in codes]
    return [
        r
        for r in rows
        if (not members.control_levels or r.control_level in members.control_levels)
        and (not members.rivers or r.river in members.rivers)
        and (members.waterbody is None or r.waterbody == members.waterbody)
    ]


def evidence(row) -> tuple[Evidence, ...]:
    return (Evidence("sections", row.id, row.name, code=row.code),)


def section_result(ctx: CheckContext, area, spec, listed: SectionRef) -> LineResult:
    """One listed section against its own 水质目标, or the class the line gives."""
    row = find_section(ctx, listed)
    list_target = grade_from_label(spec.target) if spec.target else None
    own = None if row is None or list_target else row.target_grade
    target = own or list_target or DEFAULT_TARGET
    base = dict(subject=listed.label, target=GRADE_LABELS[target], uom="class")
    suffix = listed.code or listed.name
    if row is None:
        return ctx.result(
            area,
            spec,
            suffix,
            **base,
            status="nodata",
            measured=None,
            detail={"reason": "数据库中没有该断面（请导入监测断面图层）"},
        )
    period = periods(ctx)[row.code]
    detail = {
        "code": row.code,
        "control_level": listed.control_level,
        "period": ctx.period.label,
        "as_of": ctx.period.as_of.isoformat(),
        **period.coverage.to_dict(),
        "target_basis": "断面水质目标（SZMB）"
        if own
        else "清单规定的类别"
        if list_target
        else "Ⅲ类（该断面未填水质目标）",
    }
    if period.assessment is None:
        status = "nodata" if period.outcome == "nodata" else "insufficient"
        reason = f"{ctx.period.label} {period.note}"
        if status == "insufficient":
            reason = f"{STATUS_LABELS[status]}：{reason}"
        return ctx.result(
            area,
            spec,
            suffix,
            **base,
            status=status,
            measured=None,
            evidence=evidence(row),
            detail={**detail, "reason": reason},
        )
    judged = verdict(period.assessment, own, list_target or DEFAULT_TARGET)
    return ctx.result(
        area,
        spec,
        suffix,
        **base,
        status="pass" if judged.meets_target else "fail",
        measured=period.assessment.label,
        margin=judged.target_grade - period.assessment.grade,
        evidence=evidence(row),
        detail={**detail, **judged.to_dict(), "assessment": period.assessment.to_dict()},
    )


def member(ctx: CheckContext, row) -> dict:
    """A group member as a group line lists it: its class, 优良 and 达标 (own target)."""
    period = periods(ctx)[row.code]
    judged = (
        None
        if period.assessment is None
        else verdict(period.assessment, row.target_grade, row.target_grade or DEFAULT_TARGET)
    )
    status = period.outcome if judged is None else ("pass" if judged.meets_target else "fail")
    return {
        "name": row.name,
        "code": row.code,
        "control_level": row.control_level,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "class": None if period.assessment is None else period.assessment.label,
        "good": None if judged is None else judged.good,
        "meets_target": None if judged is None else judged.meets_target,
        # A drinking-water source's Table 2 items over their limits: why it is not 优良.
        "drinking_exceeded": [] if judged is None else list(judged.drinking_exceeded),
        "sample_count": period.coverage.sample_count,
        "reason": period.note,
    }


RATE_COUNTS = {
    "优良率": "优良（Ⅰ–Ⅲ类）断面比例",
    "达标率": "达到各自水质目标的断面比例",
}


def rate_result(ctx: CheckContext, area, spec, rows, noun: str = "断面") -> LineResult:
    """优良率 or 达标率 of ``rows`` against the line's threshold; the other figure beside it."""
    members = [member(ctx, r) for r in rows]
    known = [m for m in members if m["class"] is not None]
    lacking = [m for m in members if m["class"] is None]
    good = sum(1 for m in known if m["good"])
    met = sum(1 for m in known if m["meets_target"])
    hits = good if spec.metric == "优良率" else met
    lacking_status = (
        "insufficient" if any(m["status"] == "insufficient" for m in lacking) else "nodata"
    )
    target = spec.target if not spec.by_reference else 0
    status, measured, margin, upper = judge_rate(
        hits, len(known), len(members), target, lacking_status
    )
    other = "达标率" if spec.metric == "优良率" else "优良率"
    other_hits = met if spec.metric == "优良率" else good
    detail = {
        "metric": spec.metric,
        "counts": RATE_COUNTS[spec.metric],
        "period": ctx.period.label,
        "sections": len(members),
        "assessed": len(known),
        "good": good,
        "meets_target": met,
        "other_metric": other,
        "other_rate": None if lacking or not members else round(100 * other_hits / len(members), 2),
        "members": members,
        "lacking": [m["name"] for m in lacking],
    }
    if upper:
        detail["reason"] = (
            f"{'、'.join(detail['lacking'])} 缺少可评价的数据；即使都计入，{spec.metric}最多 "
            f"{measured}%，仍低于目标 {target}%"
        )
    elif lacking:
        detail["reason"] = (
            f"{STATUS_LABELS[status]}：{'、'.join(detail['lacking'])} 在 {ctx.period.label} "
            f"没有可评价的类别，{spec.metric}无法计算"
        )
    elif not members:
        detail["reason"] = f"{area.name} 没有符合条件的{noun}"
    return ctx.result(
        area,
        spec,
        status=status,
        measured=measured,
        uom="%",
        margin=margin,
        evidence=tuple(e for r in rows for e in evidence(r)),
        detail=detail,
    )


def drinking_rows(ctx: CheckContext, area, spec) -> tuple[list, list]:
    """The drinking-water sources of the line's levels lying in its area, and the flagged
    sources in the area that the line does not count (other level or none recorded)."""
    codes = set(ctx.unit_codes(area))
    flagged = [r for r in sections(ctx).values() if r.drinking_source and r.unit_code in codes]
    counted = [r for r in flagged if r.drinking_source_level in spec.source_levels]
    return counted, [r for r in flagged if r not in counted]


def drinking_result(ctx: CheckContext, area, spec) -> LineResult:
    counted, others = drinking_rows(ctx, area, spec)
    result = rate_result(ctx, area, spec, counted, noun=spec.subject())
    result.detail["counts"] = (
        "水质优良（Ⅰ–Ⅲ类，且表2补充项目不超标）的水源地比例"
        if spec.metric == "优良率"
        else "达到水质目标（且表2补充项目不超标）的水源地比例"
    )
    result.detail["not_counted"] = [
        {"name": r.name, "code": r.code, "level": r.drinking_source_level or "未填写"}
        for r in others
    ]
    return result
