"""reservoir_capacity: the total capacity of each area's reservoirs of the line's scales
(gis/lines/reservoir_capacity.py), from one statement for every line."""

from collections import defaultdict

from gis.compliance import Evidence, LineResult, judge_minimum
from layers.checks.context import CheckContext, Item


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    by_unit = defaultdict(list)
    for row in ctx.fetch("checks_reservoir_capacity"):
        by_unit[row.unit_code].append(row)
    return [_result(ctx, area, spec, by_unit) for area, spec in items]


def _result(ctx: CheckContext, area, spec, by_unit) -> LineResult:
    rows = [r for c in ctx.unit_codes(area) for r in by_unit.get(c, []) if r.scale in spec.scales]
    unknown = [r for r in rows if r.capacity_10k_m3 is None]
    evidence = tuple(Evidence("reservoirs", r.id, r.name, code=r.code) for r in rows)
    detail = {"reservoirs": len(rows), "capacity_unknown": [r.code or r.name for r in unknown]}
    if not ctx.has(area, "reservoirs") or not rows:
        status, measured, margin = "nodata", None, None
        detail["reason"] = f"{area.name} 没有{spec.subject_text()}数据"
    elif unknown:
        status, measured, margin = "insufficient", None, None
        detail["reason"] = f"数据不足：{len(unknown)} 座水库未填总库容，合计无法确定"
    else:
        measured = round(sum(r.capacity_10k_m3 for r in rows), 2)
        status, margin = (
            ("pending", None) if spec.by_reference else judge_minimum(measured, spec.target, 0)
        )
    return ctx.result(
        area,
        spec,
        status=status,
        measured=measured,
        uom="万m³",
        margin=None if margin is None else round(margin, 2),
        evidence=evidence,
        detail=detail,
    )
