"""Issue 14, water side, through the list evaluation on PostGIS: the sample-count rule, the
default period, monthly means first, 达标 against the section's own target beside 优良, group
lines with members lacking data, and a section with only 水温. Figures worked by hand."""

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape
from shapely import box
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from layers import models
from layers.checks import evaluate, latest_period

SECTIONS = [
    # code, name, control level, own target (SZMB)
    ("W1", "国控甲", "国控", 3),
    ("W2", "国控乙", "国控", 3),
    ("W3", "漂水河出境", "市控", 3),
    ("W4", "目标二类", "市控", 2),
    ("W5", "只测水温", "市控", 3),
]


def baseline():
    levels = {name: level for _, name, level, _ in SECTIONS}

    def lines(*names, drinking: bool = False) -> list[dict]:
        """A section_class line of the named sections and one 优良率 line per control level
        among them (国控 100 %, 市控 60 %), keyed by the level."""
        listed = [{"name": n, "control_level": levels[n]} for n in names]
        groups = [
            {
                "type": "group_rate",
                "id": level,
                "members": {
                    "control_levels": [level],
                    "sections": [s for s in listed if s["control_level"] == level],
                },
                "target": target,
            }
            for level, target in (("国控", 100), ("市控", 60))
            if level in {levels[n] for n in names}
        ]
        sources = [{"type": "drinking_sources", "levels": "县级及以上", "target": 100}]
        return [{"type": "section_class", "sections": listed}, *groups, *(sources * drinking)]

    return parse_baseline(
        {
            "name": "测试清单",
            "source": "test",
            "district": {
                "code": "D",
                "name": "测试区",
                "lines": lines(*(name for _, name, _, _ in SECTIONS), drinking=True),
            },
            "units": [
                {
                    "code": "U1",
                    "name": "甲片区",
                    "lines": lines("国控甲", "国控乙", "漂水河出境", "目标二类"),
                },
                {"code": "U2", "name": "乙片区", "lines": lines("只测水温")},
            ],
        }
    )


def sample(code: str, day: dt.date, indicator: str, value: float) -> models.Sample:
    return models.Sample(section_code=code, sampled_on=day, indicator=indicator, value=value)


@pytest.fixture
def water(db: Session) -> Session:
    # The sections lie along 31°N at 113.00 … 113.04 and the source at 113.2: 甲片区 holds the
    # first four, 乙片区 只测水温 and the source (the list's units must exist in the data).
    for code, name, geom in (
        ("U1", "甲片区", box(112.99, 30.99, 113.035, 31.01)),
        ("U2", "乙片区", box(113.035, 30.99, 113.25, 31.01)),
    ):
        db.add(models.Unit(code=code, name=name, geom=from_shape(MultiPolygon([geom]), srid=4490)))
    for i, (code, name, level, target) in enumerate(SECTIONS):
        db.add(
            models.Section(
                code=code,
                name=name,
                control_level=level,
                waterbody="river",
                target_grade=target,
                geom=from_shape(Point(113 + i / 100, 31), srid=4490),
            )
        )
    # A county-level drinking-water source (not a listed section): NH3-N 0.3 (Ⅱ) but 锰 in
    # January, April, July, October 0.12, 0.08, 0.20, 0.10 → mean 0.5 / 4 = 0.125 > 0.1 (表2).
    db.add(
        models.Section(
            code="W6",
            name="水源地",
            control_level="县控",
            waterbody="river",
            target_grade=2,
            drinking_source=True,
            drinking_source_level="县级",
            geom=from_shape(Point(113.2, 31), srid=4490),
        )
    )
    db.flush()
    for month, mn in zip((1, 4, 7, 10), (0.12, 0.08, 0.20, 0.10), strict=True):
        db.add(sample("W6", dt.date(2025, month, 10), "nh3n", 0.3))
        db.add(sample("W6", dt.date(2025, month, 10), "mn", mn))
    for month in range(1, 13):
        day = dt.date(2025, month, 10)
        # 国控甲: every month NH3-N 0.3 (Ⅱ). 国控乙: the same but no January: 11 months.
        db.add(sample("W1", day, "nh3n", 0.3))
        if month != 1:
            db.add(sample("W2", day, "nh3n", 0.3))
        # 漂水河出境: TP 0.12 every month, and July sampled five times (0.31, then 0.45 × 4).
        # Monthly means first: (11 × 0.12 + (0.31 + 4 × 0.45) / 5) / 12 = 1.742 / 12 = 0.14517
        # → Ⅲ; the plain mean of the 16 samples, 3.43 / 16 = 0.2144, would be Ⅳ.
        if month != 7:
            db.add(sample("W3", day, "tp", 0.12))
        # 目标二类: NH3-N 0.8 (Ⅲ) in January, April, July and October: 优良 but not its Ⅱ.
        if month in (1, 4, 7, 10):
            db.add(sample("W4", day, "nh3n", 0.8))
            db.add(sample("W5", day, "temp", 18.0))
    for d, v in zip((3, 10, 17, 24, 31), (0.31, 0.45, 0.45, 0.45, 0.45), strict=True):
        db.add(sample("W3", dt.date(2025, 7, d), "tp", v))
    db.flush()
    return db


def results(conn, settings, period):
    return {
        (r.unit_code, r.line, r.part): r
        for r in evaluate(conn, baseline(), settings, period=period)
    }


