"""集中式饮用水水源地: the share of the sources of the chosen levels within the line's area whose
water meets the standard (优良 Ⅰ–Ⅲ, or 达标 against their own target)."""

from typing import ClassVar, Literal

from gis.lines.base import LineSpec, Percent, Reference

SOURCE_LEVELS = ("地市级", "县级", "乡镇级")
LEVEL_FILTERS: dict[str, tuple[str, ...]] = {
    "县级及以上": ("地市级", "县级"),
    "地市级": ("地市级",),
    "县级": ("县级",),
    "乡镇级": ("乡镇级",),
    "全部": SOURCE_LEVELS,
}


class Spec(LineSpec):
    type: Literal["drinking_sources"]
    levels: Literal["县级及以上", "地市级", "县级", "乡镇级", "全部"] = "县级及以上"
    metric: Literal["优良率", "达标率"] = "优良率"
    target: Percent | Reference
    DEFAULT_LABEL: ClassVar[str] = "集中式饮用水水源地水质"

    def subject_text(self) -> str:
        return self.subject()

    def subject(self) -> str:
        return f"{self.levels}集中式饮用水水源地"

    def target_text(self) -> str:
        return super().target_text() if self.by_reference else f"≥ {self.target:g}%"

    def title(self) -> str:
        return self.label or f"{self.subject()}{self.metric}"

    @property
    def source_levels(self) -> tuple[str, ...]:
        return LEVEL_FILTERS[self.levels]
