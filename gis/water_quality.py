"""Surface-water quality classes (地表水环境质量类别), GB 3838-2002 Table 1.

The single table :data:`INDICATORS` holds the class limits of every indicator the platform
knows; loaders and the API validate indicator keys against it (:data:`INDICATOR_KEYS`,
:func:`indicator_key`). The evaluation rules follow 《地表水环境质量评价办法（试行）》
(环办〔2011〕22号):

* limits are inclusive — a value exactly at a limit belongs to the better class (≤ for most
  indicators, ≥ for dissolved oxygen); pH inside 6–9 is Ⅰ, outside is 劣Ⅴ;
* the class of a sample or period is the worst class over the evaluated indicators (all but
  water temperature, 总氮 and 粪大肠菌群); for lakes and reservoirs 总氮 gets its own class;
* 超标倍数 = (C − C_Ⅲ) / C_Ⅲ for indicators worse than Ⅲ, never for pH, DO or temperature;
* main pollutants (主要污染指标): of the indicators worse than Ⅲ, the three worst by class, ties
  by 超标倍数, and 氰化物 or a heavy metal that exceeds Ⅲ is listed first (评价办法 三(三));
* a period's value is the mean of its monthly means, a month's value the mean of its samples,
  and a result below the detection limit counts as half the limit (lab notation and means:
  :mod:`gis.lab_values`; the sample-count rule per period: :mod:`gis.sampling`; 优良率 and
  group states: :mod:`gis.section_groups`).

Grades are the ints 1..6, 6 being 劣Ⅴ; :data:`GRADE_LABELS` turns them into labels.
Only the standard library is used so the module runs anywhere the rules are needed.
"""

import decimal
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from gis.errors import InvalidInputError
from gis.lab_values import fold, is_number, monthly_period_mean

