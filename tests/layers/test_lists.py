"""Lists of other shapes (issue 15), each evaluated on synthetic data of its own in a fresh
database: tests/data/lists/*.yaml are the lists, written as another district would.

The data: district T001 (测试甲区) of two square watershed units, 西片 T001-B at 113.0–113.1°E
and 东片 T001-A at 113.1–113.2°E, 31.0–31.1°N. Expected areas are pyproj.Geod (GRS80, the
CGCS2000 ellipsoid) areas of the shapely boxes below; classes are worked by hand from 氨氮
alone (GB 3838-2002 表1: Ⅰ ≤ 0.15, Ⅱ ≤ 0.5, Ⅲ ≤ 1.0, Ⅳ ≤ 1.5, Ⅴ ≤ 2.0 mg/L, above: 劣Ⅴ),
each section sampled every month of 2025 with one value, so its annual mean is that value.
"""

import copy
import datetime as dt
import importlib
import math
import pkgutil
from collections.abc import Iterator

import pytest
import yaml
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely import box
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import layers.checks
from gis.baseline import load_baseline, parse_baseline
from gis.errors import BaselineError
from gis.lines import LINE_TYPES
from layers import models
from layers.baseline_fit import check_fit
from layers.checks import evaluate, measurer
from layers.settings import REPO_ROOT, Settings
from tests.conftest import fresh_database

LISTS = REPO_ROOT / "tests" / "data" / "lists"
GEOD = Geod(ellps="GRS80")
M2_PER_MU = 10000 / 15
WEST = box(113.0, 31.0, 113.1, 31.1)  # 西片 T001-B
EAST = box(113.1, 31.0, 113.2, 31.1)  # 东片 T001-A


def area_m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def mp(geom):
    return from_shape(MultiPolygon([geom]), srid=4490)


def pt(x: float, y: float):
    return from_shape(Point(x, y), srid=4490)


def district_and_units(s: Session) -> None:
    s.add(models.District(code="T001", name="测试甲区", geom=mp(box(113.0, 31.0, 113.2, 31.1))))
    s.add(models.Unit(code="T001-A", name="东片", geom=mp(EAST)))
    s.add(models.Unit(code="T001-B", name="西片", geom=mp(WEST)))


def section(code: str, x: float, nh3n: float, **fields) -> list:
    """A section at (x, 31.08) and twelve monthly 2025 samples of 氨氮 ``nh3n``."""
    fields = {"control_level": "市控", "waterbody": "river", "target_grade": 3} | fields
    row = models.Section(code=code, name=fields.pop("name", code), geom=pt(x, 31.08), **fields)
    samples = [
        models.Sample(
            section_code=code, sampled_on=dt.date(2025, m, 10), indicator="nh3n", value=nh3n
        )
        for m in range(1, 13)
    ]
    return [row, *samples]


@pytest.fixture(scope="module")
def own_db(engine: Engine, settings: Settings, request) -> Iterator[tuple[Engine, Settings]]:
    """A fresh database for the module's list; the test module fills it."""
    own, own_settings = fresh_database(engine, settings, f"lists_{request.param}")
    yield own, own_settings
    own.dispose()


def fill(own: Engine, rows: list, units: bool = True) -> None:
    """Commit ``rows`` with the district (and its units); samples after their sections."""
    with Session(own) as s:
        if units:
            district_and_units(s)
        else:
            s.add(
                models.District(
                    code="T001", name="测试甲区", geom=mp(box(113.0, 31.0, 113.2, 31.1))
                )
            )
        s.add_all(r for r in rows if not isinstance(r, models.Sample))
        s.flush()
        s.add_all(r for r in rows if isinstance(r, models.Sample))
        s.commit()


def keyed(results) -> dict:
    out = {(r.unit_code, r.line, r.part): r for r in results}
    assert len(out) == len(results)
    return out


# --- List 1: targets in 万公顷 and km², a pooled river group at 75 %, a 劣Ⅴ count ---

