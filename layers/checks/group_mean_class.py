"""group_mean_class: the mean concentration of each indicator over a group's sections,
classified as one section (gis/lines/group_mean_class.py; 评价办法: a river with fewer than five
sections). Every member needs a class of its own over the period (the sample-count rule), else
the line is 数据不足; members of different waterbody types cannot be averaged."""

from collections import defaultdict

from gis.compliance import STATUS_LABELS, LineResult
from gis.section_groups import MIN_GROUP_SIZE, group_state
from gis.water_quality import GRADE_LABELS, assess, grade_from_label
from layers.checks.context import CheckContext, Item
from layers.checks.water import evidence, group_members, periods


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [_result(ctx, area, spec) for area, spec in items]


def _result(ctx: CheckContext, area, spec) -> LineResult:
    rows = group_members(ctx, area, spec.members)
    judged = {r.code: periods(ctx)[r.code] for r in rows}
    lacking = [r for r in rows if judged[r.code].assessment is None]
    waterbodies = {r.waterbody for r in rows}
    target = grade_from_label(spec.target)
    detail = {
        "period": ctx.period.label,
        "members": [
            {"code": r.code, "name": r.name, "class": _label(judged[r.code])} for r in rows
        ],
        "rule": "各断面各指标浓度取算术平均后按单一断面评价（断面少于5个的河流）",
    }
    base = dict(uom="class", target=GRADE_LABELS[target], evidence=_evidence(rows))
    if not rows or len(waterbodies) > 1 or lacking:
        if not rows:
            status, reason = "nodata", f"{area.name} 没有符合条件的断面"
        elif len(waterbodies) > 1:
            status, reason = "nodata", "组内既有河流又有湖库断面，不能合并评价"
        else:
            status = (
                "insufficient"
                if any(judged[r.code].outcome == "insufficient" for r in lacking)
                else "nodata"
            )
            names = "、".join(r.name for r in lacking)
            reason = f"{STATUS_LABELS[status]}：{names} 在 {ctx.period.label} 没有可评价的类别"
        return ctx.result(
            area, spec, status=status, measured=None, detail={**detail, "reason": reason}, **base
        )
    sums, counts = defaultdict(float), defaultdict(int)
    for r in rows:
        for key, value in judged[r.code].assessment.values.items():
            sums[key] += value
            counts[key] += 1
    means = {k: sums[k] / counts[k] for k in sums}
    mean = assess(means, waterbodies.pop())
    if len(rows) >= MIN_GROUP_SIZE:
        detail["note"] = "断面不少于5个：评价办法按类别比例评价，水质状况见 group_state"
        detail["group_state"] = group_state([judged[r.code].grade for r in rows])
    return ctx.result(
        area,
        spec,
        status="pass" if mean.grade <= target else "fail",
        measured=mean.label,
        margin=target - mean.grade,
        detail={**detail, "assessment": mean.to_dict()},
        **base,
    )


def _label(period) -> str:
    return period.assessment.label if period.assessment else STATUS_LABELS[period.outcome]


def _evidence(rows) -> tuple:
    return tuple(e for r in rows for e in evidence(r))
