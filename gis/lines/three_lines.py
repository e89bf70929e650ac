"""三线不交叉: the named pairs of control lines (生态保护红线, 永久基本农田, 城镇开发边界) must not
overlap. Evaluated only where a list declares it."""

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from gis.lines.base import LineSpec

LINES = ("eco_redline", "basic_farmland", "urban_boundary")
ALL_PAIRS = (
    ("eco_redline", "basic_farmland"),
    ("eco_redline", "urban_boundary"),
    ("basic_farmland", "urban_boundary"),
)


class Spec(LineSpec):
    type: Literal["three_lines"]
    pairs: tuple[tuple[str, str], ...] = Field(default=ALL_PAIRS, min_length=1)
    DEFAULT_LABEL: ClassVar[str] = "三线不交叉"

    def target_text(self) -> str:
        return "不交叉、不重叠"

    @field_validator("pairs")
    @classmethod
    def _pairs(cls, pairs):
        for a, b in pairs:
            for layer in (a, b):
                if layer not in LINES:
                    raise ValueError(f"'{layer}' 不是三条控制线之一（可用：{'、'.join(LINES)}）")
            if a == b:
                raise ValueError(f"'{a}' 与自身不能构成一对")
        return pairs
