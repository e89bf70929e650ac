"""trophic_state: each named reservoir's TLI(Σ) grade no worse than the line's
(gis/lines/trophic_state.py). An index from fewer than the five parameters is published only
as 参数不全 (仅供参考): no verdict rests on it, the line says 数据不足."""

from collections import defaultdict

from gis.compliance import Evidence, LineResult
from gis.lab_values import monthly_period_mean
from gis.trophic import TLI_PARAMETERS, TROPHIC_GRADES, trophic_state
from layers.checks.context import CheckContext, Item


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    names = sorted({n for _, spec in items for n in spec.reservoirs})
    readings = defaultdict(lambda: defaultdict(list))
    for r in ctx.fetch(
        "checks_trophic",
        {
            "names": names,
            "keys": list(TLI_PARAMETERS),
            "start": ctx.period.start,
            "end": ctx.period.end,
        },
    ):
        readings[r.reservoir_code][r.indicator].append(
            (r.sampled_on, r.value, r.below_dl, r.detection_limit)
        )
    rows = {
        key: r
        for r in ctx.fetch("checks_reservoirs")
        for key in (r.code, r.name)
        if r.code in names or r.name in names  # named by SKBM or name, with data or not
    }
    return [
        _result(ctx, area, spec, name, rows.get(name), readings)
        for area, spec in items
        for name in spec.reservoirs
    ]


def _result(ctx, area, spec, name, row, readings) -> LineResult:
    base = dict(subject=name, uom="", target=spec.target)
    if row is None or not readings.get(row.code):
        reason = (
            "数据库中没有该水库"
            if row is None
            else f"{ctx.period.label} 没有营养状态参数的监测数据"
        )
        return ctx.result(
            area, spec, name, status="nodata", measured=None, detail={"reason": reason}, **base
        )
    means = {key: monthly_period_mean(v) for key, v in readings[row.code].items()}
    state = trophic_state(means)
    worse = TROPHIC_GRADES.index(state.grade) > spec.worst_allowed()
    status = ("fail" if worse else "pass") if state.complete else "insufficient"
    detail = {"period": ctx.period.label, "means": means, **state.to_dict()}
    if not state.complete:
        detail["reason"] = f"数据不足：{detail['note']}"
    return ctx.result(
        area,
        spec,
        name,
        status=status,
        measured=f"{state.grade}（TLI {state.index:.1f}）",
        evidence=(Evidence("reservoirs", row.id, row.name, code=row.code),),
        detail=detail,
        **base,
    )
