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


#: What can show an occupation of protected land: construction classes among the 三调
#: parcels (地类图斑) and approved construction projects (建设项目).
OCCUPIER_LAYERS = ("farmland", "projects")


def missing_layers(present, protected: str, occupiers=OCCUPIER_LAYERS) -> list[str]:
    """The layers an occupation line needs that are not loaded: the protected one first."""
    return [layer for layer in (protected, *occupiers) if layer not in present]


def verdict_with_missing(status: str, missing_occupiers) -> str:
    """An occupation found (不达标) or to verify (需核实) stands on the layers that are
    loaded; "nothing found" is 达标 only when every layer that could show one is loaded,
    else 无法判定 (DOMAIN.md: never 达标 by default)."""
    return "undetermined" if status == "pass" and missing_occupiers else status
