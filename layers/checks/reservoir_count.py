"""reservoir_count: the reservoirs of a scale in each area (gis/lines/reservoir_count.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.reservoirs import count_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [count_result(ctx, area, spec) for area, spec in items]
