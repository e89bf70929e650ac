"""水库营养状态: each named reservoir's TLI(Σ) grade no worse than the line's (e.g. the bloom-risk
reservoirs at 中营养 or better). Evaluated only where a list declares it."""

from typing import ClassVar, Literal

from pydantic import Field

from gis.lines.base import LineSpec
from gis.trophic import TROPHIC_GRADES


class Spec(LineSpec):
    type: Literal["trophic_state"]
    reservoirs: tuple[str, ...] = Field(min_length=1)  # SKBM codes or names
    target: Literal["贫营养", "中营养", "轻度富营养", "中度富营养", "重度富营养"] = "中营养"
    DEFAULT_LABEL: ClassVar[str] = "水库营养状态"

    def target_text(self) -> str:
        return f"{'、'.join(self.reservoirs)}：{self.target}或更好"

    def worst_allowed(self) -> int:
        return TROPHIC_GRADES.index(self.target)
