"""The list evaluation on a small, exactly known dataset.

Two square units side by side. Expected areas come from pyproj.Geod(ellps="GRS80") on the
shapely polygons here, independent of the code under test; classes are worked out by hand.
"""

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely import box
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import event
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from gis.errors import BaselineError, InvalidInputError
from layers import models
from layers.checks import evaluate

GEOD = Geod(ellps="GRS80")
MU = 10000 / 15


def area_m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def mp(geom):
    return from_shape(MultiPolygon([geom]), srid=4490)


U1, U2 = box(113.0, 31.0, 113.1, 31.1), box(113.1, 31.0, 113.2, 31.1)
P1 = box(113.00, 31.00, 113.01, 31.01)  # 水田, TBDLMJ = 95% of TBMJ
P2 = box(113.02, 31.00, 113.03, 31.01)  # 旱地, TBDLMJ missing: ellipsoidal area
P3 = box(113.095, 31.00, 113.105, 31.01)  # 水浇地 straddling the unit boundary, TBDLMJ 90%
P4 = box(113.05, 31.05, 113.06, 31.06)  # 农村宅基地 0702 overlapping basic farmland B2
P5 = box(113.16, 31.07, 113.165, 31.075)  # 工业用地 0601 inside the red line
B2 = box(113.055, 31.05, 113.07, 31.06)
E1 = box(113.15, 31.05, 113.18, 31.08)
E2 = box(113.17, 31.04, 113.19, 31.06)  # another type drawn partly over E1: counted once
UB = box(113.17, 31.07, 113.19, 31.09)
PJ = box(113.16, 31.06, 113.165, 31.065)  # a project inside the red line

FARM_U1 = (
    0.95 * area_m2(P1)
    + area_m2(P2)
    + 0.9 * area_m2(P3) * (area_m2(P3.intersection(U1)) / area_m2(P3))
)
FARM_U2 = 0.9 * area_m2(P3) * (area_m2(P3.intersection(U2)) / area_m2(P3))
BASIC_U1 = 1000.0 + area_m2(B2)  # B1 declares YJJBNTMJ 1000 m², B2 declares nothing
ECO_U2 = area_m2(E1.union(E2))


def wanmu(m2: float) -> float:
    return m2 / MU / 10000


def area_lines(farmland: float, basic: float, eco: float) -> list[dict]:
    return [
        {"type": "area_at_least", "layer": "farmland", "target": farmland, "unit": "万亩"},
        {"type": "area_at_least", "layer": "basic_farmland", "target": basic, "unit": "万亩"},
        {"type": "area_at_least", "layer": "eco_redline", "target": eco, "unit": "万亩"},
    ]


#: What every area of the test list holds besides its figures: the opt-in lines.
HELD = [
    {"type": "dam_appraisal"},
    {"type": "occupation", "protected": "basic_farmland"},
    {"type": "occupation", "protected": "eco_redline"},
    {"type": "three_lines"},
]
JIA = {"name": "甲断面", "control_level": "国控"}
YI = {"name": "乙断面", "control_level": "市控"}
GUO = {"type": "group_rate", "id": "国控优良率", "label": "国控断面优良率", "target": 100}
SHI = {"type": "group_rate", "id": "市控优良率", "label": "市控断面优良率", "target": 90}