FA1 = box(113.12, 31.02, 113.14, 31.03)  # 东片 水田, TBDLMJ declared: 90 % (10 % 田坎)
FA2 = box(113.15, 31.02, 113.165, 31.03)  # 东片 旱地, no TBDLMJ: its ellipsoidal area
FB1 = box(113.02, 31.02, 113.03, 31.03)  # 西片 水浇地, no TBDLMJ
FB2 = box(113.04, 31.02, 113.05, 31.03)  # 西片 果园 0201: not 耕地
BF = box(113.06, 31.05, 113.08, 31.07)  # 西片 永久基本农田 with a house on it (0702) …
HOUSE = box(113.065, 31.055, 113.07, 31.06)  # … but the list declares no occupation line
E1 = box(113.15, 31.05, 113.16, 31.06)  # 东片 red line
E2 = box(113.151, 31.05, 113.161, 31.06)  # drawn over E1 but for 0.001°: counted once
RIVERS = {"R1": 0.1, "R2": 0.3, "R3": 0.8, "R4": 2.5}  # Ⅰ, Ⅱ, Ⅲ, 劣Ⅴ
LAKE, OUTSIDE = 2.5, 1.8  # a lake at 劣Ⅴ; a river section outside both units at Ⅴ


def pooled_rows() -> list:
    rows = [
        models.LandParcel(bsm="A1", dlbm="0101", tbdlmj=0.9 * area_m2(FA1), geom=mp(FA1)),
        models.LandParcel(bsm="A2", dlbm="0103", geom=mp(FA2)),
        models.LandParcel(bsm="B1", dlbm="0102", geom=mp(FB1)),
        models.LandParcel(bsm="B2", dlbm="0201", geom=mp(FB2)),
        models.LandParcel(bsm="B3", dlbm="0702", geom=mp(HOUSE)),
        models.BasicFarmland(yjjbnttbbh="JB1", geom=mp(BF)),
        models.EcoRedline(code="HX1", name="红线一", geom=mp(E1)),
        models.EcoRedline(code="HX2", name="红线二", geom=mp(E2)),
    ]
    xs = {"R1": 113.11, "R2": 113.12, "R3": 113.02, "R4": 113.03}  # R1, R2 东片; R3, R4 西片
    for code, value in RIVERS.items():
        rows += section(code, xs[code], value)
    rows += section("L1", 113.13, LAKE, waterbody="lake")
    rows += section("X1", 114.5, OUTSIDE)
    return rows


@pytest.mark.parametrize("own_db", ["pooled"], indirect=True)
def test_pooled_group_wanha_and_worse_than_v(own_db) -> None:
    own, own_settings = own_db
    fill(own, pooled_rows())
    baseline = load_baseline(LISTS / "pooled_wanha.yaml")
    results = evaluate(own, baseline, own_settings, period="2025")
    r = keyed(results)

    # Only the declared lines: 4 for the district, one per unit. The house on 永久基本农田
    # and the absent 三线 give nothing: the list declares no occupation or three_lines line.
    assert [(x.unit_code, x.type) for x in results] == [
        ("T001", "area_at_least"),
        ("T001", "area_at_least"),
        ("T001", "group_rate"),
        ("T001", "worse_than_v"),
        ("T001-A", "area_at_least"),
        ("T001-B", "area_at_least"),
    ]

    # 耕地 in 万公顷 (1 万公顷 = 10⁸ m²): 东片 Σ TBDLMJ of 水田 + 旱地's ellipsoidal area.
    east_m2 = 0.9 * area_m2(FA1) + area_m2(FA2)
    west_m2 = area_m2(FB1)  # the orchard is not 耕地
    east = r[("T001-A", "area_at_least:farmland", None)]
    assert east.uom == "万公顷" and east.detail["area_m2"] == pytest.approx(east_m2, rel=1e-4)
    assert east.measured == pytest.approx(round(east_m2 / 1e8, 6), abs=2e-6)
    assert (east.target, east.status) == (0.025, "pass")  # ≈ 0.0349 ≥ 0.025
    west = r[("T001-B", "area_at_least:farmland", None)]
    assert west.measured == pytest.approx(west_m2 / 1e8, abs=2e-6)
    assert (west.status, west.margin < 0) == ("fail", True)  # ≈ 0.0106 < 0.015
    whole = r[("T001", "area_at_least:farmland", None)]
    assert whole.detail["area_m2"] == pytest.approx(east_m2 + west_m2, rel=1e-4)
    assert (whole.label, whole.status) == ("耕地保有量", "pass")  # ≈ 0.0455 ≥ 0.04
    assert whole.to_dict()["uom_label"] == "万公顷"

    # 生态保护红线 in km²: the union (E2 over E1 counted once) ≈ 1.16 < 1.2, though the two
    # polygons' plain sum (≈ 2.1) would pass.
    union_m2 = area_m2(E1.union(E2))
    assert union_m2 / 1e6 < 1.2 < (area_m2(E1) + area_m2(E2)) / 1e6
    red = r[("T001", "area_at_least:eco_redline", None)]
    assert red.uom == "km²" and red.measured == pytest.approx(round(union_m2 / 1e6, 4), abs=2e-4)
    assert red.status == "fail"

    # Every river section in the district at Ⅲ or better ≥ 75 %: R1 Ⅰ, R2 Ⅱ, R3 Ⅲ, R4 劣Ⅴ →
    # 3 of 4 = 75 %, met exactly. The lake and the section outside both units are no members
    # (with them: 3 of 6 = 50 %).
    group = r[("T001", "group_rate:河流断面", None)]
    assert (group.label, group.status, group.measured, group.margin) == (
        "地表河流控断面优良率",
        "pass",
        75.0,
        0.0,
    )
    assert sorted(m["code"] for m in group.detail["members"]) == ["R1", "R2", "R3", "R4"]
    assert {m["code"]: m["class"] for m in group.detail["members"]} == {
        "R1": "Ⅰ",
        "R2": "Ⅱ",
        "R3": "Ⅲ",
        "R4": "劣Ⅴ",
    }

    # 劣Ⅴ类水体 = 0: R4 (river) and L1 (lake) are 劣Ⅴ → 2, 不达标; X1 lies outside.
    worst = r[("T001", "worse_than_v:全部断面", None)]
    assert (worst.label, worst.status, worst.measured, worst.margin) == ("劣Ⅴ类水体", "fail", 2, -2)
    assert sorted(w["code"] for w in worst.detail["worse_than_v"]) == ["L1", "R4"]
    assert {e.code for e in worst.evidence} == {"L1", "R4"}


