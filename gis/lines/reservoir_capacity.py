"""水库总库容: the total capacity (总库容, 万 m³) of the area's reservoirs of the chosen scales,
at least the line's figure (e.g. the storage a unit must keep for flood control and supply).
A reservoir whose capacity is not recorded makes the total unknown: 数据不足 with the count."""

from typing import ClassVar, Literal

from gis.lines.base import Amount, LineSpec, Reference


class Spec(LineSpec):
    type: Literal["reservoir_capacity"]
    scales: tuple[Literal["大型", "中型", "小型"], ...] = ("大型", "中型", "小型")
    target: Amount | Reference  # 万 m³
    DEFAULT_LABEL: ClassVar[str] = "水库总库容"

    def subject(self) -> str:
        return "+".join(self.scales)

    def subject_text(self) -> str:
        return "、".join(self.scales) + "水库"

    def target_text(self) -> str:
        return super().target_text() if self.by_reference else f"≥ {self.target:g} 万m³"