def baseline(farm_u1: float, farm_u2: float, basic_u1: float, eco_u2: float):
    """The list: 国控 100 %, 市控 90 % 优良率 per unit and district-wide, the 县级及以上
    sources at 100 % district-wide, the three areas in 万亩 and every opt-in line."""

    def total(a, b):
        return round(a + b, 4)

    def count(medium: int, small: int) -> list[dict]:
        return [
            {"type": "reservoir_count", "scale": "中型", "target": medium},
            {"type": "reservoir_count", "scale": "小型", "target": small},
        ]

    return parse_baseline(
        {
            "name": "测试清单",
            "source": "test",
            "district": {
                "code": "D",
                "name": "测试区",
                "lines": [
                    *count(1, 3),
                    {"type": "section_class", "sections": [JIA, YI]},
                    {**GUO, "members": {"control_levels": ["国控"], "sections": [JIA]}},
                    {**SHI, "members": {"control_levels": ["市控"], "sections": [YI]}},
                    {"type": "drinking_sources", "levels": "县级及以上", "target": 100},
                    *area_lines(total(farm_u1, farm_u2), total(basic_u1, 0), total(0, eco_u2)),
                    *HELD,
                ],
            },
            "units": [
                {
                    "code": "U1",
                    "name": "甲片区",
                    "lines": [
                        *count(1, 2),
                        {"type": "section_class", "sections": [JIA]},
                        {**GUO, "members": {"control_levels": ["国控"], "sections": [JIA]}},
                        *area_lines(farm_u1, basic_u1, 0),
                        *HELD,
                    ],
                },
                {
                    "code": "U2",
                    "name": "乙片区",
                    "lines": [
                        *count(0, 1),
                        {"type": "section_class", "sections": [YI]},
                        {**SHI, "members": {"control_levels": ["市控"], "sections": [YI]}},
                        *area_lines(farm_u2, 0, eco_u2),
                        *HELD,
                    ],
                },
            ],
        }
    )


def reading(code, day, indicator, value):
    return models.Sample(section_code=code, sampled_on=day, indicator=indicator, value=value)


