"""A small dataset of our own for the map tests, around 113.3°E 31.7°N (CGCS2000).

A few features per layer, inserted through the models in one transaction and removed the same
way, so the map tests depend neither on the demonstration dataset nor on other tests. The
sections and samples have known classes:

* 涢水大桥 (ZD-01, 国控, listed in the bottom-line list): 2024 mean 氨氮 1.8 mg/L → Ⅴ (超标
  0.80 倍), 总磷 0.25 → Ⅳ (超标 0.25 倍): 不达标. December 2023 at Ⅲ.
* 洛阳揭家垄村 (ZD-02, 国控): Ⅱ. 漂水河大桥 (ZD-03, 省控): Ⅲ. 先觉庙库心 (ZD-04, lake,
  drinking water source): Ⅲ. 浪河出境 (ZD-05), 漂水河出境 (ZD-06), 浆溪店河出境 (ZD-07), all
  市控: no samples.
"""

import datetime as dt
from dataclasses import dataclass

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, box
from sqlalchemy import Engine, delete

from layers.db import session_scope
from layers.models import (
    BasicFarmland,
    District,
    EcoRedline,
    LandParcel,
    Project,
    Reservoir,
    River,
    Sample,
    Section,
    Unit,
    UrbanBoundary,
    WaterSourceZone,
)

SOURCE = "webmap-test-fixture"
SRID = 4490

DISTRICT_BOX = (113.20, 31.60, 113.50, 31.85)
REDLINE_BOX = (113.40, 31.76, 113.44, 31.80)
FARMLAND_BOXES = {
    "0101": (113.300, 31.640, 113.310, 31.650),
    "0103": (113.310, 31.640, 113.320, 31.650),
    "0702": (113.320, 31.640, 113.325, 31.645),
    "0601": (113.445, 31.660, 113.455, 31.670),  # 工业用地 on half of JB-002: an occupation
}
BASIC_FARMLAND_BOXES = {
    "JB-001": (113.300, 31.640, 113.310, 31.650),
    "JB-002": (113.440, 31.660, 113.450, 31.670),
}
TILE_VIEW = (31.645, 113.312, 14)  # lat, lon, zoom: farmland and basic farmland in view

# Per-indicator base values; samples alternate ×0.9 / ×1.1 so each year's mean is the base.
SECTIONS = {
    "ZD-01": (
        "涢水大桥",
        "国控",
        "river",
        (113.30, 31.70),
        {"nh3n": 1.8, "tp": 0.25, "do": 6.5, "codmn": 5.0},
    ),
    "ZD-02": (
        "洛阳揭家垄村",
        "国控",
        "river",
        (113.25, 31.75),
        {"nh3n": 0.3, "tp": 0.08, "do": 7.0, "codmn": 3.5},
    ),
    "ZD-03": (
        "漂水河大桥",
        "省控",
        "river",
        (113.42, 31.72),
        {"nh3n": 0.8, "tp": 0.15, "do": 6.0, "codmn": 5.0},
    ),
    "ZD-04": (
        "先觉庙库心",
        "县控",
        "lake",
        (113.27, 31.785),
        {"nh3n": 0.4, "tp": 0.04, "do": 7.6, "tn": 0.9},
    ),
    "ZD-05": ("浪河出境", "市控", "river", (113.33, 31.82), {}),
    # The shipped list names these too, and a list whose sections are not in the data is
    # refused: present, in 㵐水片区, without samples.
    "ZD-06": ("漂水河出境", "市控", "river", (113.48, 31.62), {}),
    "ZD-07": ("浆溪店河出境", "市控", "river", (113.48, 31.74), {}),
}
EXPECTED_LABELS = {"ZD-01": "Ⅴ", "ZD-02": "Ⅱ", "ZD-03": "Ⅲ", "ZD-04": "Ⅲ"}
DEC_2023_ZD01 = {"nh3n": 0.9, "tp": 0.15, "do": 6.5, "codmn": 5.0}  # Ⅲ


@dataclass(frozen=True)
class FixtureCounts:
    """How many features each map layer holds (what the map must draw)."""

    counts: dict[str, int]


def _multi(geom_box: tuple[float, float, float, float]):
    return from_shape(MultiPolygon([box(*geom_box)]), srid=SRID)


def _samples() -> list[Sample]:
    rows = []
    for code, (*_, values) in SECTIONS.items():
        for month in range(1, 13):
            factor = 0.9 if month % 2 else 1.1
            for key, base in values.items():
                rows.append(
                    Sample(
                        section_code=code,
                        sampled_on=dt.date(2024, month, 15),
                        indicator=key,
                        value=round(base * factor, 6),
                        source=SOURCE,
                    )
                )
    for key, value in DEC_2023_ZD01.items():
        rows.append(
            Sample(
                section_code="ZD-01",
                sampled_on=dt.date(2023, 12, 15),
                indicator=key,
                value=value,
                source=SOURCE,
            )
        )
    return rows


