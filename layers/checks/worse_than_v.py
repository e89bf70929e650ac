"""worse_than_v: how many of a group's sections are 劣Ⅴ in the period
(gis/lines/worse_than_v.py). A member without a class could be 劣Ⅴ: while any lacks data the
line is 数据不足, unless the known 劣Ⅴ sections already exceed the limit."""

from gis.compliance import STATUS_LABELS, LineResult
from gis.water_quality import WORSE_THAN_V
from layers.checks.context import CheckContext, Item
from layers.checks.water import evidence, group_members, periods


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [_result(ctx, area, spec) for area, spec in items]


def _result(ctx: CheckContext, area, spec) -> LineResult:
    rows = group_members(ctx, area, spec.members)
    graded = {r.code: periods(ctx)[r.code] for r in rows}
    worst = [r for r in rows if graded[r.code].grade == WORSE_THAN_V]
    lacking = [r for r in rows if graded[r.code].grade is None]
    count = len(worst)
    if not rows:
        status = "nodata"
    elif count > spec.target:
        status = "fail"
    elif lacking:
        status = (
            "insufficient"
            if any(graded[r.code].outcome == "insufficient" for r in lacking)
            else "nodata"
        )
    else:
        status = "pass"
    detail = {
        "period": ctx.period.label,
        "sections": len(rows),
        "worse_than_v": [{"code": r.code, "name": r.name} for r in worst],
        "lacking": [r.name for r in lacking],
    }
    if lacking and status != "fail":
        detail["reason"] = (
            f"{STATUS_LABELS[status]}：{'、'.join(r.name for r in lacking)} 在 "
            f"{ctx.period.label} 没有可评价的类别"
        )
    return ctx.result(
        area,
        spec,
        status=status,
        measured=count if rows else None,
        uom="count",
        margin=None if not rows else spec.target - count,
        evidence=tuple(e for r in worst for e in evidence(r)),
        detail=detail,
    )