@pytest.fixture
def dataset(db: Session) -> Session:
    db.add_all(
        [
            models.Unit(code="U1", name="甲片区", geom=mp(U1)),
            models.Unit(code="U2", name="乙片区", geom=mp(U2)),
        ]
    )
    land = [
        ("1", "0101", "水田", P1, 0.95 * area_m2(P1)),
        ("2", "0103", "旱地", P2, None),
        ("3", "0102", "水浇地", P3, 0.9 * area_m2(P3)),
        ("4", "0702", "农村宅基地", P4, area_m2(P4)),
        ("5", "0601", "工业用地", P5, area_m2(P5)),
    ]
    db.add_all(
        [models.LandParcel(bsm=b, dlbm=c, dlmc=n, tbdlmj=t, geom=mp(g)) for b, c, n, g, t in land]
    )
    db.add_all(
        [
            models.BasicFarmland(yjjbnttbbh="B1", yjjbntmj=1000.0, geom=mp(P1)),
            models.BasicFarmland(yjjbnttbbh="B2", geom=mp(B2)),
            models.EcoRedline(code="E1", name="测试红线", redline_type="水源涵养", geom=mp(E1)),
            models.EcoRedline(code="E2", name="测试红线二", redline_type="水土保持", geom=mp(E2)),
            models.UrbanBoundary(name="测试城区", geom=mp(UB)),
            # 在建: real land use, so it occupies; a 拟建 one would not (tested at the end)
            models.Project(name="测试项目", status="在建", geom=mp(PJ)),
        ]
    )
    point = lambda x, y: from_shape(Point(x, y), srid=4490)  # noqa: E731
    db.add_all(
        [
            models.Reservoir(
                code="R1",
                name="中库",
                scale="中型",
                completed_on=dt.date(1970, 1, 1),
                last_appraisal_on=dt.date(2020, 5, 1),
                geom=point(113.02, 31.05),
            ),
            models.Reservoir(
                code="R2",
                name="小库一",
                scale="小型",
                completed_on=dt.date(2000, 1, 1),
                last_appraisal_on=dt.date(2014, 6, 30),
                geom=point(113.03, 31.05),
            ),
            models.Reservoir(
                code="R3",
                name="小库二",
                scale="小型",
                completed_on=dt.date(2022, 3, 1),
                geom=point(113.04, 31.05),
            ),
            models.Reservoir(
                code="R4",
                name="小库三",
                scale="小型",
                completed_on=dt.date(1980, 1, 1),
                last_appraisal_on=dt.date(2019, 1, 1),
                geom=point(113.15, 31.02),
            ),
            models.Section(
                code="S1",
                name="甲断面",
                control_level="国控",
                waterbody="river",
                target_grade=3,
                geom=point(113.05, 31.02),
            ),
            models.Section(
                code="S2",
                name="乙断面",
                control_level="市控",
                waterbody="river",
                target_grade=3,
                geom=point(113.15, 31.02),
            ),
            models.Section(
                code="S3",
                name="水源库心",
                control_level="县控",
                waterbody="lake",
                target_grade=2,
                drinking_source=True,
                drinking_source_level="县级",
                geom=point(113.12, 31.02),
            ),
            # A township source (乡镇级) in bad shape: not part of the 县级及以上 line.
            models.Section(
                code="S4",
                name="乡镇水源",
                control_level="县控",
                waterbody="lake",
                target_grade=3,
                drinking_source=True,
                drinking_source_level="乡镇级",
                geom=point(113.13, 31.02),
            ),
        ]
    )
    db.flush()
    # Enough samples for the annual rule (评价办法 二(二)): the 国控 section every month, the
    # others in January (枯), March (平), July and September (丰).
    for month in range(1, 13):
        day = dt.date(2025, month, 10)
        # 甲: DO 6.5 (Ⅱ), NH3-N 0.3 (Ⅱ), TP 0.08 (Ⅱ): class Ⅱ.
        db.add_all(
            [
                reading("S1", day, "do", 6.5),
                reading("S1", day, "nh3n", 0.3),
                reading("S1", day, "tp", 0.08),
            ]
        )
        if month not in (1, 3, 7, 9):
            continue
        db.add_all(
            [
                # 乙: NH3-N mean (1.1 + 1.1 + 1.3 + 1.3) / 4 = 1.2 -> Ⅳ; 超标倍数 0.2.
                reading("S2", day, "do", 6.5),
                reading("S2", day, "nh3n", 1.1 if month <= 3 else 1.3),
                # Drinking source (lake): TP 0.02 -> Ⅱ.
                reading("S3", day, "do", 7.0),
                reading("S3", day, "tp", 0.02),
                # Township source: TP 0.15 in a lake -> Ⅴ.
                reading("S4", day, "do", 7.0),
                reading("S4", day, "tp", 0.15),
            ]
        )
    db.add(
        models.Sample(
            section_code="S3",
            sampled_on=dt.date(2025, 3, 10),
            indicator="cu",
            value=None,
            below_dl=True,
            detection_limit=0.001,
        )
    )
    db.flush()
    return db


def by_key(results):
    """Results by (unit code, line key, part): every result once."""
    keyed = {(r.unit_code, r.line, r.part): r for r in results}
    assert len(keyed) == len(results)
    return keyed