WORSE_THAN_V = 6
GRADES = (1, 2, 3, 4, 5, 6)
GRADE_LABELS: Mapping[int, str] = MappingProxyType(
    {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
)
STATE_BY_GRADE: Mapping[int, str] = MappingProxyType(
    {1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"}
)
GRADE_COLOURS: Mapping[int, str] = MappingProxyType(
    {1: "#1f78b4", 2: "#1f78b4", 3: "#33a02c", 4: "#ffd92f", 5: "#ff7f00", 6: "#e31a1c"}
)
WATERBODIES: Mapping[str, str] = MappingProxyType({"river": "河流", "lake": "湖泊水库"})


class Bound(StrEnum):
    """How an indicator's limits are read."""

    UPPER = "≤"
    LOWER = "≥"
    RANGE = "range"
    NONE = "none"


@dataclass(frozen=True)
class Indicator:
    """One row of GB 3838-2002 Table 1.

    ``limits`` are the class Ⅰ..Ⅴ limits, except for ``Bound.RANGE`` (pH), where they are the
    ``(low, high)`` band shared by every class, and ``Bound.NONE`` (water temperature), where
    they are empty. ``lake_limits`` replaces ``limits`` for lakes and reservoirs (only 总磷).
    ``evaluated`` is False for the indicators that do not count in the class.
    ``drinking_limit`` is the single limit of a GB 3838 Table 2 supplementary item, judged at
    centralised drinking-water sources only (集中式生活饮用水地表水源地); it has no class.
    """

    key: str
    name: str
    unit: str
    bound: Bound
    limits: tuple[float, ...] = ()
    lake_limits: tuple[float, ...] | None = None
    evaluated: bool = True
    drinking_limit: float | None = None  # GB 3838 Table 2: one limit, drinking sources only

    def class_limits(self, waterbody: str = "river") -> tuple[float, ...]:
        """The limits that apply in ``waterbody`` ("river" or "lake")."""
        if waterbody == "lake" and self.lake_limits is not None:
            return self.lake_limits
        return self.limits


_MG = "mg/L"
_TABLE = (
    Indicator("temp", "水温", "℃", Bound.NONE, evaluated=False),
    Indicator("ph", "pH", "无量纲", Bound.RANGE, (6.0, 9.0)),
    Indicator("do", "溶解氧", _MG, Bound.LOWER, (7.5, 6.0, 5.0, 3.0, 2.0)),
    Indicator("codmn", "高锰酸盐指数", _MG, Bound.UPPER, (2.0, 4.0, 6.0, 10.0, 15.0)),
    Indicator("cod", "化学需氧量", _MG, Bound.UPPER, (15.0, 15.0, 20.0, 30.0, 40.0)),
    Indicator("bod5", "五日生化需氧量", _MG, Bound.UPPER, (3.0, 3.0, 4.0, 6.0, 10.0)),
    Indicator("nh3n", "氨氮", _MG, Bound.UPPER, (0.15, 0.5, 1.0, 1.5, 2.0)),
    Indicator(
        "tp", "总磷", _MG, Bound.UPPER, (0.02, 0.1, 0.2, 0.3, 0.4), (0.01, 0.025, 0.05, 0.1, 0.2)
    ),
    Indicator("tn", "总氮", _MG, Bound.UPPER, (0.2, 0.5, 1.0, 1.5, 2.0), evaluated=False),
    Indicator("cu", "铜", _MG, Bound.UPPER, (0.01, 1.0, 1.0, 1.0, 1.0)),
    Indicator("zn", "锌", _MG, Bound.UPPER, (0.05, 1.0, 1.0, 2.0, 2.0)),
    Indicator("fluoride", "氟化物", _MG, Bound.UPPER, (1.0, 1.0, 1.0, 1.5, 1.5)),
    Indicator("se", "硒", _MG, Bound.UPPER, (0.01, 0.01, 0.01, 0.02, 0.02)),
    Indicator("as", "砷", _MG, Bound.UPPER, (0.05, 0.05, 0.05, 0.1, 0.1)),
    Indicator("hg", "汞", _MG, Bound.UPPER, (0.00005, 0.00005, 0.0001, 0.001, 0.001)),
    Indicator("cd", "镉", _MG, Bound.UPPER, (0.001, 0.005, 0.005, 0.005, 0.01)),
    Indicator("cr6", "六价铬", _MG, Bound.UPPER, (0.01, 0.05, 0.05, 0.05, 0.1)),
    Indicator("pb", "铅", _MG, Bound.UPPER, (0.01, 0.01, 0.05, 0.05, 0.1)),
    Indicator("cn", "氰化物", _MG, Bound.UPPER, (0.005, 0.05, 0.2, 0.2, 0.2)),
    Indicator("volatile_phenol", "挥发酚", _MG, Bound.UPPER, (0.002, 0.002, 0.005, 0.01, 0.1)),
    Indicator("petroleum", "石油类", _MG, Bound.UPPER, (0.05, 0.05, 0.05, 0.5, 1.0)),
    Indicator("las", "阴离子表面活性剂", _MG, Bound.UPPER, (0.2, 0.2, 0.2, 0.3, 0.3)),
    Indicator("sulfide", "硫化物", _MG, Bound.UPPER, (0.05, 0.1, 0.2, 0.5, 1.0)),
    Indicator(
        "fecal_coliform",
        "粪大肠菌群",
        "个/L",
        Bound.UPPER,
        (200.0, 2000.0, 10000.0, 20000.0, 40000.0),
        evaluated=False,
    ),
    # Recorded at lake and reservoir sections for the trophic index (gis/trophic.py, DOMAIN.md
    # §3); like water temperature they have no GB 3838 class.
    Indicator("chla", "叶绿素a", "mg/m³", Bound.NONE, evaluated=False),
    Indicator("sd", "透明度", "m", Bound.NONE, evaluated=False),
    # GB 3838-2002 Table 2 (集中式生活饮用水地表水源地补充项目标准限值), one limit each.
    Indicator("sulfate", "硫酸盐", _MG, Bound.NONE, evaluated=False, drinking_limit=250.0),
    Indicator("chloride", "氯化物", _MG, Bound.NONE, evaluated=False, drinking_limit=250.0),
    Indicator("nitrate", "硝酸盐(以N计)", _MG, Bound.NONE, evaluated=False, drinking_limit=10.0),
    Indicator("fe", "铁", _MG, Bound.NONE, evaluated=False, drinking_limit=0.3),
    Indicator("mn", "锰", _MG, Bound.NONE, evaluated=False, drinking_limit=0.1),
)

INDICATORS: Mapping[str, Indicator] = MappingProxyType({i.key: i for i in _TABLE})
INDICATOR_KEYS: tuple[str, ...] = tuple(INDICATORS)
EVALUATED_KEYS: tuple[str, ...] = tuple(k for k, i in INDICATORS.items() if i.evaluated)
DRINKING_KEYS: tuple[str, ...] = tuple(k for k, i in INDICATORS.items() if i.drinking_limit)
_ORDER = {key: n for n, key in enumerate(INDICATOR_KEYS)}

# Header spellings seen on lab sheets and monitoring exports. Matching ignores case, spaces and
# full-width forms, and a trailing unit in brackets ("氨氮（mg/L）") is tried without it.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        **{key: key for key in INDICATOR_KEYS},
        **dict.fromkeys(("水温", "温度", "WT", "water temperature"), "temp"),
        **dict.fromkeys(("pH值", "酸碱度"), "ph"),
        **dict.fromkeys(("溶解氧", "DO", "dissolved oxygen"), "do"),
        **dict.fromkeys(("高锰酸盐指数", "高锰酸钾指数", "CODMn", "COD_Mn", "IMn"), "codmn"),
        **dict.fromkeys(("化学需氧量", "COD", "CODCr", "COD_Cr"), "cod"),
        **dict.fromkeys(("五日生化需氧量", "生化需氧量", "BOD5", "BOD₅", "BOD_5", "BOD"), "bod5"),
        **dict.fromkeys(("氨氮", "NH3-N", "NH₃-N", "NH3N", "NH3_N"), "nh3n"),
        **dict.fromkeys(("总磷", "TP"), "tp"),
        **dict.fromkeys(("总氮", "TN"), "tn"),
        **dict.fromkeys(("铜", "Cu"), "cu"),
        **dict.fromkeys(("锌", "Zn"), "zn"),
        **dict.fromkeys(("氟化物", "氟", "F", "F-"), "fluoride"),
        **dict.fromkeys(("硒", "Se"), "se"),
        **dict.fromkeys(("砷", "As"), "as"),
        **dict.fromkeys(("汞", "Hg"), "hg"),
        **dict.fromkeys(("镉", "Cd"), "cd"),
        **dict.fromkeys(("六价铬", "铬(六价)", "Cr6+", "Cr(VI)", "CrVI", "Cr6"), "cr6"),
        **dict.fromkeys(("铅", "Pb"), "pb"),
        **dict.fromkeys(("氰化物", "总氰化物", "CN", "CN-"), "cn"),
        **dict.fromkeys(("挥发酚", "挥发性酚", "挥发酚类", "phenol"), "volatile_phenol"),
        **dict.fromkeys(("石油类", "石油", "oil"), "petroleum"),
        **dict.fromkeys(("阴离子表面活性剂", "LAS"), "las"),
        **dict.fromkeys(("硫化物", "S2-"), "sulfide"),
        **dict.fromkeys(
            ("粪大肠菌群", "粪大肠菌群数", "粪大肠杆菌", "fecal coliform"), "fecal_coliform"
        ),
        **dict.fromkeys(("叶绿素a", "叶绿素", "Chla", "Chl-a", "chlorophyll a"), "chla"),
        **dict.fromkeys(("透明度", "SD", "secchi depth"), "sd"),
        **dict.fromkeys(("硫酸盐", "硫酸根", "SO4", "SO42-", "SO4^2-", "sulfate"), "sulfate"),
        **dict.fromkeys(("氯化物", "氯离子", "Cl", "Cl-", "chloride"), "chloride"),
        **dict.fromkeys(
            ("硝酸盐", "硝酸盐氮", "硝酸盐(以N计)", "NO3-N", "NO3N", "nitrate"), "nitrate"
        ),
        **dict.fromkeys(("铁", "总铁", "Fe", "iron"), "fe"),
        **dict.fromkeys(("锰", "总锰", "Mn", "manganese"), "mn"),
    }
)


