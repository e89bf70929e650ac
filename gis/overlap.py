"""How an overlap with a protected layer weighs in the red-line report (红线压占分析).

Pure: no database. Each protected layer's card (``layers.registry``) carries its
:class:`OverlapRule`.
"""

from dataclasses import dataclass
from typing import Literal

Severity = Literal["prohibited", "restricted", "informational"]
#: What stands for a layer's loaded coverage: "district" = the district boundary (the layer is
#: declared for the whole district, so no feature there means none exists), "features" = the
#: layer's own features (a wall-to-wall survey: no parcel means no data).
CoverageBasis = Literal["district", "features"]


@dataclass(frozen=True)
class OverlapRule:
    """How an overlap with a layer weighs in the verdict, and what to tell the officer."""

    severity: Severity
    advice: str
    coverage: CoverageBasis = "district"
