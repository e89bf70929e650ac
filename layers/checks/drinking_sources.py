"""drinking_sources: the sources of the line's levels within its area
(gis/lines/drinking_sources.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.water import drinking_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [drinking_result(ctx, area, spec) for area, spec in items]