def test_sections_by_the_rule_and_their_own_target(water: Session, settings) -> None:
    r = results(water.connection(), settings, "2025")
    jia = r[("U1", "section_class", "国控甲")]
    assert (jia.status, jia.measured, jia.detail["sample_count"], jia.detail["month_count"]) == (
        "pass",
        "Ⅱ",
        12,
        12,
    )
    # 国控 with eleven months: 数据不足, with the count, never a class.
    yi = r[("U1", "section_class", "国控乙")]
    assert (yi.status, yi.measured, yi.detail["sample_count"]) == ("insufficient", None, 11)
    assert "11 个月" in yi.detail["reason"] and yi.evidence[0].code == "W2"
    piao = r[("U1", "section_class", "漂水河出境")]
    assert (piao.status, piao.measured) == ("pass", "Ⅲ")
    tp = {i["key"]: i["value"] for i in piao.detail["assessment"]["indicators"]}["tp"]
    assert tp == pytest.approx(1.742 / 12)
    assert piao.detail["sample_count"] == 16 and piao.detail["month_count"] == 12
    # Own target Ⅱ, class Ⅲ: 优良 but 不达标; the line's target is the section's own.
    two = r[("U1", "section_class", "目标二类")]
    assert (two.status, two.measured, two.target, two.margin) == ("fail", "Ⅲ", "Ⅱ", -1)
    assert (two.detail["good"], two.detail["meets_target"]) == (True, False)
    assert two.detail["target_basis"].startswith("断面水质目标")
    assert two.detail["target_source"] == "section"
    # Only water temperature: 数据不足 for that section, and the evaluation goes on.
    temp = r[("D", "section_class", "只测水温")]
    assert (temp.status, temp.measured) == ("insufficient", None)
    assert "水温" in temp.detail["reason"]


def test_group_lines_count_good_and_name_members_lacking_data(water: Session, settings) -> None:
    r = results(water.connection(), settings, "2025")
    # 国控: 国控甲 good, 国控乙 数据不足 → the 100% line cannot be 达标 (it could still be).
    national = r[("U1", "国控", None)]
    assert (national.status, national.measured) == ("insufficient", None)
    assert national.detail["lacking"] == ["国控乙"]
    assert national.detail["counts"].startswith("优良")
    # 市控 in the unit: 漂水河出境 Ⅲ and 目标二类 Ⅲ are both 优良 → 100% ≥ 60%: 达标, while
    # only one of the two meets its own target: 达标率 50%.
    city = r[("U1", "市控", None)]
    assert (city.status, city.measured, city.detail["good"]) == ("pass", 100.0, 2)
    assert (city.detail["meets_target"], city.detail["other_rate"]) == (1, 50.0)
    assert city.detail["other_metric"] == "达标率"
    # District 市控: two good, 只测水温 lacking → 2/3 known, best case 3/3: 数据不足.
    district = r[("D", "市控", None)]
    assert (district.status, district.detail["lacking"]) == ("insufficient", ["只测水温"])


def test_a_january_sample_does_not_move_the_default_period(water: Session, settings) -> None:
    conn = water.connection()
    assert latest_period(conn).label == "2025"
    water.add(sample("W1", dt.date(2026, 1, 8), "nh3n", 0.3))
    water.flush()
    assert latest_period(conn).label == "2025"
    # Asked for 2026 explicitly, the single sample is 数据不足 (1 sample), not 达标.
    r = results(conn, settings, "2026")
    jia = r[("U1", "section_class", "国控甲")]
    assert (jia.status, jia.detail["sample_count"]) == ("insufficient", 1)
    assert r[("U1", "国控", None)].status in ("insufficient", "nodata")
    assert r[("U1", "国控", None)].status != "pass"
    # A 市控 section with three samples over 丰/平/枯 in 2026 makes 2026 the default.
    for month in (1, 4, 7):
        water.add(sample("W4", dt.date(2026, month, 12), "nh3n", 0.3))
    water.flush()
    assert latest_period(conn).label == "2026"


def test_quarter_and_month_periods(water: Session, settings) -> None:
    r = results(water.connection(), settings, "2025-Q1")
    # Q1: 目标二类 has one sample (January) → 数据不足; 国控甲 three → class Ⅱ.
    assert r[("U1", "section_class", "目标二类")].status == "insufficient"
    assert r[("U1", "section_class", "目标二类")].detail["rule"].startswith("季度")
    assert r[("U1", "section_class", "国控甲")].measured == "Ⅱ"
    month = results(water.connection(), settings, "2025-01")
    assert month[("U1", "section_class", "目标二类")].measured == "Ⅲ"


def test_drinking_source_is_held_to_table_2(water: Session, settings) -> None:
    r = results(water.connection(), settings, "2025")
    line = r[("D", "drinking_sources:县级及以上集中式饮用水水源地", None)]
    # Class Ⅱ, but 锰 0.125 > 0.1: not 优良 as a source → 0 of 1 → 不达标.
    assert (line.status, line.measured) == ("fail", 0.0)
    (source,) = line.detail["members"]
    assert (source["class"], source["good"], source["drinking_exceeded"]) == ("Ⅱ", False, ["锰"])
    assert line.evidence[0].code == "W6"
    # Without the 锰 the same source would be 优良: the Table 2 item decides.
    water.execute(text("DELETE FROM samples WHERE section_code = 'W6' AND indicator = 'mn'"))
    again = results(water.connection(), settings, "2025")
    assert again[("D", "drinking_sources:县级及以上集中式饮用水水源地", None)].status == "pass"
