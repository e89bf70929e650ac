"""The reservoir_capacity line type on data of its own (a fresh database): totals summed by
hand from the capacities below, per unit and for the district."""

from collections.abc import Iterator

import pytest
from geoalchemy2.shape import from_shape
from shapely import box
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from layers import models
from layers.checks import evaluate
from layers.settings import Settings
from tests.conftest import fresh_database

WEST, EAST = box(113.0, 31.0, 113.1, 31.1), box(113.1, 31.0, 113.2, 31.1)
# (code, x, scale, 总库容 万m³): 西片 中型 1200 + 小型 85.5; 东片 中型 950, 小型 unknown.
RESERVOIRS = [
    ("SK-W1", 113.03, "中型", 1200.0),
    ("SK-W2", 113.06, "小型", 85.5),
    ("SK-E1", 113.13, "中型", 950.0),
    ("SK-E2", 113.16, "小型", None),
]


@pytest.fixture(scope="module")
def own(engine: Engine, settings: Settings) -> Iterator[tuple[Engine, Settings]]:
    db, db_settings = fresh_database(engine, settings, "line_reservoir_capacity")
    with Session(db) as s, s.begin():
        s.add(
            models.District(
                code="T002",
                name="测试乙区",
                geom=from_shape(MultiPolygon([box(113.0, 31.0, 113.2, 31.1)]), 4490),
            )
        )
        s.add(models.Unit(code="W", name="西片", geom=from_shape(MultiPolygon([WEST]), 4490)))
        s.add(models.Unit(code="E", name="东片", geom=from_shape(MultiPolygon([EAST]), 4490)))
        for code, x, scale, capacity in RESERVOIRS:
            s.add(
                models.Reservoir(
                    code=code, name=code, scale=scale, capacity_10k_m3=capacity,
                    geom=from_shape(Point(x, 31.05), 4490),
                )
            )  # fmt: skip
    yield db, db_settings
    db.dispose()


def _list(district_lines, west_lines, east_lines):
    return parse_baseline(
        {
            "name": "库容测试",
            "district": {"code": "T002", "name": "测试乙区", "lines": district_lines},
            "units": [
                {"code": "W", "name": "西片", "lines": west_lines},
                {"code": "E", "name": "东片", "lines": east_lines},
            ],
        }
    )


def test_totals_per_area_and_the_unknown_capacity(own) -> None:
    db, db_settings = own
    medium = {"type": "reservoir_capacity", "scales": ["中型"], "target": 2000}
    baseline = _list(
        [medium],
        [{"type": "reservoir_capacity", "target": 1300}],  # every scale: 1200 + 85.5
        [{"type": "reservoir_capacity", "target": 900}],  # 950 + unknown
    )
    results = {r.unit_code: r for r in evaluate(db, baseline, db_settings, period="2025")}
    district, west, east = results["T002"], results["W"], results["E"]
    assert (district.measured, district.status, district.margin) == (2150.0, "pass", 150.0)
    assert (west.measured, west.status, west.margin) == (1285.5, "fail", -14.5)
    assert (east.status, east.measured) == ("insufficient", None)
    assert east.detail["capacity_unknown"] == ["SK-E2"]
    assert district.to_dict()["target_text"] == "≥ 2000 万m³"
    assert [e.code for e in west.evidence] == ["SK-W1", "SK-W2"]


def test_a_reference_target_is_measured_and_left_pending(own) -> None:
    db, db_settings = own
    line = {"type": "reservoir_capacity", "scales": ["中型"], "target": {"reference": "市下达指标"}}
    baseline = _list([line], [], [])
    (district,) = evaluate(db, baseline, db_settings, period="2025")
    assert (district.status, district.measured) == ("pending", 2150.0)
