"""section_class: each listed section against its own 水质目标 or the line's class
(gis/lines/section_class.py); one result per section."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.water import section_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [
        section_result(ctx, area, spec, listed) for area, spec in items for listed in spec.sections
    ]
