"""three_lines: the overlaps of the control-line pairs the list names
(gis/lines/three_lines.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.land import three_lines_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [three_lines_result(ctx, area, spec) for area, spec in items]
