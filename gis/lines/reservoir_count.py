"""水库数量: the number of reservoirs of a scale (中型/小型…) in the area.

``compare: exactly`` (the default, as annex 3 lists them): fewer is a loss (不达标), more means
the list is out of date (预警). ``compare: at_least``: more is fine.
"""

from typing import ClassVar, Literal

from gis.lines.base import Count, LineSpec, Reference

SCALES = ("大型", "中型", "小型")


class Spec(LineSpec):
    type: Literal["reservoir_count"]
    scale: Literal["大型", "中型", "小型"]
    target: Count | Reference
    compare: Literal["exactly", "at_least"] = "exactly"
    DEFAULT_LABEL: ClassVar[str] = "水库数量"

    def subject_text(self) -> str:
        return f"{self.scale}水库"

    def subject(self) -> str:
        return self.scale

    def target_text(self) -> str:
        if self.by_reference:
            return super().target_text()
        return f"{'=' if self.compare == 'exactly' else '≥'} {self.target} 座"

    def title(self) -> str:
        return self.label or f"{self.scale}水库数量"
