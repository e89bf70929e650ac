"""占用: protected land (永久基本农田 or 生态保护红线) occupied by construction or approved projects,
by the land-class rules of docs/rules.md. Evaluated only where a list declares it."""

from typing import ClassVar, Literal

from gis.lines.base import LineSpec

PROTECTED = {"basic_farmland": "永久基本农田占用", "eco_redline": "生态保护红线占用"}


class Spec(LineSpec):
    type: Literal["occupation"]
    protected: Literal["basic_farmland", "eco_redline"]
    DEFAULT_LABEL: ClassVar[str] = "占用"

    def subject(self) -> str:
        return self.protected

    def target_text(self) -> str:
        return "不得占用"

    def title(self) -> str:
        return self.label or PROTECTED[self.protected]