_LOOKUP = {fold(alias): key for alias, key in ALIASES.items()}
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def indicator_key(name: str) -> str:
    """The canonical key of an indicator given its key or a header alias ("溶解氧" → "do")."""
    if not isinstance(name, str):
        raise InvalidInputError(f"指标名称必须是文本 (indicator name must be text): {name!r}")
    folded = fold(name)
    key = _LOOKUP.get(folded) or _LOOKUP.get(_UNIT_SUFFIX.sub("", folded))
    if key is None:
        raise InvalidInputError(
            f"未知的水质指标 “{name.strip()}” (unknown water-quality indicator {name!r}).",
            hint="可用的指标 / known keys: " + ", ".join(INDICATOR_KEYS),
        )
    return key


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


def grade_from_label(label: str | int) -> int:
    """The grade 1..6 of a class label: "Ⅲ", "III", "3", "Ⅲ类", "劣Ⅴ", "劣V", "劣5" …"""
    if isinstance(label, int) and not isinstance(label, bool) and label in GRADES:
        return label
    text = fold(str(label)).removesuffix("类")
    worse = text.startswith("劣")
    text = text.removeprefix("劣")
    grade = _ROMAN.get(text) or (int(text) if re.fullmatch(r"[1-6]", text) else None)
    if worse:
        grade = WORSE_THAN_V if grade == 5 else None
    if grade is None:
        raise InvalidInputError(
            f"无法识别的水质类别 “{label}” (unknown water-quality class {label!r}).",
            hint="写作 Ⅰ–Ⅴ、I–V、1–5 或 劣Ⅴ / use Ⅰ–Ⅴ, I–V, 1–5 or 劣Ⅴ.",
        )
    return grade


