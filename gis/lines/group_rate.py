"""断面组比例: the 优良率 (share of sections at Ⅰ–Ⅲ) or 达标率 (share meeting their own 水质目标)
of a named group of sections, against a threshold (%)."""

from typing import ClassVar, Literal

from gis.lines.base import LineSpec, Members, Percent, Reference


class Spec(LineSpec):
    type: Literal["group_rate"]
    members: Members
    metric: Literal["优良率", "达标率"] = "优良率"
    target: Percent | Reference
    DEFAULT_LABEL: ClassVar[str] = "断面组比例"

    def subject_text(self) -> str:
        return self.members.describe()

    def subject(self) -> str:
        return self.members.describe()

    def target_text(self) -> str:
        return super().target_text() if self.by_reference else f"≥ {self.target:g}%"

    def title(self) -> str:
        return self.label or f"{self.members.describe()}{self.metric}"