def _features() -> list:
    half_w, half_e = box(113.20, 31.60, 113.35, 31.85), box(113.35, 31.60, 113.50, 31.85)
    rows: list = [
        District(code="421303", name="曾都区", geom=_multi(DISTRICT_BOX), source=SOURCE),
        Unit(
            code="421303-01",
            name="涢水片区",
            geom=from_shape(MultiPolygon([half_w]), srid=SRID),
            source=SOURCE,
        ),
        Unit(
            code="421303-02",
            name="㵐水片区",
            geom=from_shape(MultiPolygon([half_e]), srid=SRID),
            source=SOURCE,
        ),
        River(
            name="府澴河",
            alias="涢水",
            geom=from_shape(
                MultiLineString([LineString([(113.22, 31.62), (113.30, 31.70), (113.34, 31.80)])]),
                srid=SRID,
            ),
            source=SOURCE,
        ),
        River(
            name="漂水",
            geom=from_shape(
                MultiLineString([LineString([(113.38, 31.65), (113.46, 31.78)])]), srid=SRID
            ),
            source=SOURCE,
        ),
        Reservoir(
            code="XJM",
            name="先觉庙水库",
            scale="中型",
            capacity_10k_m3=2300.0,
            normal_level_m=98.5,
            flood_limit_level_m=97.0,
            completed_on=dt.date(1970, 5, 1),
            last_appraisal_on=dt.date(2021, 5, 1),
            drinking_source=True,
            bloom_risk=True,
            geom=from_shape(Point(113.27, 31.78), srid=SRID),
            source=SOURCE,
        ),
        Reservoir(
            code="LHK",
            name="两河口水库",
            scale="小型",
            capacity_10k_m3=320.0,
            completed_on=dt.date(1976, 1, 1),
            last_appraisal_on=dt.date(2010, 6, 1),
            bloom_risk=True,
            geom=from_shape(Point(113.42, 31.80), srid=SRID),
            source=SOURCE,
        ),
        Reservoir(
            code="XM",
            name="新庙水库",
            scale="小型",
            capacity_10k_m3=150.0,
            completed_on=dt.date(1978, 1, 1),
            last_appraisal_on=dt.date(2022, 3, 1),
            geom=from_shape(Point(113.24, 31.66), srid=SRID),
            source=SOURCE,
        ),
        WaterSourceZone(
            name="先觉庙水库一级保护区",
            level="一级",
            source_name="先觉庙水库",
            geom=_multi((113.26, 31.775, 113.28, 31.795)),
            source=SOURCE,
        ),
        EcoRedline(
            code="HX-01",
            name="大洪山水源涵养生态保护红线",
            redline_type="水源涵养",
            geom=_multi(REDLINE_BOX),
            source=SOURCE,
        ),
        UrbanBoundary(
            name="曾都城区城镇开发边界", geom=_multi((113.35, 31.68, 113.39, 31.72)), source=SOURCE
        ),
        Project(
            name="示例厂房项目",
            kind="拟建项目",
            submitted_by="webmap-test",
            geom=_multi((113.36, 31.70, 113.365, 31.705)),
            source=SOURCE,
        ),
    ]
    names = {"0101": "水田", "0103": "旱地", "0702": "农村宅基地", "0601": "工业用地"}
    for n, (code, b) in enumerate(FARMLAND_BOXES.items()):
        rows.append(
            LandParcel(
                bsm=f"WM{n:04d}",
                dlbm=code,
                dlmc=names[code],
                zldwmc="何店镇",
                tbmj=1000.0 * (n + 1),
                tbdlmj=900.0 * (n + 1),
                geom=_multi(b),
                source=SOURCE,
            )
        )
    for number, b in BASIC_FARMLAND_BOXES.items():
        rows.append(
            BasicFarmland(
                yjjbnttbbh=number,
                dlbm="0101",
                dlmc="水田",
                zldwmc="何店镇",
                geom=_multi(b),
                source=SOURCE,
            )
        )
    for code, (name, level, waterbody, (x, y), _) in SECTIONS.items():
        rows.append(
            Section(
                code=code,
                name=name,
                control_level=level,
                waterbody=waterbody,
                target_grade=3,
                river="府澴河" if code == "ZD-01" else None,
                reservoir_code="XJM" if code == "ZD-04" else None,
                drinking_source=code == "ZD-04",
                geom=from_shape(Point(x, y), srid=SRID),
                source=SOURCE,
            )
        )
    return rows


LAYER_COUNTS = {
    "district": 1,
    "units": 2,
    "rivers": 2,
    "reservoirs": 3,
    "sections": len(SECTIONS),
    "water_source_zones": 1,
    "eco_redline": 1,
    "urban_boundary": 1,
    "projects": 1,
    "farmland": len(FARMLAND_BOXES),
    "basic_farmland": len(BASIC_FARMLAND_BOXES),
}

_MODELS = (
    Sample,
    Section,
    Project,
    UrbanBoundary,
    EcoRedline,
    WaterSourceZone,
    BasicFarmland,
    LandParcel,
    Reservoir,
    River,
    Unit,
    District,
)


def remove_fixture(engine: Engine) -> None:
    """Delete every row this fixture wrote (and nothing else), in one transaction."""
    with session_scope(engine) as session:
        for model in _MODELS:
            session.execute(delete(model).where(model.source == SOURCE))


def insert_fixture(engine: Engine) -> None:
    remove_fixture(engine)
    with session_scope(engine) as session:
        session.add_all(_features())
        session.flush()
        session.add_all(_samples())
