"""What every line of a bottom-line list (底线) shares: its type, label, target and subject.

A line's target is a number, a water-quality class, or a **reference** to a figure set
elsewhere (e.g. "控制在省下达指标内"): a referenced line is measured and shown, with the status
待定（参照指标）, never 达标/不达标.
"""

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gis.water_quality import GRADE_LABELS, grade_from_label

CONTROL_LEVELS = ("国控", "省控", "市控", "县控")
WATERBODIES = ("river", "lake")


Count = Annotated[int, Field(ge=0)]
Amount = Annotated[float, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(Strict):
    """A target given by reference: ``{reference: 省下达指标, text: 控制在省下达指标内}``."""

    reference: str = Field(min_length=1)
    text: str | None = None


class SectionRef(Strict):
    """A monitoring section named by the list: by its code (preferred) or its name."""

    code: str | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, min_length=1)
    control_level: str | None = None

    @model_validator(mode="after")
    def _named(self) -> "SectionRef":
        if self.code is None and self.name is None:
            raise ValueError("断面须给出 code 或 name")
        return self

    @property
    def label(self) -> str:
        return self.name or self.code or ""


class Members(Strict):
    """Which sections form a group: every condition given must hold (an explicit ``sections``
    list alone names the group). Members are looked up in the data within the line's area."""

    control_levels: tuple[str, ...] = ()
    sections: tuple[SectionRef, ...] = ()
    rivers: tuple[str, ...] = ()
    waterbody: str | None = None

    @field_validator("control_levels")
    @classmethod
    def _levels(cls, levels: tuple[str, ...]) -> tuple[str, ...]:
        for level in levels:
            if level not in CONTROL_LEVELS:
                raise ValueError(f"控制级别 '{level}' 未知（可用：{'、'.join(CONTROL_LEVELS)}）")
        return levels

    @field_validator("waterbody")
    @classmethod
    def _waterbody(cls, value: str | None) -> str | None:
        if value is not None and value not in WATERBODIES:
            raise ValueError("waterbody 应为 river（河流）或 lake（湖库）")
        return value

    def describe(self) -> str:
        parts = []
        if self.control_levels:
            parts.append("+".join(self.control_levels))
        if self.rivers:
            parts.append("、".join(self.rivers))
        if self.waterbody:
            parts.append({"river": "河流", "lake": "湖库"}[self.waterbody])
        if self.sections:
            parts.append("、".join(s.label for s in self.sections))
        return " ".join(parts) + "断面" if parts else "全部断面"


def class_label(value: str | int) -> str:
    """A class given as Ⅲ, III, 3 or 'Ⅲ类', as its label; a clear error otherwise."""
    try:
        return GRADE_LABELS[grade_from_label(value)]
    except Exception:
        raise ValueError(f"水质类别 '{value}' 无法识别（应为 Ⅰ–Ⅴ）") from None


class LineSpec(Strict):
    """The fields every line type has. ``id`` keys the line within its area (default: derived
    from the type and subject); ``label`` is what people read (default: the type's label)."""

    type: str
    id: str | None = Field(default=None, min_length=1, max_length=60)
    label: str | None = Field(default=None, min_length=1, max_length=100)

    #: The label when the list gives none; each type sets its own.
    DEFAULT_LABEL: ClassVar[str] = ""

    def subject(self) -> str | None:
        """What the line is about, for people (a section, a layer, a group)."""
        return None

    def subject_text(self) -> str | None:
        """What the line is about, as people read it (None: the label says it all)."""
        return None

    def key(self) -> str:
        """The line's key, unique within its area."""
        if self.id:
            return self.id
        subject = self.subject()
        return f"{self.type}:{subject}" if subject else self.type

    def title(self) -> str:
        return self.label or self.DEFAULT_LABEL

    def target_text(self) -> str:
        """The target as people read it (目标), in the list's own terms."""
        target = getattr(self, "target", None)
        if isinstance(target, Reference):
            return target.text or target.reference
        return (
            "–" if target is None else f"{target:g}" if isinstance(target, float) else str(target)
        )

    @property
    def by_reference(self) -> bool:
        return isinstance(getattr(self, "target", None), Reference)
