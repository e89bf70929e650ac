"""面积不少于: the area of a polygon layer within the line's area, at least a target given in the
list's own unit of area (亩, 万亩, 公顷, 万公顷, km²) and shown in it.

耕地 follows the 三调 rule (DLBM 0101/0102/0103, Σ TBDLMJ); any other registry polygon layer is
its ellipsoidal area."""

from typing import ClassVar, Literal

from pydantic import Field

from gis.area import AREA_UNITS
from gis.lines.base import Amount, LineSpec, Reference

LAYER_LABELS = {"farmland": "耕地", "basic_farmland": "永久基本农田", "eco_redline": "生态保护红线"}


class Spec(LineSpec):
    type: Literal["area_at_least"]
    layer: str = Field(min_length=1)
    target: Amount | Reference
    unit: Literal["亩", "万亩", "公顷", "万公顷", "km²"] = "万亩"
    DEFAULT_LABEL: ClassVar[str] = "面积"

    def subject(self) -> str:
        return self.layer

    def title(self) -> str:
        return self.label or f"{LAYER_LABELS.get(self.layer, self.layer)}面积（不少于）"

    def target_text(self) -> str:
        return super().target_text() if self.by_reference else f"≥ {self.target:g} {self.unit}"

    def to_unit(self, m2: float) -> float:
        return m2 / AREA_UNITS[self.unit]
