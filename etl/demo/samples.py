"""Monthly water-quality samples (监测数据), 2023-01..2025-12, as a monitoring station sends them.

Every GB 3838 indicator (:data:`gis.water_quality.INDICATOR_KEYS`, with water temperature) is
drawn around a per-section level with a seasonal swing: warm summers lower dissolved oxygen
and raise 高锰酸盐指数, 总磷 and bacteria; cold winters raise 氨氮. Trace metals and the like
are mostly below their detection limit and written the way lab sheets write it (``0.004L``).
A few section-months are missing, as in real records.

Everything stays within class Ⅲ (values are capped below the Ⅲ limit), except the one planted
problem: 浆溪店河出境 (市控) whose 氨氮 and 总磷 reach class Ⅳ in :data:`FAILING_MONTHS` of 2025,
so its 2025 mean is class Ⅳ. The lake sections of the algal-bloom-risk reservoirs also carry
chlorophyll a and transparency (no GB 3838 class; for the trophic index), blank elsewhere.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from etl.demo.sections import Section
from gis.water_quality import DRINKING_KEYS, INDICATOR_KEYS, INDICATORS

#: The GB 3838 Table 1 items (with water temperature); chla and sd are written only where
#: measured; the Table 2 drinking-source items are not part of the demo's lab sheets.
TROPHIC_KEYS = ("chla", "sd")
GB3838_KEYS = tuple(k for k in INDICATOR_KEYS if k not in (*TROPHIC_KEYS, *DRINKING_KEYS))

YEARS = (2023, 2024, 2025)
FAILING_SECTION = "浆溪店河出境"
FAILING_YEAR = 2025
FAILING_MONTHS = (3, 4, 5, 6, 7, 8, 9, 10)
MISSING_RATE = 0.035

DECIMALS = {
    "temp": 1, "ph": 2, "do": 1, "codmn": 1, "cod": 0, "bod5": 1, "nh3n": 3, "tp": 3, "tn": 2,
    "cu": 4, "zn": 3, "fluoride": 2, "se": 4, "as": 4, "hg": 5, "cd": 4, "cr6": 3, "pb": 4,
    "cn": 3, "volatile_phenol": 4, "petroleum": 2, "las": 2, "sulfide": 3, "fecal_coliform": 0,
}  # fmt: skip
# Trace indicators: (detection limit, share of results below it, upper value when detected).
TRACES = {
    "cu": (0.001, 0.3, 0.006), "zn": (0.005, 0.4, 0.035), "se": (0.0004, 0.85, 0.0008),
    "as": (0.0003, 0.2, 0.0025), "hg": (0.00004, 0.9, 0.00006), "cd": (0.0001, 0.7, 0.0006),
    "cr6": (0.004, 0.85, 0.008), "pb": (0.001, 0.5, 0.006), "cn": (0.004, 0.9, 0.006),
    "volatile_phenol": (0.0003, 0.75, 0.0015), "petroleum": (0.01, 0.7, 0.03),
    "las": (0.05, 0.75, 0.09), "sulfide": (0.005, 0.7, 0.03),
}  # fmt: skip
MPN = (20, 40, 70, 110, 170, 220, 330, 490, 790, 1100, 1300, 1700, 2200, 2400, 3300, 4900, 7000)
CAP_SHARE = 0.93  # ordinary values stay below 93 % of the class Ⅲ limit


@dataclass(frozen=True)
class SampleTables:
    """Rows of the wide sample table (keys: code, name, date, indicator keys → cell text)."""

    samples: list[dict[str, str]]
    missing: list[tuple[str, str]]  # (section name, YYYY-MM) with no sample


def _seasonal(month: int) -> float:
    """+1 in mid-summer, −1 in mid-winter."""
    return -np.cos(2 * np.pi * (month - 0.5) / 12)


def _cap(key: str, waterbody: str) -> float:
    return INDICATORS[key].class_limits(waterbody)[2] * CAP_SHARE


def _text(key: str, value: float) -> str:
    return f"{value:.{DECIMALS[key]}f}"


@dataclass(frozen=True)
class _Profile:
    waterbody: str
    nh3n: float
    tp: float
    codmn: float
    tn: float
    coliform: int  # index into MPN at mid-season


def _profile(section: Section, rng: np.random.Generator) -> _Profile:
    if section.waterbody == "湖库":
        return _Profile("lake", rng.uniform(0.08, 0.25), rng.uniform(0.018, 0.03),
                        rng.uniform(2.4, 3.6), rng.uniform(0.5, 0.75), 5)  # fmt: skip
    urban = section.name in ("涢水大桥", "洛阳揭家垄村")
    return _Profile(
        "river",
        rng.uniform(0.4, 0.55) if urban else rng.uniform(0.18, 0.45),
        rng.uniform(0.1, 0.13) if urban else rng.uniform(0.06, 0.11),
        rng.uniform(3.2, 4.2) if urban else rng.uniform(2.4, 3.6),
        rng.uniform(1.2, 1.7) if urban else rng.uniform(0.9, 1.4),
        11 if urban else 9,
    )


def _sample(p: _Profile, month: int, rng: np.random.Generator) -> dict[str, float | str]:
    s = _seasonal(month)
    wb = p.waterbody
    temp = 17.5 + 11.5 * s + rng.normal(0, 1.2)
    saturation = 14.62 - 0.3898 * temp + 0.006969 * temp**2 - 0.00005897 * temp**3
    do_share = rng.uniform(0.95, 1.12) if wb == "lake" and s > 0.3 else rng.uniform(0.8, 0.95)
    codmn = min(p.codmn * (1 + 0.18 * s) * rng.uniform(0.85, 1.15), _cap("codmn", wb))
    cod = min(codmn * rng.uniform(3.1, 3.9), _cap("cod", wb))
    values: dict[str, float | str] = {
        "temp": temp,
        "ph": rng.uniform(7.6, 8.5) if wb == "lake" else rng.uniform(7.2, 8.2),
        "do": max(saturation * do_share, 5.6),
        "codmn": codmn,
        "cod": cod,
        "bod5": min(max(cod * rng.uniform(0.13, 0.2), 0.6), _cap("bod5", wb)),
        "nh3n": min(p.nh3n * (1 - 0.3 * s) * rng.uniform(0.75, 1.25), _cap("nh3n", wb)),
        "tp": min(p.tp * (1 + 0.25 * s) * rng.uniform(0.8, 1.2), _cap("tp", wb)),
        "tn": min(p.tn * (1 - 0.15 * s) * rng.uniform(0.85, 1.15), 0.95 if wb == "lake" else 2.4),
        "fluoride": rng.uniform(0.18, 0.45),
        "fecal_coliform": MPN[
            int(np.clip(p.coliform + round(3 * s) + rng.integers(-2, 3), 0, len(MPN) - 1))
        ],
    }
    for key, (limit, below, high) in TRACES.items():
        values[key] = (
            f"{np.format_float_positional(limit, trim='-')}L"
            if rng.uniform() < below
            else rng.uniform(limit, high)
        )
    return values


def _failing(values: dict, month: int, rng: np.random.Generator) -> dict:
    """浆溪店河出境 in 2025: class Ⅳ 氨氮 and 总磷 in the failing months, upper Ⅲ otherwise."""
    if month in FAILING_MONTHS:
        values["nh3n"], values["tp"] = rng.uniform(1.08, 1.42), rng.uniform(0.205, 0.27)
    else:
        values["nh3n"], values["tp"] = rng.uniform(0.72, 0.9), rng.uniform(0.13, 0.18)
    return values


def build_samples(sections: list[Section], rng: np.random.Generator) -> SampleTables:
    rows, missing = [], []
    for section in sections:
        profile = _profile(section, rng)
        for year in YEARS:
            for month in range(1, 13):
                day = dt.date(year, month, int(rng.integers(5, 21)))
                failing = section.name == FAILING_SECTION and year == FAILING_YEAR
                if not failing and rng.uniform() < MISSING_RATE:
                    missing.append((section.name, f"{year}-{month:02d}"))
                    continue
                values = _sample(profile, month, rng)
                if failing:
                    values = _failing(values, month, rng)
                row = {"code": section.code, "name": section.name, "date": day.isoformat()}
                for key in GB3838_KEYS:
                    value = values[key]
                    row[key] = value if isinstance(value, str) else _text(key, float(value))
                if section.bloom_risk:
                    row.update(_trophic(section, month, rng))
                rows.append(row)
    return SampleTables(rows, missing)


def _trophic(section: Section, month: int, rng: np.random.Generator) -> dict[str, str]:
    """Chlorophyll a (mg/m³) and transparency (m): greener and murkier in summer."""
    s = _seasonal(month)
    clear = section.drinking  # the drinking-water reservoirs are kept clearer
    chla = (5.0 if clear else 9.0) * (1 + 0.7 * s) * rng.uniform(0.75, 1.3)
    sd = (1.5 if clear else 1.05) * (1 - 0.3 * s) * rng.uniform(0.85, 1.15)
    return {"chla": f"{chla:.1f}", "sd": f"{sd:.2f}"}


def sample_headers() -> dict[str, str]:
    """Row keys → CSV headers: section code and name, date, the Chinese indicator names,
    then 叶绿素a and 透明度 with their units."""
    return {
        "code": "断面编码",
        "name": "断面名称",
        "date": "采样日期",
        **{key: INDICATORS[key].name for key in GB3838_KEYS},
        "chla": "叶绿素a(mg/m³)",
        "sd": "透明度(m)",
    }
