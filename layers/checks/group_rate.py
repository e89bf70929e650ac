"""group_rate: the 优良率 or 达标率 of a group of sections (gis/lines/group_rate.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.water import group_members, rate_result


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [
        rate_result(ctx, area, spec, group_members(ctx, area, spec.members)) for area, spec in items
    ]
