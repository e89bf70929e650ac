"""Land-class rules of the occupation lines and the as-of of the land lines.

Two units. Under 甲片区's 永久基本农田 patch lie one parcel of each kind of land class; inside
乙片区's red line a road and a dam (permitted, 需核实) and a factory (occupation). Expected
areas are pyproj.Geod(ellps="GRS80") areas of the shapely boxes; categories follow the
三调 groups as written in docs/rules.md ("Land classes"), worked out by hand in the table below.
"""

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely import box
from shapely.geometry import MultiPolygon
from sqlalchemy import delete
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from gis.compliance import basic_farmland_category, redline_category
from layers import models
from layers.checks import evaluate
from layers.checks.land import AS_OF_LAYERS

GEOD = Geod(ellps="GRS80")
MU = 10000 / 15


def area_m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def mp(geom):
    return from_shape(MultiPolygon([geom]), srid=4490)


U1, U2 = box(113.0, 31.0, 113.1, 31.1), box(113.1, 31.0, 113.2, 31.1)
BASIC = box(113.01, 31.01, 113.03, 31.03)


def cell(i: int, x0: float = 113.011, y0: float = 31.011):
    """The i-th small parcel (0.001° square) along a row inside its protected polygon."""
    return box(x0 + 0.002 * i, y0, x0 + 0.002 * i + 0.001, y0 + 0.001)


# (BSM, DLBM, DLMC, expected category under 永久基本农田)
UNDER_BASIC = [
    ("T0", "0101", "水田", "farmland"),
    ("T1", "0201K", "可调整果园", "adjustable"),
    ("T2", "1104K", "可调整养殖坑塘", "adjustable"),
    ("T3", "1202", "设施农用地", "permitted"),
    ("T4", "0301", "乔木林地", "nonfood"),
    ("T5", "1104", "坑塘水面", "nonfood"),
    ("T6", "0702", "农村宅基地", "construction"),
    ("T7", "1101", "河流水面", "other"),
]
FAR_PROJECT = box(113.19, 31.09, 113.195, 31.095)
REDLINE_1 = box(113.05, 31.05, 113.08, 31.08)  # 甲片区: only permitted works inside
REDLINE_2 = box(113.15, 31.05, 113.18, 31.08)  # 乙片区: permitted works and a factory
# (BSM, DLBM, DLMC, unit, cell)
IN_REDLINE = [
    ("R1", "1003", "公路用地", "U1", cell(0, 113.051, 31.051)),
    ("R2", "1109", "水工建筑用地", "U1", cell(1, 113.051, 31.051)),
    ("R3", "1003", "公路用地", "U2", cell(0, 113.151, 31.051)),
    ("R4", "0601", "工业用地", "U2", cell(1, 113.151, 31.051)),
    ("R5", "0301", "乔木林地", "U2", cell(2, 113.151, 31.051)),  # natural: not reported
]


def _baseline():
    def lines(wanmu: float) -> list[dict]:
        return [
            {"type": "area_at_least", "layer": "basic_farmland", "target": wanmu, "unit": "万亩"},
            {"type": "area_at_least", "layer": "eco_redline", "target": wanmu, "unit": "万亩"},
            {"type": "occupation", "protected": "basic_farmland"},
            {"type": "occupation", "protected": "eco_redline"},
        ]

    return parse_baseline(
        {
            "name": "测试清单",
            "source": "test",
            "district": {"code": "D", "name": "测试区", "lines": lines(0.0002)},
            "units": [
                {"code": "U1", "name": "甲片区", "lines": lines(0.0001)},
                {"code": "U2", "name": "乙片区", "lines": lines(0.0001)},
            ],
        }
    )


@pytest.fixture
def land(db: Session) -> Session:
    db.add_all(
        [
            models.Unit(code="U1", name="甲片区", geom=mp(U1)),
            models.Unit(code="U2", name="乙片区", geom=mp(U2)),
            models.BasicFarmland(
                yjjbnttbbh="421303JB0001", zldwmc="甲镇", extra={"SJNF": "2023"}, geom=mp(BASIC)
            ),
            models.EcoRedline(code="HX01", name="甲红线", geom=mp(REDLINE_1)),
            models.EcoRedline(code="HX02", name="乙红线", geom=mp(REDLINE_2)),
            # On no protected land: the projects layer is loaded, so finding nothing more
            # in it is a finding (tests/layers/test_occupation_missing_layers.py).
            models.Project(name="远处项目", status="已批", geom=mp(FAR_PROJECT)),
        ]
    )
    db.add_all(
        models.LandParcel(
            bsm=bsm, dlbm=code, dlmc=name, zldwmc="甲村", extra={"SJNF": 2022}, geom=mp(cell(i))
        )
        for i, (bsm, code, name, _) in enumerate(UNDER_BASIC)
    )
    db.add_all(
        models.LandParcel(bsm=bsm, dlbm=code, dlmc=name, extra={"GXSJ": "2023-09-30"}, geom=mp(g))
        for bsm, code, name, _, g in IN_REDLINE
    )
    # The land layers' only load is this one (other tests' loads in this database, if any,
    # are removed here, within this test's transaction, and come back with its rollback).
    db.execute(delete(models.Load).where(models.Load.layer.in_(AS_OF_LAYERS)))
    db.add(
        models.Load(
            layer="basic_farmland",
            source="YJJBNTTB.shp",
            sha256="0" * 64,
            report={},
            loaded_at=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
        )
    )
    db.flush()
    return db


