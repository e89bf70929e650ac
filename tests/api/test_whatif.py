"""On the demonstration dataset (real 曾都区 outline, units that make every occupation line
real): a what-if saved from the map is 拟建 and never moves a figure of the list (issue 14: one
saved check once turned 㵐水片区 生态保护红线占用 from 达标 into 不达标); a project outside the
district is 无法判定 and one straddling it gets the right shares. What a test adds to the demo
database (shared by the session) is removed afterwards."""

import json
import math

import pyogrio
import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from shapely import box
from shapely.geometry import mapping, shape
from sqlalchemy import text

from api.auth import create_token
from api.checks_cache import clear, data_version
from api.main import create_app
from tests.api.conftest import bearer
from tests.conftest import DEMO_DIR

LI = "㵐水片区"


@pytest.fixture
def demo_client(demo_engine, demo_settings):
    clear()
    with TestClient(create_app(demo_settings)) as client:
        client.app.state.warming.join(timeout=60)
        yield client
    clear()


def _redline_square(engine) -> dict:
    """A 300 m square on the middle of a 㵐水片区 red-line patch (it overlaps the red line)."""
    with engine.connect() as conn:
        return json.loads(
            conn.execute(
                text(
                    "SELECT ST_AsGeoJSON(ST_Envelope(ST_Buffer(ST_PointOnSurface(e.geom)::geography,"
                    " 150)::geometry)) FROM eco_redline e JOIN units u"
                    " ON ST_Within(ST_PointOnSurface(e.geom), u.geom)"
                    " WHERE u.name = :unit ORDER BY ST_Area(e.geom) DESC LIMIT 1"
                ),
                {"unit": LI},
            ).scalar_one()
        )


def test_saved_what_if_on_the_red_line_leaves_the_list_unchanged(
    demo_client, demo_engine, demo_settings, monkeypatch
) -> None:
    analyst = bearer(create_token(demo_engine, "analyst", name="test-whatif"))
    square = _redline_square(demo_engine)
    before = demo_client.get("/api/checks?period=2025", headers=analyst).json()
    assert "results" in before, before
    version = data_version(demo_engine)
    try:
        saved = demo_client.post(
            "/api/overlap?save=true&name=红线试算", json=square, headers=analyst
        )
        assert saved.status_code == 200, saved.text
        report = saved.json()
        red = next(e for e in report["layers"] if e["layer"] == "eco_redline")
        assert red["area_m2"] > 10_000  # it does overlap the red line
        assert report["verdict"]["status"] == "conflict"
        assert report["project_status"] == "拟建"
        with demo_engine.connect() as conn:
            # a saved check is not a project of the register: it cannot count as occupation
            in_register = conn.execute(
                text("SELECT count(*) FROM projects WHERE name = '红线试算'")
            ).scalar_one()
            owner = conn.execute(
                text("SELECT owner FROM saved_checks WHERE id = :i"), {"i": report["id"]}
            ).scalar_one()
        assert (in_register, owner) == (0, "test-whatif")
        # the cache's key does not move, and a fresh evaluation agrees with the cached one
        assert data_version(demo_engine) == version
        assert demo_client.get("/api/checks?period=2025", headers=analyst).json() == before
        monkeypatch.setattr(demo_client.app.state.settings, "checks_cache_seconds", 0)
        assert demo_client.get("/api/checks?period=2025", headers=analyst).json() == before
        line = next(
            r
            for r in before["results"]
            if r["unit"] == LI and (r["line"], r["part"]) == ("occupation:eco_redline", None)
        )
        assert line["status"] == "pass"
    finally:
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM saved_checks WHERE owner = 'test-whatif'"))
            conn.execute(text("DELETE FROM audit_log WHERE actor = 'test-whatif'"))
            conn.execute(text("DELETE FROM api_tokens WHERE name = 'test-whatif'"))


def _district_outline():
    """曾都区 as shipped (data/shapefiles/district.shp), read independently of the loader."""
    frame = pyogrio.read_dataframe(DEMO_DIR / "district.shp").to_crs(4490)
    return frame.geometry.union_all()


def test_on_the_real_district_outside_is_undetermined_and_straddling_shares_are_right(
    demo_client, demo_engine
) -> None:
    geod = Geod(a=6378137.0, rf=298.257222101)  # CGCS2000

    def area(g) -> float:
        return abs(geod.geometry_area_perimeter(g)[0])

    analyst = bearer(create_token(demo_engine, "analyst", name="test-whatif"))
    district = _district_outline()
    _, y0, x1, y1 = district.bounds
    mid = (y0 + y1) / 2
    try:
        east, _, _ = geod.fwd(x1, mid, 90.0, 60_000.0)  # 60 km east of the easternmost point
        far = box(east, mid, east + 0.01, mid + 0.01)
        body = demo_client.post("/api/overlap", json=mapping(far), headers=analyst).json()
        assert body["verdict"]["status"] == "undetermined", body["verdict"]
        assert "无法判定（超出数据范围）" in body["verdict"]["summary"]
        assert all(e["finding"]["status"] == "undetermined" for e in body["layers"])

        # a 2 km square centred on the westernmost boundary point: part in, part out
        rings = [p.exterior for p in getattr(district, "geoms", [district])]
        wx, wy = min(c for ring in rings for c in ring.coords)
        half_lon = 1000.0 / (111_320.0 * math.cos(math.radians(wy)))
        straddler = box(wx - half_lon, wy - 0.009, wx + half_lon, wy + 0.009)
        share = area(straddler.intersection(district)) / area(straddler)
        assert 0.05 < share < 0.95
        body = demo_client.post("/api/overlap", json=mapping(straddler), headers=analyst).json()
        assert body["coverage"]["covered_share"] == pytest.approx(share, abs=1e-4)
        outside = shape(body["coverage"]["outside_geometry"])
        assert area(outside) == pytest.approx(area(straddler.difference(district)), rel=1e-4)
        assert body["verdict"]["status"] != "clear"
    finally:
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM api_tokens WHERE name = 'test-whatif'"))


def test_the_demo_clean_projects_stay_clear_with_full_coverage(demo_client, demo_engine) -> None:
    """Parcels tile the demo district, so a project inside it is fully covered: coverage does
    not turn every check into 无法判定."""
    with demo_engine.connect() as conn:
        outlines = conn.execute(
            text("SELECT name, ST_AsGeoJSON(geom) FROM projects WHERE status IN ('拟建', '已建')")
        ).all()
    assert len(outlines) == 2
    analyst = bearer(create_token(demo_engine, "analyst", name="test-whatif"))
    try:
        for name, geometry in outlines:
            body = demo_client.post("/api/overlap", json=json.loads(geometry), headers=analyst)
            report = body.json()
            assert report["verdict"]["status"] == "clear", (name, report["verdict"])
            assert report["coverage"]["extent"] == "full"
            assert {e["coverage"]["extent"] for e in report["layers"]} == {"full"}
    finally:
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM api_tokens WHERE name = 'test-whatif'"))