# --- List 2: district only, a target by reference, 三线不交叉 of one pair ---

BF1 = box(113.02, 31.02, 113.04, 31.04)  # 西片, YJJBNTMJ declared 300 000 m²
BF2 = box(113.12, 31.02, 113.13, 31.03)  # 东片, none declared: its ellipsoidal area
RED = box(113.035, 31.035, 113.05, 31.05)  # overlaps BF1 (the named pair)
TOWN = box(113.125, 31.025, 113.14, 31.04)  # overlaps BF2: a pair the line does not name


def reference_rows() -> list:
    def reservoir(code: str, scale: str, x: float):
        return models.Reservoir(code=code, name=code, scale=scale, geom=pt(x, 31.09))

    return [
        models.BasicFarmland(yjjbnttbbh="JB1", yjjbntmj=300_000.0, geom=mp(BF1)),
        models.BasicFarmland(yjjbnttbbh="JB2", geom=mp(BF2)),
        models.EcoRedline(code="HX1", name="红线", geom=mp(RED)),
        models.UrbanBoundary(name="城镇开发边界", geom=mp(TOWN)),
        # A house on 永久基本农田: no occupation line is declared, so none is reported.
        models.LandParcel(bsm="H1", dlbm="0702", geom=mp(box(113.021, 31.021, 113.022, 31.022))),
        reservoir("SK1", "小型", 113.05),
        reservoir("SK2", "小型", 113.15),
        reservoir("SK3", "小型", 113.16),
        reservoir("SK4", "中型", 113.17),
    ]


