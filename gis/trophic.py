"""Trophic state of lakes and reservoirs (湖库营养状态), comprehensive index TLI(Σ).

中国环境监测总站《湖泊(水库)富营养化评价方法及分级技术规定》(2001). Each parameter j has a
partial index TLI(j) = 10 (a + b ln x) and a weight from its correlation with chlorophyll a;
TLI(Σ) = Σ Wj · TLI(j). When some parameters were not measured the weights of those present are
renormalised to sum to 1, so any non-empty subset gives an index, but the method is defined on
all five: an index from fewer is flagged 参数不全 with the missing parameters named
(DOMAIN.md §6), so nobody publishes "SD alone: 74.5 重度富营养" as a reservoir's state.
"""

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from gis.errors import InvalidInputError


@dataclass(frozen=True)
class TliParameter:
    """A TLI parameter: TLI(j) = 10 (a + b ln x), with x in ``unit``."""

    key: str
    name: str
    unit: str
    a: float
    b: float
    weight: float

    def partial(self, value: float) -> float:
        return 10 * (self.a + self.b * math.log(value))


TLI_PARAMETERS: Mapping[str, TliParameter] = MappingProxyType(
    {
        p.key: p
        for p in (
            TliParameter("chla", "叶绿素a", "mg/m³", 2.5, 1.086, 0.2663),
            TliParameter("tp", "总磷", "mg/L", 9.436, 1.624, 0.1879),
            TliParameter("tn", "总氮", "mg/L", 5.453, 1.694, 0.1790),
            TliParameter("sd", "透明度", "m", 5.118, -1.94, 0.1834),
            TliParameter("codmn", "高锰酸盐指数", "mg/L", 0.109, 2.661, 0.1834),
        )
    }
)

OLIGOTROPHIC, MESOTROPHIC = "贫营养", "中营养"
LIGHT, MIDDLE, HYPER = "轻度富营养", "中度富营养", "重度富营养"
TROPHIC_GRADES = (OLIGOTROPHIC, MESOTROPHIC, LIGHT, MIDDLE, HYPER)
INCOMPLETE = "参数不全"


def trophic_grade(index: float) -> str:
    """< 30 贫营养; 30–50 中营养 (both ends); (50, 60] 轻度; (60, 70] 中度; > 70 重度富营养."""
    if index < 30:
        return OLIGOTROPHIC
    if index <= 50:
        return MESOTROPHIC
    if index <= 60:
        return LIGHT
    if index <= 70:
        return MIDDLE
    return HYPER


def partial_index(key: str, value: float) -> float:
    """TLI(j) of one parameter; the value must be a positive finite number (it is logged)."""
    if key not in TLI_PARAMETERS:
        raise InvalidInputError(
            f"未知的营养状态参数 “{key}” (unknown TLI parameter {key!r}).",
            hint="可用 / known: " + ", ".join(TLI_PARAMETERS),
        )
    parameter = TLI_PARAMETERS[key]
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not valid or not math.isfinite(value) or value <= 0:
        raise InvalidInputError(
            f"{parameter.name}必须是正数 ({key} must be a positive number): {value!r}"
        )
    return parameter.partial(value)


@dataclass(frozen=True)
class TrophicState:
    """TLI(Σ) with its grade, the partial indices and the (renormalised) weights used."""

    index: float
    grade: str
    partials: dict[str, float]
    weights: dict[str, float]

    @property
    def missing(self) -> tuple[str, ...]:
        """The TLI parameters not measured, in the method's order."""
        return tuple(key for key in TLI_PARAMETERS if key not in self.partials)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def eutrophic(self) -> bool:
        """True from 轻度富营养 up (index above 50)."""
        return self.index > 50

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form with Chinese parameter names."""
        return {
            "index": self.index,
            "grade": self.grade,
            "eutrophic": self.eutrophic,
            "complete": self.complete,
            "flag": None if self.complete else INCOMPLETE,
            "missing": [{"key": key, "name": TLI_PARAMETERS[key].name} for key in self.missing],
            "note": None
            if self.complete
            else f"{INCOMPLETE}：缺{'、'.join(TLI_PARAMETERS[k].name for k in self.missing)}，"
            "按已测参数重新归一权重计算，仅供参考",
            "parameters": [
                {
                    "key": key,
                    "name": TLI_PARAMETERS[key].name,
                    "unit": TLI_PARAMETERS[key].unit,
                    "partial": partial,
                    "weight": self.weights[key],
                }
                for key, partial in self.partials.items()
            ],
        }


def trophic_state(values: Mapping[str, float | None]) -> TrophicState:
    """TLI(Σ) from chla (mg/m³), tp, tn, codmn (mg/L) and sd (m); None means not measured.

    At least one parameter is needed; unknown keys and non-positive values are refused.
    """
    unknown = sorted(set(values) - set(TLI_PARAMETERS))
    if unknown:
        raise InvalidInputError(
            f"未知的营养状态参数 (unknown TLI parameters): {', '.join(map(str, unknown))}",
            hint="可用 / known: " + ", ".join(TLI_PARAMETERS),
        )
    partials = {
        key: partial_index(key, values[key])
        for key in TLI_PARAMETERS
        if values.get(key) is not None
    }
    if not partials:
        raise InvalidInputError(
            "没有营养状态参数 (no TLI parameter given).",
            hint="至少给出 chla、tp、tn、sd、codmn 之一 / give at least one of them.",
        )
    total_weight = math.fsum(TLI_PARAMETERS[key].weight for key in partials)
    weights = {key: TLI_PARAMETERS[key].weight / total_weight for key in partials}
    index = math.fsum(weights[key] * partials[key] for key in partials)
    return TrophicState(index, trophic_grade(index), partials, weights)
