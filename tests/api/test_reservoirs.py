"""Trophic state of a reservoir from its lake section's samples (DOMAIN.md §3, by hand)."""

import datetime as dt
import math
from collections.abc import Iterator

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, text

from layers import models
from layers.db import session_scope

SOURCE = "api-test-trophic"


@pytest.fixture(scope="module")
def reservoir(engine: Engine, dataset: None) -> Iterator[str]:
    where = from_shape(Point(114.05, 24.55), srid=4490)
    with session_scope(engine) as s:
        s.add(
            models.Reservoir(
                code="T-TLI",
                name="测试水库",
                scale="中型",
                bloom_risk=True,
                geom=where,
                source=SOURCE,
            )
        )
        s.add(
            models.Section(
                code="T-TLI-S",
                name="测试库心",
                control_level="县控",
                waterbody="lake",
                target_grade=3,
                reservoir_code="T-TLI",
                geom=where,
                source=SOURCE,
            )
        )
        s.flush()
        readings = {
            "chla": (8.0, 12.0),
            "tp": (0.04, 0.06),
            "tn": (1.0, 1.0),
            "sd": (1.0, 1.0),
            "codmn": (4.0, 4.0),
        }
        for key, values in readings.items():
            for month, value in zip((7, 8), values, strict=True):
                s.add(
                    models.Sample(
                        section_code="T-TLI-S",
                        sampled_on=dt.date(2024, month, 3),
                        indicator=key,
                        value=value,
                        source=SOURCE,
                    )
                )
        # September: transparency only (1.0 m, so the 2024 mean of SD stays 1.0).
        s.add(
            models.Sample(
                section_code="T-TLI-S",
                sampled_on=dt.date(2024, 9, 3),
                indicator="sd",
                value=1.0,
                source=SOURCE,
            )
        )
    yield "T-TLI"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sections WHERE source = :s"), {"s": SOURCE})
        conn.execute(text("DELETE FROM reservoirs WHERE source = :s"), {"s": SOURCE})


def test_trophic_state_of_the_period_means(client, viewer, reservoir: str) -> None:
    body = client.get(f"/api/reservoirs/{reservoir}/trophic", headers=viewer).json()
    # Means: chla 10, TP 0.05, TN 1.0, SD 1.0, CODMn 4 (the DOMAIN.md §3 formulas):
    partials = [
        10 * (2.5 + 1.086 * math.log(10)),
        10 * (9.436 + 1.624 * math.log(0.05)),
        10 * (5.453 + 1.694 * math.log(1.0)),
        10 * (5.118 - 1.94 * math.log(1.0)),
        10 * (0.109 + 2.661 * math.log(4)),
    ]
    weights = [0.2663, 0.1879, 0.1790, 0.1834, 0.1834]
    expected = sum(w * p for w, p in zip(weights, partials, strict=True)) / sum(weights)
    assert body["period"] == "2024"
    assert body["index"] == pytest.approx(expected, abs=1e-6)
    assert body["grade"] == "中营养" and body["eutrophic"] is False
    assert body["means"]["chla"] == pytest.approx(10.0)
    assert body["reservoir"]["name"] == "测试水库" and body["sections"] == ["T-TLI-S"]
    assert (body["complete"], body["flag"], body["missing"]) == (True, None, [])


def test_an_index_from_fewer_parameters_is_flagged(client, viewer, reservoir: str) -> None:
    body = client.get(f"/api/reservoirs/{reservoir}/trophic?period=2024-09", headers=viewer).json()
    # SD alone: TLI(SD) = 10 (5.118 − 1.94 ln 1.0) = 51.18, published only as 参数不全.
    assert body["index"] == pytest.approx(51.18)
    assert (body["complete"], body["flag"]) == (False, "参数不全")
    assert [m["name"] for m in body["missing"]] == ["叶绿素a", "总磷", "总氮", "高锰酸盐指数"]


def test_no_measurements_and_unknown_reservoir(client, viewer, reservoir: str) -> None:
    empty = client.get(f"/api/reservoirs/{reservoir}/trophic?period=2023", headers=viewer).json()
    assert empty["index"] is None and empty["grade"] is None
    missing = client.get("/api/reservoirs/NOPE/trophic", headers=viewer)
    assert missing.status_code == 404 and "NOPE" in missing.json()["detail"]
    assert (
        client.get(
            f"/api/reservoirs/{reservoir}/trophic?period=2023-13", headers=viewer
        ).status_code
        == 422
    )