@pytest.mark.parametrize("own_db", ["reference"], indirect=True)
def test_district_only_reference_and_one_pair(own_db) -> None:
    own, own_settings = own_db
    fill(own, reference_rows())
    baseline = load_baseline(LISTS / "district_reference.yaml")
    assert baseline.units == ()
    results = evaluate(own, baseline, own_settings, period="2025")
    assert [(x.unit_code, x.type) for x in results] == [
        ("T001", "area_at_least"),
        ("T001", "three_lines"),
        ("T001", "reservoir_count"),
    ]
    r = keyed(results)

    # By reference: measured (in the list's 亩) and shown, no verdict.
    basic = r[("T001", "area_at_least:basic_farmland", None)]
    mu = (300_000.0 + area_m2(BF2)) / M2_PER_MU
    assert basic.status == "pending" and basic.margin is None
    assert basic.uom == "亩" and basic.measured == pytest.approx(mu, abs=0.02)
    assert basic.target == "永久基本农田保护面积控制在省下达指标内"
    shown = basic.to_dict()
    assert shown["status_label"] == "待定（参照指标）"
    assert shown["measured_text"] != "—" and shown["target_text"] == basic.target
    assert basic.detail["reference"]["reference"] == "省下达指标"

    # One pair named: 生态保护红线 × 永久基本农田 overlap (RED ∩ BF1) counts; the 城镇开发边界
    # over BF2 is another pair, not part of this line.
    three = r[("T001", "three_lines", None)]
    overlap = area_m2(RED.intersection(BF1))
    assert three.status == "fail"
    assert three.detail["area_m2"] == pytest.approx(overlap, rel=1e-4)
    assert three.measured == pytest.approx(round(overlap / M2_PER_MU, 4), abs=1e-3)
    assert three.detail["pairs"] == [["eco_redline", "basic_farmland"]]
    assert three.detail["summary"] == f"重叠 {three.measured:,.2f} 亩（应为 0）"
    assert [(o["a"]["code"], o["b"]["code"]) for o in three.detail["overlaps"]] == [("HX1", "JB1")]
    assert area_m2(TOWN.intersection(BF2)) > 0  # the unnamed pair does overlap

    # At least 2 small reservoirs: 3 → 达标 (compared exactly it would be 预警).
    small = r[("T001", "reservoir_count:小型", None)]
    assert (small.status, small.measured, small.margin) == ("pass", 3, 1)

    # Any registry polygon layer: 城镇开发边界 by the ellipsoidal area of its union, in km².
    other = parse_baseline(
        {
            "name": "其他图层",
            "district": {
                "code": "T001",
                "name": "测试甲区",
                "lines": [
                    {
                        "type": "area_at_least",
                        "layer": "urban_boundary",
                        "target": 2.0,
                        "unit": "km²",
                    }
                ],
            },
        }
    )
    (town,) = evaluate(own, other, own_settings, period="2025")
    assert town.detail["area_m2"] == pytest.approx(area_m2(TOWN), rel=1e-4)
    assert (town.measured, town.status) == (pytest.approx(area_m2(TOWN) / 1e6, abs=1e-4), "pass")


@pytest.mark.parametrize("own_db", ["nounits"], indirect=True)
def test_district_only_list_without_units_in_the_data_is_nodata(own_db) -> None:
    """The district's figures are the sum over the loaded watershed units: with none loaded
    nothing was measured, and a count or an area of 0 would be a false 不达标."""
    own, own_settings = own_db
    fill(own, [r for r in reference_rows() if not isinstance(r, models.LandParcel)], units=False)
    results = evaluate(own, load_baseline(LISTS / "district_reference.yaml"), own_settings)
    assert {(x.type, x.status) for x in results} == {
        ("area_at_least", "nodata"),  # by reference, but nothing measured to show
        ("three_lines", "nodata"),
        ("reservoir_count", "nodata"),
    }
    assert all(x.measured is None for x in results)


# --- List 3: pooled 国控+省控 达标率, 县级及以上 sources per unit, one river's mean class ---

WATER = [
    # code, x (东片 > 113.1), 氨氮, fields; the class worked by hand in the comment
    ("G1", 113.11, 0.4, {"control_level": "国控", "river": "甲河", "target_grade": 3}),  # Ⅱ
    ("G2", 113.02, 1.4, {"control_level": "国控", "river": "甲河", "target_grade": 4}),  # Ⅳ
    ("G3", 113.12, 1.8, {"control_level": "国控", "river": "乙河", "target_grade": 5}),  # Ⅴ
    ("P1", 113.03, 1.2, {"control_level": "省控", "river": "乙河", "target_grade": 4}),  # Ⅳ
    ("C1", 113.13, 2.5, {"control_level": "市控", "river": "丙河", "target_grade": 3}),  # 劣Ⅴ
    ("SA", 113.14, 0.3, {"control_level": "县控", "drinking_source": True,
                         "drinking_source_level": "县级"}),  # Ⅱ, 东片
    ("SB", 113.04, 1.2, {"control_level": "县控", "drinking_source": True,
                         "drinking_source_level": "地市级"}),  # Ⅳ, 西片
    ("SC", 113.05, 0.3, {"control_level": "县控", "drinking_source": True,
                         "drinking_source_level": "乡镇级"}),  # Ⅱ, 西片, not 县级及以上
]  # fmt: skip


