"""occupation: 永久基本农田 (with its 非粮化 line) or 生态保护红线 occupied
(gis/lines/occupation.py)."""

from gis.compliance import LineResult
from layers.checks.context import CheckContext, Item
from layers.checks.land import occupation_results


def measure(ctx: CheckContext, items: list[Item]) -> list[LineResult]:
    return [r for area, spec in items for r in occupation_results(ctx, area, spec)]
