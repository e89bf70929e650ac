"""A what-if saved from the map's red-line tool is 拟建 and never moves a figure of the list
(issue 14: one saved check once turned 㵐水片区 生态保护红线占用 from 达标 into 不达标).

Runs on the demonstration dataset, whose units make every occupation line real; the saved
record is removed afterwards, since the demo database is shared by the session."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.auth import create_token
from api.checks_cache import clear, data_version
from api.main import create_app
from tests.api.conftest import bearer

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
            status = conn.execute(
                text("SELECT status FROM projects WHERE id = :i"), {"i": report["id"]}
            ).scalar_one()
        assert status == "拟建"
        # the cache's key does not move, and a fresh evaluation agrees with the cached one
        assert data_version(demo_engine) == version
        assert demo_client.get("/api/checks?period=2025", headers=analyst).json() == before
        monkeypatch.setattr(demo_client.app.state.settings, "checks_cache_seconds", 0)
        assert demo_client.get("/api/checks?period=2025", headers=analyst).json() == before
        line = next(
            r
            for r in before["results"]
            if r["unit"] == LI and r["line"] == "eco_redline_occupation"
        )
        assert line["status"] == "pass"
    finally:
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM projects WHERE submitted_by = 'test-whatif'"))
            conn.execute(text("DELETE FROM audit_log WHERE actor = 'test-whatif'"))
            conn.execute(text("DELETE FROM api_tokens WHERE name = 'test-whatif'"))