def test_evaluation_of_every_line(dataset: Session, settings) -> None:
    # 甲片区 farmland met by 1%: 达标. 乙片区 farmland short by 1%: 不达标.
    # 甲片区 basic farmland met by 0.2%: inside the 0.5% band, 预警.
    base = baseline(
        round(wanmu(FARM_U1) / 1.01, 4),
        round(wanmu(FARM_U2) * 1.01, 4),
        round(wanmu(BASIC_U1) / 1.002, 4),
        round(wanmu(ECO_U2), 4),
    )
    results = by_key(evaluate(dataset.connection(), base, settings, period="2025"))

    farm1 = results[("U1", "area_at_least:farmland", None)]
    assert farm1.status == "pass"
    assert farm1.detail["area_m2"] == pytest.approx(FARM_U1, rel=1e-4)
    farm2 = results[("U2", "area_at_least:farmland", None)]
    assert farm2.status == "fail" and farm2.margin < 0
    assert farm2.detail["area_m2"] == pytest.approx(FARM_U2, rel=1e-4)
    assert results[("D", "area_at_least:farmland", None)].detail["area_m2"] == pytest.approx(
        FARM_U1 + FARM_U2, rel=1e-4
    )
    assert results[("U1", "area_at_least:basic_farmland", None)].status == "warn"
    assert results[("U1", "area_at_least:basic_farmland", None)].detail["area_m2"] == pytest.approx(
        BASIC_U1, rel=1e-4
    )
    assert results[("U2", "area_at_least:eco_redline", None)].detail["area_m2"] == pytest.approx(
        ECO_U2, rel=1e-4
    )
    # The overlap (0.01° × 0.01°, about 1 km²) is not counted twice.
    doubled = area_m2(E1) + area_m2(E2)
    measured_eco = results[("U2", "area_at_least:eco_redline", None)].detail["area_m2"]
    assert doubled - measured_eco > 0.99 * area_m2(E1.intersection(E2))

    assert results[("U1", "reservoir_count:中型", None)].status == "pass"
    assert results[("U1", "reservoir_count:小型", None)].measured == 2
    assert results[("D", "reservoir_count:小型", None)].measured == 3
    appraisal = results[("U1", "dam_appraisal", None)]
    # R2: last appraised 2014-06-30, due 2024-06-30 < 2025-12-31. R3: built 2022, due 2027.
    assert appraisal.status == "fail"
    assert [e.name for e in appraisal.evidence] == ["小库一"]
    assert appraisal.detail["overdue"][0]["due"] == "2024-06-30"
    # R4 (乙片区): last appraised 2019-01-01, almost 7 years before 2025-12-31: the next is due
    # (6–10 years), 预警 — not yet overdue (2029-01-01).
    due = results[("U2", "dam_appraisal", None)]
    assert (due.status, due.measured) == ("warn", 0)
    assert [(d["code"], d["due"]) for d in due.detail["due"]] == [("R4", "2029-01-01")]

    jia = results[("U1", "section_class", "甲断面")]
    assert (jia.status, jia.measured) == ("pass", "Ⅱ")
    yi = results[("U2", "section_class", "乙断面")]
    assert (yi.status, yi.measured, yi.margin) == ("fail", "Ⅳ", -1)
    assert yi.detail["assessment"]["main_pollutants"][0]["key"] == "nh3n"
    assert yi.detail["assessment"]["main_pollutants"][0]["exceedance"] == pytest.approx(0.2)
    assert results[("U2", "市控优良率", None)].measured == 0
    assert results[("U2", "市控优良率", None)].status == "fail"
    assert results[("D", "国控优良率", None)].status == "pass"
    drinking = results[("D", "drinking_sources:县级及以上集中式饮用水水源地", None)]
    assert (drinking.status, drinking.measured) == ("pass", 100)
    assert [e.name for e in drinking.evidence] == ["水源库心"]
    assert drinking.detail["not_counted"] == [{"name": "乡镇水源", "code": "S4", "level": "乡镇级"}]

    occupation = results[("U1", "occupation:basic_farmland", None)]
    overlap = area_m2(P4.intersection(B2))
    assert occupation.status == "fail"
    assert occupation.detail["area_m2"] == pytest.approx(overlap, rel=1e-4)
    assert {(e.layer, e.name) for e in occupation.evidence} >= {("farmland", "农村宅基地")}
    eco_occupation = results[("U2", "occupation:eco_redline", None)]
    assert eco_occupation.detail["area_m2"] == pytest.approx(area_m2(PJ) + area_m2(P5), rel=1e-4)
    assert {e.name for e in eco_occupation.evidence} >= {"测试项目", "工业用地"}
    three = results[("U2", "three_lines", None)]
    assert three.status == "fail"
    assert three.detail["area_m2"] == pytest.approx(area_m2(E1.intersection(UB)), rel=1e-4)
    assert results[("U1", "three_lines", None)].status == "pass"

    payload = results[("U2", "section_class", "乙断面")].to_dict()
    assert payload["status_label"] == "不达标" and payload["line_label"] == "断面水质"