def water_rows() -> list:
    return [row for code, x, value, fields in WATER for row in section(code, x, value, **fields)]


@pytest.fixture(scope="module")
def water_db(engine: Engine, settings: Settings) -> Iterator[tuple[Engine, Settings]]:
    own, own_settings = fresh_database(engine, settings, "lists_water")
    fill(own, water_rows())
    yield own, own_settings
    own.dispose()


def test_levels_sources_and_river_mean(water_db) -> None:
    own, own_settings = water_db
    baseline = load_baseline(LISTS / "levels_sources_rivermean.yaml")
    results = evaluate(own, baseline, own_settings, period="2025")
    assert [(x.unit_code, x.type) for x in results] == [
        ("T001", "group_rate"),
        ("T001", "group_mean_class"),
        ("T001-A", "drinking_sources"),
        ("T001-B", "drinking_sources"),
    ]
    r = keyed(results)

    # 国控 + 省控 达标率: G1 Ⅱ ≤ Ⅲ, G2 Ⅳ ≤ Ⅳ, G3 Ⅴ ≤ Ⅴ, P1 Ⅳ ≤ Ⅳ: each meets its own target
    # → 100 %, 达标; 优良 only G1 (25 %), so a 优良率 line would fail. C1 (市控) is no member.
    pooled = r[("T001", "group_rate:国控+省控断面", None)]
    assert (pooled.label, pooled.status, pooled.measured) == ("国控+省控断面达标率", "pass", 100.0)
    assert sorted(m["code"] for m in pooled.detail["members"]) == ["G1", "G2", "G3", "P1"]
    assert (pooled.detail["metric"], pooled.detail["meets_target"], pooled.detail["good"]) == (
        "达标率",
        4,
        1,
    )
    assert (pooled.detail["other_metric"], pooled.detail["other_rate"]) == ("优良率", 25.0)

    # 甲河's 国控 sections G1 (0.4) and G2 (1.4): mean 0.9 mg/L → Ⅲ, meets Ⅲ — though G2
    # alone is Ⅳ. G3 (国控, 乙河) is no member: with it the mean would be 1.2 → Ⅳ.
    mean = r[("T001", "group_mean_class:国控 甲河断面", None)]
    assert (mean.label, mean.status, mean.measured, mean.target, mean.margin) == (
        "甲河国控断面均值",
        "pass",
        "Ⅲ",
        "Ⅲ",
        0,
    )
    assert [m["code"] for m in mean.detail["members"]] == ["G1", "G2"]
    means = {i["key"]: i["value"] for i in mean.detail["assessment"]["indicators"]}
    assert means["nh3n"] == pytest.approx((0.4 + 1.4) / 2)

    # 县级及以上 sources, each unit counting its own: 东片 SA (县级, Ⅱ) → 100 %; 西片 SB (地市级,
    # Ⅳ) → 0 %, its 乡镇级 SC not counted. District-wide, 东片 would read 50 %.
    east = r[("T001-A", "drinking_sources:县级及以上集中式饮用水水源地", None)]
    assert (east.status, east.measured) == ("pass", 100.0)
    assert [e.code for e in east.evidence] == ["SA"]
    west = r[("T001-B", "drinking_sources:县级及以上集中式饮用水水源地", None)]
    assert (west.status, west.measured) == ("fail", 0.0)
    assert [e.code for e in west.evidence] == ["SB"]
    assert west.detail["not_counted"] == [{"name": "SC", "code": "SC", "level": "乡镇级"}]


def _raw(name: str) -> dict:
    return yaml.safe_load((LISTS / name).read_text(encoding="utf-8"))


def _refusal(water_db, raw: dict) -> str:
    own, own_settings = water_db
    with pytest.raises(BaselineError) as err:
        evaluate(own, parse_baseline(raw), own_settings, period="2025")
    message = str(err.value)
    assert message.startswith(f"底线清单「{raw['name']}」与已导入的数据不符")
    return message


