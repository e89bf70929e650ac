"""area_at_least: a polygon layer's area within each area, in the list's unit
(gis/lines/area_at_least.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.land import area_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [area_result(ctx, area, spec) for area, spec in items]
