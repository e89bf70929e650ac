"""水安全: what the reservoir lines share: the reservoirs of an area, their counts by scale
(reservoir_count) and the dam-safety appraisal line (dam_appraisal)."""

from collections import defaultdict

from gis.compliance import (
    DAM_CLASSES,
    UNSAFE_DAM_CLASS,
    Evidence,
    LineResult,
    Status,
    appraisal_state,
    judge_count,
    judge_minimum,
)
from layers.checks.context import CheckContext


def reservoirs_in(ctx: CheckContext, area) -> list:
    """The reservoirs of an area (each dam point in one unit; the district: every unit)."""
    if "reservoirs" not in ctx.shared:
        by_unit = defaultdict(list)
        for row in ctx.fetch("checks_reservoirs"):
            by_unit[row.unit_code].append(row)
        ctx.shared["reservoirs"] = by_unit
    by_unit = ctx.shared["reservoirs"]
    return [r for code in ctx.unit_codes(area) for r in by_unit.get(code, [])]


def count_result(ctx: CheckContext, area, spec) -> LineResult:
    counted = [r for r in reservoirs_in(ctx, area) if r.scale == spec.scale]
    # No reservoir loaded at all is no count (a 0 would read 达标 against a target of 0).
    measured = len(counted) if ctx.has(area, "reservoirs") else None
    if spec.by_reference:
        status, margin = "pending", None
    elif spec.compare == "exactly":
        status, margin = judge_count(measured, spec.target)
    else:
        status, margin = judge_minimum(measured, spec.target, 0)
    return ctx.result(
        area,
        spec,
        status=status,
        measured=measured,
        uom="座",
        margin=margin,
        evidence=tuple(_evidence(r) for r in counted),
    )


def _evidence(r) -> Evidence:
    return Evidence("reservoirs", r.id, r.name, code=r.code)


def _line_status(states: list[Status], unsafe: bool) -> Status:
    """A known overdue reservoir is 不达标 whatever else; then any reservoir without dates
    makes the line 无数据 (it cannot be 达标); then 预警 for an appraisal due (year 6 on) or a
    三类坝 (病险) result; 达标 only when every reservoir is within its period."""
    if not states:
        return "nodata"
    for status in ("fail", "nodata"):
        if status in states:
            return status
    return "warn" if "warn" in states or unsafe else "pass"


def appraisal_result(ctx: CheckContext, area, spec) -> LineResult:
    reservoirs = reservoirs_in(ctx, area)
    s = ctx.settings
    as_of = ctx.period.as_of
    states = [
        (
            r,
            appraisal_state(
                r.completed_on,
                r.last_appraisal_on,
                as_of,
                s.appraisal_first_years,
                s.appraisal_warn_years,
                s.appraisal_interval_years,
            ),
        )
        for r in reservoirs
    ]
    unsafe = [r for r in reservoirs if r.appraisal_result == UNSAFE_DAM_CLASS]
    status = _line_status([st.status for _, st in states], bool(unsafe))
    overdue = [(r, st) for r, st in states if st.status == "fail"]
    flagged = [r for r, st in states if st.status != "pass"] + unsafe
    return ctx.result(
        area,
        spec,
        status=status,
        target=0,
        measured=len(overdue) if reservoirs else None,
        uom="座",
        subject="逾期未鉴定水库",
        margin=-len(overdue) if reservoirs else None,
        evidence=tuple({r.id: _evidence(r) for r in flagged}.values()),
        detail={
            "as_of": as_of.isoformat(),
            "rule": (
                f"竣工验收后{s.appraisal_first_years}年内首次鉴定，此后每"
                f"{s.appraisal_warn_years}–{s.appraisal_interval_years}年鉴定一次"
                "（《水库大坝安全鉴定办法》第五条）"
            ),
            "summary": _appraisal_summary(overdue, states, unsafe, s.appraisal_warn_years),
            "counts": {
                key: sum(st.status == key for _, st in states)
                for key in ("pass", "warn", "fail", "nodata")
            },
            "overdue": [_state(r, st) for r, st in overdue],
            "due": [_state(r, st) for r, st in states if st.status == "warn"],
            "dates_unknown": [_state(r, st) for r, st in states if st.status == "nodata"],
            "unsafe": [{"id": r.id, "code": r.code, "name": r.name} for r in unsafe],
            # Latest appraisal results (大坝安全类别); 未填 = the file gives none.
            "results": {
                label: sum((r.appraisal_result or "未填") == label for r in reservoirs)
                for label in (*DAM_CLASSES, "未填")
            },
        },
    )


def _appraisal_summary(overdue, states, unsafe, warn_years: int) -> str:
    parts = [f"逾期 {len(overdue)} 座"]
    due = sum(st.status == "warn" for _, st in states)
    unknown = sum(st.status == "nodata" for _, st in states)
    if due:
        parts.append(f"应鉴定（满{warn_years}年） {due} 座")
    if unknown:
        parts.append(f"缺鉴定日期 {unknown} 座")
    if unsafe:
        parts.append("三类坝 " + "、".join(r.code or r.name for r in unsafe))
    return "；".join(parts)


def _state(r, st) -> dict:
    return {
        "id": r.id,
        "code": r.code,
        "name": r.name,
        "status": st.status,
        "reason": st.reason,
        "due": st.due and st.due.isoformat(),
        "last_appraisal_on": r.last_appraisal_on and r.last_appraisal_on.isoformat(),
        "completed_on": r.completed_on and r.completed_on.isoformat(),
        "appraisal_result": r.appraisal_result,
    }