def test_a_list_for_another_district_is_refused(water_db) -> None:
    raw = _raw("levels_sources_rivermean.yaml")
    raw["district"]["code"] = "T999"
    message = _refusal(water_db, raw)
    assert "全区编码 T999（测试甲区）不在已导入的区界中（已导入：T001）" in message


def test_an_unknown_unit_code_is_refused(water_db) -> None:
    raw = _raw("levels_sources_rivermean.yaml")
    raw["units"][1]["code"] = "T001-C"
    message = _refusal(water_db, raw)
    assert "片区编码 T001-C（西片）不在已导入的流域片区中（已导入：T001-A、T001-B）" in message
    assert "T001-A（" not in message  # the unit that exists is not named as missing


def test_an_unknown_section_is_refused(water_db) -> None:
    raw = _raw("levels_sources_rivermean.yaml")
    raw["district"]["lines"].append(
        {"type": "section_class", "sections": [{"code": "G1"}, {"code": "NOPE"}]}
    )
    message = _refusal(water_db, raw)
    assert "断面 NOPE 不在已导入的数据中" in message
    assert "G1" not in message.split("：", 1)[1]  # a section found by code is not named


def test_a_section_named_only_by_name_fits_with_a_warning(water_db) -> None:
    own, own_settings = water_db
    raw = _raw("levels_sources_rivermean.yaml")
    raw["district"]["lines"].append(
        {"type": "section_class", "sections": [{"name": "G1"}, {"code": "P1"}]}
    )
    baseline = parse_baseline(raw)
    with own.connect() as conn:
        assert check_fit(conn, baseline).warnings == [
            "断面 G1 按名称匹配；建议在清单中写明编码（code）"
        ]
    found = evaluate(own, baseline, own_settings, period="2025")
    shown = {r.part: (r.measured, r.status) for r in found if r.type == "section_class"}
    assert shown == {"G1": ("Ⅱ", "pass"), "P1": ("Ⅳ", "pass")}  # P1 against its own Ⅳ


def test_counts_without_the_reservoir_layer_are_nodata(water_db) -> None:
    """No reservoir loaded at all is not "0 reservoirs": a count of 0 would read 达标 against
    a target of 0 and 不达标 against any other."""
    own, own_settings = water_db
    raw = _raw("levels_sources_rivermean.yaml")
    raw["district"]["lines"] = [
        {"type": "reservoir_count", "scale": "小型", "target": 0},
        {"type": "reservoir_count", "scale": "中型", "target": 2, "compare": "at_least"},
        {"type": "dam_appraisal"},
    ]
    raw["units"] = []
    results = evaluate(own, parse_baseline(raw), own_settings, period="2025")
    assert [(r.status, r.measured) for r in results] == [("nodata", None)] * 3


@pytest.mark.parametrize("layer", ["moon", "rivers", "sections"])
def test_an_area_of_a_layer_without_areas_is_refused(water_db, layer: str) -> None:
    raw = _raw("levels_sources_rivermean.yaml")
    raw["district"]["lines"].append({"type": "area_at_least", "layer": layer, "target": 1})
    message = _refusal(water_db, raw)
    assert (
        f"测试甲区 第3条底线（{layer}面积（不少于））：图层 '{layer}' 不是可计算面积的面图层"
        in message
    )
    assert "eco_redline" in message  # the layers that can be used are named


def test_every_misfit_is_named_at_once(water_db) -> None:
    raw = copy.deepcopy(_raw("levels_sources_rivermean.yaml"))
    raw["district"]["code"] = "T999"
    raw["units"][0]["code"] = "T001-X"
    raw["district"]["lines"].append({"type": "section_class", "sections": [{"name": "无名断面"}]})
    message = _refusal(water_db, raw)
    for part in ("全区编码 T999", "片区编码 T001-X", "断面 无名断面 不在已导入的数据中"):
        assert part in message


# --- One place per line type ---


def test_every_line_type_has_its_measuring_module_and_nothing_else_does() -> None:
    """Adding a line type is adding gis/lines/<type>.py and layers/checks/<type>.py: the list
    schema and the evaluation find both by name. Helper modules (land, water, reservoirs,
    context) measure nothing on their own."""
    measuring = set()
    for info in pkgutil.iter_modules(layers.checks.__path__):
        module = importlib.import_module(f"layers.checks.{info.name}")
        if callable(getattr(module, "measure", None)):
            measuring.add(info.name)
    assert measuring == set(LINE_TYPES)
    for name, spec in LINE_TYPES.items():
        assert spec.__module__ == f"gis.lines.{name}"
        assert measurer(name) is importlib.import_module(f"layers.checks.{name}").measure


