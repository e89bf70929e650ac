"""Occupation lines never read 达标 when a layer that could show an occupation is not loaded.

A database of its own (no other test's rows in sight): two units, a 永久基本农田 patch and a
生态保护红线 polygon in 甲片区, nothing in 乙片区. With only the protected layers loaded, every
occupation line used to read 达标 (nothing found because nothing was there to find). Then a
parcel is added (地类图斑 loaded, 建设项目 not), then a project beside it (both loaded).
"""

from collections.abc import Iterator

import pytest
from geoalchemy2.shape import from_shape
from shapely import box
from shapely.geometry import MultiPolygon
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis.baseline import parse_baseline
from gis.lines.occupation import verdict_with_missing
from layers import models
from layers.checks import evaluate
from layers.settings import Settings
from tests.conftest import fresh_database

U1, U2 = box(113.0, 31.0, 113.1, 31.1), box(113.1, 31.0, 113.2, 31.1)
BASIC = box(113.01, 31.01, 113.03, 31.03)
REDLINE = box(113.05, 31.05, 113.08, 31.08)
FAR = box(113.15, 31.05, 113.151, 31.051)  # in 乙片区, on no protected land


def mp(geom):
    return from_shape(MultiPolygon([geom]), srid=4490)


def _baseline():
    lines = [
        {"type": "occupation", "protected": "basic_farmland"},
        {"type": "occupation", "protected": "eco_redline"},
        {"type": "three_lines"},
    ]
    return parse_baseline(
        {
            "name": "测试清单",
            "source": "test",
            "district": {"code": "D", "name": "测试区", "lines": lines},
            "units": [
                {"code": "U1", "name": "甲片区", "lines": lines},
                {"code": "U2", "name": "乙片区", "lines": lines},
            ],
        }
    )


@pytest.fixture(scope="module")
def protected_only(engine: Engine, settings: Settings) -> Iterator[tuple[Engine, Settings]]:
    own, own_settings = fresh_database(engine, settings, "occupation_missing")
    with Session(own) as s, s.begin():
        s.add_all(
            [
                models.Unit(code="U1", name="甲片区", geom=mp(U1)),
                models.Unit(code="U2", name="乙片区", geom=mp(U2)),
                models.BasicFarmland(yjjbnttbbh="421303JB0001", zldwmc="甲镇", geom=mp(BASIC)),
                models.EcoRedline(code="HX01", name="甲红线", geom=mp(REDLINE)),
            ]
        )
    yield own, own_settings
    own.dispose()


def _results(engine: Engine, settings: Settings, *rows) -> dict:
    """The lines, with ``rows`` added in a transaction that is rolled back."""
    with engine.connect() as conn, conn.begin() as transaction:
        if rows:
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            session.add_all(rows)
            session.flush()
        found = evaluate(conn, _baseline(), settings, period="2025")
        present = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("farmland", "projects")
        }
        transaction.rollback()
    return {(r.unit_code, r.line, r.part): r for r in found}, present


def test_only_the_protected_layers_loaded_gives_no_pass(protected_only) -> None:
    results, present = _results(*protected_only)
    assert present == {"farmland": 0, "projects": 0}
    for unit in ("U1", "U2", "D"):
        for protected in ("basic_farmland", "eco_redline"):
            line = results[(unit, f"occupation:{protected}", None)]
            assert line.status == "undetermined", (unit, protected, line.status)
            assert line.measured is None and line.margin is None
            assert line.detail["missing_layers"] == ["farmland", "projects"]
            assert line.detail["summary"] == "未导入地类图斑、建设项目，无法判定有无占用"
        nonfood = results[(unit, "occupation:basic_farmland", "nonfood")]
        assert nonfood.status == "nodata"
        assert nonfood.detail["summary"] == "未导入地类图斑，无法判定有无非粮化"
    assert all(r.status != "pass" for r in results.values())


def test_parcels_without_projects_still_undetermined(protected_only) -> None:
    parcel = models.LandParcel(bsm="P1", dlbm="0101", dlmc="水田", geom=mp(FAR))
    results, present = _results(*protected_only, parcel)
    assert present == {"farmland": 1, "projects": 0}
    line = results[("U1", "occupation:basic_farmland", None)]
    assert line.status == "undetermined"
    assert line.detail["missing_layers"] == ["projects"]
    assert line.detail["summary"] == "未导入建设项目，无法判定有无占用"
    # 非粮化 needs only the parcels: now judged.
    assert results[("U1", "occupation:basic_farmland", "nonfood")].status == "pass"


def test_a_found_occupation_stands_and_says_it_may_be_incomplete(protected_only) -> None:
    # A house on the 永久基本农田 patch: 不达标 even though the projects are not loaded.
    house = models.LandParcel(
        bsm="P2", dlbm="0702", dlmc="农村宅基地", geom=mp(box(113.011, 31.011, 113.012, 31.012))
    )
    results, _ = _results(*protected_only, house)
    line = results[("U1", "occupation:basic_farmland", None)]
    assert line.status == "fail"
    assert line.detail["summary"].endswith("亩（应为 0）（未导入建设项目，结果可能不全）")


def test_every_layer_loaded_and_nothing_found_is_a_pass(protected_only) -> None:
    parcel = models.LandParcel(bsm="P1", dlbm="0101", dlmc="水田", geom=mp(FAR))
    project = models.Project(name="远处项目", status="已批", geom=mp(FAR))
    results, present = _results(*protected_only, parcel, project)
    assert present == {"farmland": 1, "projects": 1}
    for protected in ("basic_farmland", "eco_redline"):
        line = results[("U1", f"occupation:{protected}", None)]
        assert line.status == "pass"
        assert line.measured == 0 and line.detail["missing_layers"] == []


def test_three_lines_without_the_urban_boundary_names_it(protected_only) -> None:
    results, _ = _results(*protected_only)
    line = results[("U1", "three_lines", None)]
    assert line.status == "nodata" and line.measured is None
    assert line.detail["missing_layers"] == ["urban_boundary"]
    assert line.detail["summary"] == "未导入城镇开发边界，无法判定有无重叠"


def test_the_rule() -> None:
    assert verdict_with_missing("pass", ["projects"]) == "undetermined"
    assert verdict_with_missing("pass", []) == "pass"
    assert verdict_with_missing("fail", ["projects"]) == "fail"
    assert verdict_with_missing("review", ["farmland"]) == "review"
