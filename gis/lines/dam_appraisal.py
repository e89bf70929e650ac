"""水库大坝安全鉴定: every reservoir in the area appraised on time (《水库大坝安全鉴定办法》),
三类坝 reported. Evaluated only where a list declares it."""

from typing import ClassVar, Literal

from gis.lines.base import LineSpec


class Spec(LineSpec):
    type: Literal["dam_appraisal"]
    DEFAULT_LABEL: ClassVar[str] = "水库大坝安全鉴定"

    def target_text(self) -> str:
        return "按期鉴定"
