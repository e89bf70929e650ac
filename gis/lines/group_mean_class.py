"""断面组均值类别: the mean concentration of each indicator over a group's sections, classified
as one section (评价办法: a river with fewer than five sections), against a class."""

from typing import ClassVar, Literal

from pydantic import field_validator

from gis.lines.base import LineSpec, Members, class_label


class Spec(LineSpec):
    type: Literal["group_mean_class"]
    members: Members
    target: str
    DEFAULT_LABEL: ClassVar[str] = "断面组均值水质"

    _check_target = field_validator("target")(class_label)

    def subject_text(self) -> str:
        return self.members.describe()

    def subject(self) -> str:
        return self.members.describe()

    def target_text(self) -> str:
        return f"{self.target}类及以上"

    def title(self) -> str:
        return self.label or f"{self.members.describe()}均值水质"