@pytest.fixture
def results(land: Session, settings):
    found = evaluate(land.connection(), _baseline(), settings, period="2025")
    return {(r.unit_code, r.line, r.part): r for r in found}


def _m2(category: str) -> float:
    return sum(area_m2(cell(i)) for i, row in enumerate(UNDER_BASIC) if row[3] == category)


@pytest.mark.parametrize(("bsm", "code", "name", "category"), UNDER_BASIC)
def test_categories_under_basic_farmland(bsm, code, name, category) -> None:
    assert basic_farmland_category(code) == category


def test_redline_categories() -> None:
    assert [redline_category(c) for c in ("1003", "1109", "0601", "1005", "0301", "1201")] == [
        "linear",
        "water_works",
        "construction",
        "construction",  # a station is not linear
        None,
        "construction",  # 空闲地 counts as construction land
    ]


def test_only_construction_is_occupation_of_basic_farmland(results) -> None:
    line = results[("U1", "occupation:basic_farmland", None)]
    assert line.status == "fail"
    # Only the 0702 house: the K-coded parcels, 设施农用地, 林地, 坑塘 and 河流水面 are not occupation.
    assert line.detail["area_m2"] == pytest.approx(_m2("construction"), rel=1e-6)
    assert {o["code"] for o in line.detail["occupations"]} == {"T6"}
    assert line.detail["summary"] == f"占用 {line.measured:,.2f} 亩（应为 0）"
    house = next(e for e in line.evidence if e.layer == "farmland")
    assert (house.code, house.location, house.name) == ("T6", "甲村", "农村宅基地")
    patch = next(e for e in line.evidence if e.layer == "basic_farmland")
    assert (patch.code, patch.location) == ("421303JB0001", "甲镇")


def test_nonfood_is_a_line_of_its_own(results) -> None:
    line = results[("U1", "occupation:basic_farmland", "nonfood")]
    assert line.status == "review"
    # 0301 乔木林地 and 1104 坑塘水面 (非粮化) and 1101 河流水面 (other: to verify).
    expected = _m2("nonfood") + _m2("other")
    assert line.detail["area_m2"] == pytest.approx(expected, rel=1e-6)
    assert line.measured == pytest.approx(round(expected / MU, 4))
    assert {p["code"] for p in line.detail["parcels"]} == {"T4", "T5", "T7"}
    by = line.detail["by_category"]
    assert by["adjustable"]["area_m2"] == pytest.approx(_m2("adjustable"), rel=1e-6)
    assert by["permitted"]["area_m2"] == pytest.approx(_m2("permitted"), rel=1e-6)
    # The SQL's grouping agrees with the Python rule for every parcel it returned.
    for p in line.detail["parcels"]:
        assert p["category"] == basic_farmland_category(p["dlbm"])
    assert results[("U2", "occupation:basic_farmland", "nonfood")].status == "pass"
    assert results[("D", "occupation:basic_farmland", "nonfood")].status == "review"


def test_linear_works_in_the_redline_are_to_verify(results) -> None:
    only_permitted = results[("U1", "occupation:eco_redline", None)]
    assert only_permitted.status == "review"
    assert only_permitted.measured == 0
    assert only_permitted.detail["permitted_m2"] == pytest.approx(
        area_m2(IN_REDLINE[0][4]) + area_m2(IN_REDLINE[1][4]), rel=1e-6
    )
    assert {p["code"]: p["category"] for p in only_permitted.detail["permitted"]} == {
        "R1": "linear",
        "R2": "water_works",
    }
    mixed = results[("U2", "occupation:eco_redline", None)]
    assert mixed.status == "fail"
    factory = area_m2(IN_REDLINE[3][4])
    assert mixed.detail["area_m2"] == pytest.approx(factory, rel=1e-6)
    assert mixed.measured == pytest.approx(round(factory / MU, 4))
    assert [o["code"] for o in mixed.detail["occupations"]] == ["R4"]
    assert results[("D", "occupation:eco_redline", None)].status == "fail"


def test_land_lines_carry_their_as_of(results) -> None:
    basic = results[("U1", "area_at_least:basic_farmland", None)]
    (as_of,) = basic.as_of
    assert (as_of.layer, as_of.survey_year, as_of.loaded_at) == (
        "basic_farmland",
        "2023",
        "2026-03-02",
    )
    occupation = {a.layer: a for a in results[("U1", "occupation:basic_farmland", None)].as_of}
    # Parcels state 2022 (SJNF) and 2023 (GXSJ); no load of them was recorded.
    assert (occupation["farmland"].survey_year, occupation["farmland"].loaded_at) == (
        "2022–2023",
        None,
    )
    payload = basic.to_dict()
    assert payload["as_of_text"] == "永久基本农田：2023年度数据，2026-03-02 导入"
    redline = results[("U2", "area_at_least:eco_redline", None)]
    assert redline.as_of[0].survey_year is None
    assert redline.to_dict()["as_of_text"].startswith("生态保护红线：数据年度、导入日期不详")
