"""The dam-safety appraisal line (《水库大坝安全鉴定办法》 art. 5) on reservoirs with known dates:
预警 from year 6 after the last appraisal, 不达标 past 10 or past 5 after completion without
one, 无数据 when a reservoir has no dates, the latest result kept and 三类坝 reported."""

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape
from shapely import box
from shapely.geometry import MultiPolygon, Point
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from layers import models
from layers.checks import evaluate

U1, U2, U3 = (box(113.0 + 0.1 * i, 31.0, 113.1 + 0.1 * i, 31.1) for i in range(3))


def _baseline():
    units = [("U1", "甲片区", 2), ("U2", "乙片区", 2), ("U3", "丙片区", 1)]

    def lines(small: int) -> list[dict]:
        return [
            {"type": "reservoir_count", "scale": "小型", "target": small},
            {"type": "dam_appraisal"},
        ]

    return parse_baseline(
        {
            "name": "测试清单",
            "source": "test",
            "district": {"code": "D", "name": "测试区", "lines": lines(5)},
            "units": [{"code": c, "name": n, "lines": lines(k)} for c, n, k in units],
        }
    )


def reservoir(code, name, x, completed, last, result=None):
    return models.Reservoir(
        code=code,
        name=name,
        scale="小型",
        completed_on=completed,
        last_appraisal_on=last,
        appraisal_result=result,
        geom=from_shape(Point(x, 31.05), srid=4490),
    )


@pytest.fixture
def results(db: Session, settings):
    db.add_all(
        models.Unit(code=c, name=n, geom=from_shape(MultiPolygon([g]), srid=4490))
        for c, n, g in (("U1", "甲片区", U1), ("U2", "乙片区", U2), ("U3", "丙片区", U3))
    )
    db.add_all(
        [
            # 甲片区: appraised 7 years before 2025-12-31 (due by 2028-12-31) and a recent one.
            reservoir(
                "SK01", "七年库", 113.02, dt.date(1975, 5, 1), dt.date(2018, 12, 31), "二类坝"
            ),
            reservoir("SK02", "新鉴库", 113.04, dt.date(1975, 5, 1), dt.date(2023, 4, 1), "一类坝"),
            # 乙片区: no dates at all, and a 三类坝 appraised recently.
            reservoir("SK03", "无档库", 113.12, None, None),
            reservoir("SK04", "病险库", 113.14, dt.date(1968, 1, 1), dt.date(2022, 7, 1), "三类坝"),
            # 丙片区: completed 2019, never appraised: first appraisal due 2024-06-01.
            reservoir("SK05", "新建库", 113.22, dt.date(2019, 6, 1), None),
        ]
    )
    db.flush()
    found = evaluate(db.connection(), _baseline(), settings, period="2025")
    return {r.unit_code: r for r in found if r.line == "dam_appraisal"}


def test_appraised_seven_years_ago_is_a_warning(results) -> None:
    line = results["U1"]
    assert (line.status, line.measured) == ("warn", 0)
    (due,) = line.detail["due"]
    assert (due["code"], due["name"], due["due"]) == ("SK01", "七年库", "2028-12-31")
    assert [(e.code, e.name) for e in line.evidence] == [("SK01", "七年库")]
    assert line.detail["results"] == {"一类坝": 1, "二类坝": 1, "三类坝": 0, "未填": 0}


def test_missing_dates_make_the_line_nodata_and_unsafe_dams_are_named(results) -> None:
    line = results["U2"]
    assert line.status == "nodata"  # never 达标 while a reservoir's state is unknown
    assert [d["code"] for d in line.detail["dates_unknown"]] == ["SK03"]
    assert line.detail["unsafe"] == [{"id": line.detail["unsafe"][0]["id"], "code": "SK04",
                                      "name": "病险库"}]  # fmt: skip
    assert {e.code for e in line.evidence} == {"SK03", "SK04"}
    assert line.to_dict()["uom_label"] == "座"


def test_never_appraised_past_five_years_fails(results) -> None:
    line = results["U3"]
    assert (line.status, line.measured) == ("fail", 1)
    (overdue,) = line.detail["overdue"]
    assert (overdue["code"], overdue["due"]) == ("SK05", "2024-06-01")


def test_the_district_line_fails_first_then_nodata(results) -> None:
    district = results["D"]
    assert (district.status, district.measured) == ("fail", 1)
    assert district.detail["counts"] == {"pass": 2, "warn": 1, "fail": 1, "nodata": 1}