def published(value: float, decimals: int) -> float:
    """``value`` rounded for people by GB/T 8170-2008 (四舍六入五成双).

    The float noise of a subtraction is dropped first (10 significant decimals), so
    (1.075 − 1) / 1 = 0.07499999999999996 is read as 0.075 and published as 0.08.
    """
    exact = decimal.Decimal(repr(round(value, 10)))
    step = decimal.Decimal(1).scaleb(-decimals)
    return float(exact.quantize(step, rounding=decimal.ROUND_HALF_EVEN))


def _check_waterbody(waterbody: str) -> str:
    if waterbody not in WATERBODIES:
        raise InvalidInputError(
            f"未知的水体类型 “{waterbody}” (unknown waterbody {waterbody!r}).",
            hint='用 "river"（河流）或 "lake"（湖泊水库）.',
        )
    return waterbody


def _check_value(indicator: Indicator, value: Any) -> float:
    """The value as a float; NaN, infinities and (except temperature) negatives are refused."""
    if not is_number(value):
        raise InvalidInputError(
            f"{indicator.name}的值必须是数字 ({indicator.key} must be a number): {value!r}"
        )
    value = float(value)
    if not math.isfinite(value) or (value < 0 and indicator.bound is not Bound.NONE):
        raise InvalidInputError(
            f"{indicator.name}的值无效 (invalid {indicator.key} value): {value!r}",
            hint="浓度不能为负数或缺失 / concentrations must be finite and non-negative.",
        )
    return value


def _grade(indicator: Indicator, value: float, waterbody: str) -> int | None:
    if indicator.bound is Bound.NONE:
        return None
    if indicator.bound is Bound.RANGE:
        low, high = indicator.limits
        return 1 if low <= value <= high else WORSE_THAN_V
    for grade, limit in enumerate(indicator.class_limits(waterbody), start=1):
        # The first class whose limit the value meets wins, so equal limits (COD Ⅰ = Ⅱ = 15)
        # give the better class.
        if (value >= limit) if indicator.bound is Bound.LOWER else (value <= limit):
            return grade
    return WORSE_THAN_V


def indicator_grade(key: str, value: float, waterbody: str = "river") -> int | None:
    """The class 1..6 of one indicator value, or None for water temperature (no limit)."""
    indicator = INDICATORS[indicator_key(key)]
    return _grade(indicator, _check_value(indicator, value), _check_waterbody(waterbody))