# --- trophic_state: the bloom-risk reservoirs no worse than 中营养 ---

#: TLI(j) = 10 (a + b ln x), weights from r² with chlorophyll a (1, 0.84, 0.82, −0.83, 0.83)
#: of the 2001 技术规定, written out here to work the expected index by hand.
TLI = {
    "chla": (2.5, 1.086, 1.0),
    "tp": (9.436, 1.624, 0.84**2),
    "tn": (5.453, 1.694, 0.82**2),
    "sd": (5.118, -1.94, 0.83**2),
    "codmn": (0.109, 2.661, 0.83**2),
}
CLEAR = {"chla": 10.0, "tp": 0.05, "tn": 1.0, "sd": 1.0, "codmn": 4.0}  # ≈ 48.0: 中营养
GREEN = {"chla": 30.0, "tp": 0.1, "tn": 2.0, "sd": 0.5, "codmn": 4.0}  # ≈ 57.9: 轻度富营养


def tli(values: dict[str, float]) -> float:
    total = sum(r2 for _, _, r2 in TLI.values())
    return sum(10 * (a + b * math.log(values[k])) * r2 / total for k, (a, b, r2) in TLI.items())


def trophic_rows() -> list:
    rows = []
    for code, x, values in (("K1", 113.05, CLEAR), ("K2", 113.15, GREEN), ("K3", 113.16, {}),
                            ("K4", 113.17, {"tp": 0.05, "tn": 1.0})):  # fmt: skip
        rows.append(
            models.Reservoir(code=code, name=f"{code}水库", scale="小型", geom=pt(x, 31.05))
        )
        rows.append(
            models.Section(
                code=f"{code}-库心",
                name=f"{code}库心",
                control_level="县控",
                waterbody="lake",
                target_grade=3,
                reservoir_code=code,
                geom=pt(x, 31.051),
            )
        )
        rows += [
            models.Sample(
                section_code=f"{code}-库心",
                sampled_on=dt.date(2025, m, 10),
                indicator=key,
                value=value,
            )
            for m in range(1, 13)
            for key, value in values.items()
        ]
    return rows


@pytest.mark.parametrize("own_db", ["trophic"], indirect=True)
def test_trophic_state_of_named_reservoirs(own_db) -> None:
    own, own_settings = own_db
    fill(own, trophic_rows())
    baseline = parse_baseline(
        {
            "name": "营养状态测试清单",
            "district": {
                "code": "T001",
                "name": "测试甲区",
                "lines": [
                    {
                        "type": "trophic_state",
                        "label": "水华风险水库营养状态",
                        # by code, by name, one without data, one with two parameters
                        "reservoirs": ["K1", "K2水库", "K3", "K4"],
                        "target": "中营养",
                    }
                ],
            },
        }
    )
    assert 47 < tli(CLEAR) < 49 and 57 < tli(GREEN) < 59  # the hand-worked grades' margins
    results = {r.part: r for r in evaluate(own, baseline, own_settings, period="2025")}
    assert list(results) == ["K1", "K2水库", "K3", "K4"]
    k1, k2, k3, k4 = results.values()
    assert (k1.status, k1.detail["grade"]) == ("pass", "中营养")
    assert k1.detail["index"] == pytest.approx(tli(CLEAR), abs=0.05)
    assert k1.measured == f"中营养（TLI {tli(CLEAR):.1f}）"
    assert [e.code for e in k1.evidence] == ["K1"]
    assert (k2.status, k2.detail["grade"]) == ("fail", "轻度富营养")
    assert k2.detail["index"] == pytest.approx(tli(GREEN), abs=0.05)
    # No samples at all: 无数据, and the reservoir is said to exist (it does).
    assert (k3.status, k3.measured) == ("nodata", None)
    assert "没有营养状态参数的监测数据" in k3.detail["reason"]
    # Two of five parameters: an index exists but is only indicative (参数不全) → 数据不足.
    assert k4.status == "insufficient" and "参数不全" in k4.detail["reason"]
