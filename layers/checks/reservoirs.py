"""水安全: reservoir counts by scale and overdue dam-safety appraisals, per unit."""

from collections import defaultdict

from gis.compliance import Evidence, LineResult, appraisal_due, judge_count
from layers.checks.context import CheckContext

SCALE_LINES = {"中型": "reservoirs_medium", "小型": "reservoirs_small"}


def check_reservoirs(ctx: CheckContext) -> list[LineResult]:
    rows = ctx.fetch("checks_reservoirs")
    by_unit = defaultdict(list)
    for row in rows:
        by_unit[row.unit_code].append(row)
    results: list[LineResult] = []
    for area in ctx.areas():
        mine = [r for code in ctx.unit_codes(area) for r in by_unit.get(code, [])]
        for scale, line in SCALE_LINES.items():
            target = getattr(area.lines, line)
            if target is None:
                continue
            counted = [r for r in mine if r.scale == scale]
            measured = len(counted) if ctx.units else None
            status, margin = judge_count(measured, target)
            results.append(
                LineResult(
                    unit=area.name,
                    unit_code=area.code,
                    line=line,
                    status=status,
                    target=target,
                    measured=measured,
                    uom="count",
                    subject=f"{scale}水库",
                    margin=margin,
                    evidence=tuple(Evidence("reservoirs", r.id, r.name) for r in counted),
                )
            )
        results.append(_appraisal(ctx, area, mine))
    return results


def _appraisal(ctx: CheckContext, area, reservoirs) -> LineResult:
    s = ctx.settings
    overdue, unknown = [], []
    for r in reservoirs:
        due = appraisal_due(
            r.completed_on, r.last_appraisal_on, s.appraisal_first_years, s.appraisal_interval_years
        )
        if due is None:
            unknown.append(r)
        elif due < ctx.period.as_of:
            overdue.append((r, due))
    status = "nodata" if not reservoirs else "fail" if overdue else "pass"
    return LineResult(
        unit=area.name,
        unit_code=area.code,
        line="reservoir_appraisal",
        status=status,
        target=0,
        measured=len(overdue) if reservoirs else None,
        uom="count",
        subject="逾期未鉴定水库",
        margin=-len(overdue) if reservoirs else None,
        evidence=tuple(Evidence("reservoirs", r.id, r.name) for r, _ in overdue),
        detail={
            "as_of": ctx.period.as_of.isoformat(),
            "rule": f"建成后{s.appraisal_first_years}年内首次鉴定，此后每{s.appraisal_interval_years}年至少一次",
            "overdue": [
                {
                    "id": r.id,
                    "name": r.name,
                    "due": due.isoformat(),
                    "last_appraisal_on": r.last_appraisal_on and r.last_appraisal_on.isoformat(),
                    "completed_on": r.completed_on and r.completed_on.isoformat(),
                }
                for r, due in overdue
            ],
            "dates_unknown": [r.name for r in unknown],
        },
    )