def exceedance_multiple(key: str, value: float, waterbody: str = "river") -> float | None:
    """超标倍数 (C − C_Ⅲ) / C_Ⅲ when the value is worse than Ⅲ, else None.

    Never computed for pH, DO or water temperature (their limits are not a ceiling).
    """
    indicator = INDICATORS[indicator_key(key)]
    value = _check_value(indicator, value)
    _check_waterbody(waterbody)
    if indicator.bound is not Bound.UPPER or _grade(indicator, value, waterbody) <= 3:
        return None
    limit_iii = indicator.class_limits(waterbody)[2]
    return (value - limit_iii) / limit_iii


@dataclass(frozen=True)
class Assessment:
    """The class of a sample or period (single-factor method) and what drives it.

    ``indicator_grades`` covers every indicator given that has a limit (also 总氮 and 粪大肠菌群,
    which do not count); ``exceedances`` and ``main_pollutants`` only the evaluated ones.
    ``main_pollutants`` are up to three evaluated indicators worse than Ⅲ: 氰化物 and heavy
    metals first, then worst class first; within a class, larger 超标倍数 first, and DO/pH
    (which have no multiple) after the indicators with one; remaining ties keep the order of
    GB 3838 Table 1. ``to_dict`` rounds 超标倍数 to 2 decimals (as published); the values
    themselves are kept exact so anyone can recompute it.
    ``tn_grade`` is the separate 总氮 class of a lake or reservoir (None for rivers).
    """

    grade: int
    waterbody: str
    values: dict[str, float]
    indicator_grades: dict[str, int]
    exceedances: dict[str, float]
    main_pollutants: tuple[str, ...]
    tn_grade: int | None = None
    drinking_source: bool = False
    drinking_exceeded: tuple[str, ...] = ()  # Table 2 items over their limit (sources only)

    @property
    def label(self) -> str:
        return GRADE_LABELS[self.grade]

    @property
    def state(self) -> str:
        return STATE_BY_GRADE[self.grade]

    @property
    def colour(self) -> str:
        return GRADE_COLOURS[self.grade]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form with Chinese labels, indicators in GB 3838 table order."""
        return {
            "waterbody": self.waterbody,
            "waterbody_name": WATERBODIES[self.waterbody],
            "grade": self.grade,
            "label": self.label,
            "class_name": f"{self.label}类",
            "state": self.state,
            "colour": self.colour,
            "indicators": [self._indicator_dict(key) for key in self.values],
            "main_pollutants": [
                {"key": key, "name": INDICATORS[key].name, "exceedance": self._multiple(key)}
                for key in self.main_pollutants
            ],
            "tn_grade": self.tn_grade,
            "tn_label": None if self.tn_grade is None else GRADE_LABELS[self.tn_grade],
            "drinking_source": self.drinking_source,
            "drinking_items": [
                {
                    "key": key,
                    "name": INDICATORS[key].name,
                    "value": self.values[key],
                    "limit": INDICATORS[key].drinking_limit,
                    "exceeded": key in self.drinking_exceeded,
                }
                for key in self.values
                if self.drinking_source and INDICATORS[key].drinking_limit
            ],
            "drinking_exceeded": [INDICATORS[k].name for k in self.drinking_exceeded],
        }

    def _indicator_dict(self, key: str) -> dict[str, Any]:
        indicator = INDICATORS[key]
        grade = self.indicator_grades.get(key)
        return {
            "key": key,
            "name": indicator.name,
            "unit": indicator.unit,
            "value": self.values[key],
            "grade": grade,
            "label": None if grade is None else GRADE_LABELS[grade],
            "evaluated": indicator.evaluated,
            "exceedance": self._multiple(key),
        }

    def _multiple(self, key: str) -> float | None:
        multiple = self.exceedances.get(key)
        return None if multiple is None else published(multiple, 2)


def _canonical_values(values: Mapping[str, float | None]) -> dict[str, float]:
    """Values keyed by canonical key in table order; None means "not measured" and is dropped."""
    checked: dict[str, float] = {}
    for name, value in values.items():
        key = indicator_key(name)
        if key in checked:
            raise InvalidInputError(f"指标重复 (indicator given twice): {key} ← {name!r}")
        if value is not None:
            checked[key] = _check_value(INDICATORS[key], value)
    return dict(sorted(checked.items(), key=lambda item: _ORDER[item[0]]))


# 评价办法 三(三): "当氰化物或铅、铬等重金属超标时，优先作为主要污染指标列出". The method names
# 氰化物, 铅 and 铬 "等重金属"; the project reads the heavy metals of GB 3838 Table 1 as 铅, 六价铬,
# 镉, 汞, 铜, 锌 and the metalloid 砷 (counted with the heavy metals in Chinese environmental
# practice, e.g. 《重金属污染综合防治“十二五”规划》); 硒 is a non-metal and is not given priority.
PRIORITY_POLLUTANTS = ("cn", "pb", "cr6", "cd", "hg", "as", "cu", "zn")


def _main_pollutants(
    grades: Mapping[str, int], exceedances: Mapping[str, float]
) -> tuple[str, ...]:
    worse = [key for key, grade in grades.items() if grade > 3]
    # Sort keys: 氰化物 and heavy metals first; then worse class first; with a multiple before
    # without (DO/pH); larger multiple; remaining ties keep the GB 3838 table order.
    worse.sort(
        key=lambda k: (
            k not in PRIORITY_POLLUTANTS,
            -grades[k],
            k not in exceedances,
            -exceedances.get(k, 0.0),
        )
    )
    return tuple(worse[:3])


def assess(
    values: Mapping[str, float | None], waterbody: str = "river", drinking_source: bool = False
) -> Assessment:
    """Classify one sample or one period's mean values (keys or aliases → mg/L, 个/L …).

    At a drinking-water source (``drinking_source``) the GB 3838 Table 2 items given are held
    to their single limits (``drinking_exceeded``); elsewhere they are kept but not judged.

    Raises InvalidInputError for an unknown waterbody or indicator, an invalid value, or when
    no evaluated indicator is present (temperature, 总氮 and 粪大肠菌群 alone give no class).
    """
    _check_waterbody(waterbody)
    checked = _canonical_values(values)
    grades = {
        k: g for k, v in checked.items() if (g := _grade(INDICATORS[k], v, waterbody)) is not None
    }
    evaluated = {k: g for k, g in grades.items() if INDICATORS[k].evaluated}
    if not evaluated:
        raise InvalidInputError(
            "没有可评价的指标 (no indicator that counts in the class was given).",
            hint="水温、总氮、粪大肠菌群不参与评价 / temp, tn and fecal_coliform do not count.",
        )
    exceedances = {
        k: m for k in evaluated if (m := exceedance_multiple(k, checked[k], waterbody)) is not None
    }
    return Assessment(
        grade=max(evaluated.values()),
        waterbody=waterbody,
        values=checked,
        indicator_grades=grades,
        exceedances=exceedances,
        main_pollutants=_main_pollutants(evaluated, exceedances),
        tn_grade=grades.get("tn") if waterbody == "lake" else None,
        drinking_source=drinking_source,
        drinking_exceeded=tuple(
            k
            for k, v in checked.items()
            if drinking_source and INDICATORS[k].drinking_limit and v > INDICATORS[k].drinking_limit
        ),
    )


def assess_period(
    samples: Iterable[tuple[Any, str, float | None, bool, float | None]],
    waterbody: str = "river",
    drinking_source: bool = False,
) -> Assessment:
    """Classify a period from (date, indicator, value, below_detection, detection_limit) samples.

    Each indicator's period value is the mean of its monthly means
    (:func:`gis.lab_values.monthly_period_mean`); then :func:`assess`.
    """
    readings: dict[str, list[tuple[Any, float | None, bool, float | None]]] = {}
    for day, name, value, below_detection, limit in samples:
        readings.setdefault(indicator_key(name), []).append((day, value, below_detection, limit))
    means = {key: monthly_period_mean(r) for key, r in readings.items()}
    return assess(means, waterbody, drinking_source)