def test_month_period_and_missing_data(dataset: Session, settings) -> None:
    base = baseline(0.1, 0.01, 0.1, 0.1)
    results = by_key(evaluate(dataset.connection(), base, settings, period="2025-03"))
    # March alone: NH3-N 1.1 is still Ⅳ.
    assert results[("U2", "section_class", "乙断面")].measured == "Ⅳ"
    results = by_key(evaluate(dataset.connection(), base, settings, period="2024-06"))
    assert results[("U1", "section_class", "甲断面")].status == "nodata"
    assert results[("U1", "国控优良率", None)].status == "nodata"


def test_one_unit_and_bad_arguments(dataset: Session, settings) -> None:
    base = baseline(0.1, 0.01, 0.1, 0.1)
    only = evaluate(dataset.connection(), base, settings, unit="乙片区", period="2025")
    assert {r.unit_code for r in only} == {"U2"}
    with pytest.raises(BaselineError, match="没有片区"):
        evaluate(dataset.connection(), base, settings, unit="丙片区")
    with pytest.raises(InvalidInputError, match="时段"):
        evaluate(dataset.connection(), base, settings, period="2025-13-01")


def test_query_count_does_not_grow_with_parcels(dataset: Session, settings) -> None:
    base = baseline(0.1, 0.01, 0.1, 0.1)
    conn = dataset.connection()
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(conn, "before_cursor_execute", count)
    try:
        evaluate(conn, base, settings, period="2025")
        small = len(statements)
        grid = [box(113.0 + i * 0.002, 31.08, 113.0 + (i + 1) * 0.002, 31.082) for i in range(400)]
        dataset.add_all([models.LandParcel(dlbm="0101", geom=mp(g)) for g in grid])
        dataset.flush()
        statements.clear()
        evaluate(conn, base, settings, period="2025")
    finally:
        event.remove(conn, "before_cursor_execute", count)
    # Units and layer presence (2), the list's fit to the data (district, unit and section
    # codes: 3), then one statement per family of measurements (7).
    assert len(statements) == small <= 12


def test_proposed_projects_never_occupy(dataset: Session, settings) -> None:
    """A 拟建 project over 永久基本农田 or inside the red line is a siting question for its
    overlap report, not occupation; once 已批 it counts (DOMAIN §6 "Proposed projects")."""
    on_basic = box(113.062, 31.051, 113.064, 31.053)  # in B2, clear of the 0702 parcel P4
    in_red = box(113.151, 31.051, 113.153, 31.053)  # in E1, clear of PJ and P5
    park = models.Project(name="拟建物流园", status="拟建", geom=mp(on_basic))
    wind = models.Project(name="拟建风电场", geom=mp(in_red))  # no status given: 拟建
    dataset.add_all([park, wind])
    dataset.flush()
    base = baseline(0.1, 0.01, 0.1, 0.1)

    def occupied() -> tuple[float, float]:
        results = by_key(evaluate(dataset.connection(), base, settings, period="2025"))
        return (
            results[("U1", "occupation:basic_farmland", None)].detail["area_m2"],
            results[("U2", "occupation:eco_redline", None)].detail["area_m2"],
        )

    farm, eco = occupied()
    assert farm == pytest.approx(area_m2(P4.intersection(B2)), rel=1e-4)
    assert eco == pytest.approx(area_m2(PJ) + area_m2(P5), rel=1e-4)
    park.status, wind.status = "已批", "在建"
    dataset.flush()
    farm, eco = occupied()
    assert farm == pytest.approx(area_m2(P4.intersection(B2)) + area_m2(on_basic), rel=1e-4)
    assert eco == pytest.approx(area_m2(PJ) + area_m2(P5) + area_m2(in_red), rel=1e-4)
