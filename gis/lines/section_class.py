"""断面水质: each listed section against a class — its own 水质目标 (SZMB) by default, or the
class the line gives. One result per section."""

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from gis.lines.base import LineSpec, SectionRef, class_label


class Spec(LineSpec):
    type: Literal["section_class"]
    sections: tuple[SectionRef, ...] = Field(min_length=1)
    target: str | None = None  # None: each section's own 水质目标
    DEFAULT_LABEL: ClassVar[str] = "断面水质"

    def target_text(self) -> str:
        names = "、".join(s.label for s in self.sections)
        return f"{names}：{self.target + '类及以上' if self.target else '各自水质目标'}"

    _check_target = field_validator("target")(lambda v: None if v is None else class_label(v))
