"""dam_appraisal: each area's reservoirs appraised on time (gis/lines/dam_appraisal.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.reservoirs import appraisal_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [appraisal_result(ctx, area, spec) for area, spec in items]
