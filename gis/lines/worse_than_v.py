"""劣Ⅴ类水体: the number of a group's sections whose period class is worse than Ⅴ, at most N."""

from typing import ClassVar, Literal

from pydantic import Field

from gis.lines.base import LineSpec, Members


class Spec(LineSpec):
    type: Literal["worse_than_v"]
    members: Members = Members()
    target: int = Field(default=0, ge=0)  # at most
    DEFAULT_LABEL: ClassVar[str] = "劣Ⅴ类水体数量"

    def target_text(self) -> str:
        return f"≤ {self.target} 个"

    def subject_text(self) -> str:
        return self.members.describe()

    def subject(self) -> str:
        return self.members.describe()
