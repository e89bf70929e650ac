"""The API serves a repeated evaluation from its cache, and computes afresh once data change
through the platform (a load, a saved project) or the entry expires. On the demonstration data
(they fit the shipped list; what a test adds there is removed afterwards)."""

import json
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

import api.evaluations
import layers.sql
from api.auth import create_token
from api.checks_cache import cached, clear, data_version
from api.main import create_app
from tests.api import data
from tests.api.conftest import bearer

TOKEN = "test-cache"

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [114.001, 24.501],
            [114.002, 24.501],
            [114.002, 24.502],
            [114.001, 24.502],
            [114.001, 24.501],
        ]
    ],
}


@pytest.fixture(scope="module")
def tokens(demo_engine) -> dict[str, str]:
    """Tokens on the demo database, removed with what the tests saved there."""
    yield {
        role: create_token(demo_engine, role, name=TOKEN) for role in ("viewer", "editor", "admin")
    }
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM projects WHERE submitted_by = :n"), {"n": TOKEN})
        conn.execute(text("DELETE FROM audit_log WHERE actor = :n"), {"n": TOKEN})
        conn.execute(text("DELETE FROM api_tokens WHERE name = :n"), {"n": TOKEN})


@pytest.fixture(scope="module")
def viewer(tokens) -> dict[str, str]:
    return bearer(tokens["viewer"])


@pytest.fixture(scope="module")
def admin(tokens) -> dict[str, str]:
    return bearer(tokens["admin"])


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        yield client


@pytest.fixture
def evaluations(monkeypatch) -> list[tuple]:
    """(unit, period, memo) of every evaluation actually computed."""
    clear()
    calls: list[tuple] = []
    original = api.evaluations._evaluate

    def counting(*args):
        calls.append(args[3:])
        return original(*args)

    monkeypatch.setattr(api.evaluations, "_evaluate", counting)
    return calls


def test_repeat_is_cached_until_data_change(
    client, viewer, admin, demo_engine, evaluations
) -> None:
    engine = demo_engine
    first = client.get("/api/checks?period=2024", headers=viewer).json()
    assert first["results"], first
    again = client.get("/api/checks?period=2024", headers=viewer).json()
    assert again == first and len(evaluations) == 1
    client.get("/api/checks?period=2023", headers=viewer)  # another key: computed
    assert len(evaluations) == 2

    # a what-if saved from the map is 拟建: no figure moves, so the cache stays valid
    before = data_version(engine)
    saved = client.post("/api/overlap?save=true&name=缓存测试", json=SQUARE, headers=admin)
    assert saved.status_code == 200
    assert data_version(engine) == before
    assert client.get("/api/checks?period=2024", headers=viewer).json() == first
    assert len(evaluations) == 2

    # a project that occupies (loaded from a register as 在建) changes the data: computed afresh
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO projects (name, status, submitted_by, geom) VALUES "
                    "('缓存测试在建', '在建', :n, "
                    "ST_SetSRID(ST_Multi(ST_GeomFromGeoJSON(:g)), 4490))"
                ),
                {"g": json.dumps(SQUARE), "n": TOKEN},
            )
        assert data_version(engine) != before
        client.get("/api/checks?period=2024", headers=viewer)
        assert len(evaluations) == 3
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM projects WHERE submitted_by = :n"), {"n": TOKEN})


def test_cache_can_be_turned_off(client, viewer, settings, evaluations, monkeypatch) -> None:
    monkeypatch.setattr(client.app.state.settings, "checks_cache_seconds", 0)
    client.get("/api/checks?period=2024", headers=viewer)
    client.get("/api/checks?period=2024", headers=viewer)
    assert len(evaluations) == 2


def _first_line(name: str) -> str:
    return (Path(layers.sql.__file__).parent / f"{name}.sql").read_text().splitlines()[0]


def test_other_units_and_periods_reuse_the_land_statements(
    client, viewer, evaluations, monkeypatch
) -> None:
    """The land statements take no period: run once per data version, whatever the unit or
    period asked next; each answer is the one a fresh evaluation gives."""
    heads = {_first_line(n) for n in ("checks_areas", "checks_occupation", "checks_three_lines")}
    ran: list[str] = []

    def listen(conn, cursor, statement, *args) -> None:
        ran.extend(h for h in heads if statement.startswith(h))

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        asked = ["period=2024", "period=2023", "period=2024&unit=421303-01", "unit=421303-02"]
        answers = [client.get(f"/api/checks?{q}", headers=viewer).json() for q in asked]
        assert len(evaluations) == len(asked)
        assert all(a["results"] for a in answers), answers
        assert {r["unit"] for r in answers[3]["results"]} == {"㵐水片区"}
        assert sorted(ran) == sorted(heads)  # each land statement ran once
        monkeypatch.setattr(client.app.state.settings, "checks_cache_seconds", 0)
        fresh = [client.get(f"/api/checks?{q}", headers=viewer).json() for q in asked]
        assert len(ran) == (1 + len(asked)) * len(heads)  # uncached: every time
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert answers == fresh


def test_start_up_and_an_ingest_warm_the_cache(
    demo_settings, tokens, demo_engine, evaluations
) -> None:
    """With ``warm_checks`` the district's evaluation is computed at start-up and again after
    a load through the API, so the map's next request is served from the cache."""
    viewer, editor = bearer(tokens["viewer"]), bearer(tokens["editor"])
    settings, engine = demo_settings, demo_engine
    app = create_app(settings.model_copy(update={"warm_checks": True}))
    try:
        with TestClient(app) as client:
            app.state.warming.join(timeout=120)
            assert [e[:2] for e in evaluations] == [(None, None)]  # the district, default period
            assert client.get("/api/checks", headers=viewer).status_code == 200
            assert len(evaluations) == 1  # served from what the warm-up computed

            files = {"file": ("warm-test.geojson", data.LAYER_FILE, "application/geo+json")}
            loaded = client.post("/api/ingest/urban_boundary", files=files, headers=editor)
            assert loaded.status_code == 200, loaded.text
            assert len(evaluations) == 2  # the new data, evaluated after the response
            assert client.get("/api/checks", headers=viewer).status_code == 200
            assert len(evaluations) == 2
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM urban_boundary WHERE source = 'warm-test.geojson'"))
            conn.execute(text("DELETE FROM loads WHERE source = 'warm-test.geojson'"))
            conn.execute(text("DELETE FROM audit_log WHERE detail->>'file' = 'warm-test.geojson'"))


def test_concurrent_requests_for_one_evaluation_compute_it_once(settings, engine) -> None:
    """Whoever asks while the same evaluation is under way waits for it; a failed one leaves
    the next caller to compute afresh."""
    clear()
    calls: list[int] = []
    started = threading.Event()

    def slow(memo) -> dict:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return {"n": len(calls)}

    results: list[dict] = []
    first = threading.Thread(target=lambda: results.append(cached(engine, settings, ("t",), slow)))
    first.start()
    started.wait(5)
    results.append(cached(engine, settings, ("t",), slow))  # arrives while the first runs
    first.join()
    assert calls == [1] and results == [{"n": 1}, {"n": 1}]

    def failing(memo) -> dict:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cached(engine, settings, ("u",), failing)
    assert cached(engine, settings, ("u",), slow) == {"n": 2}  # not stuck behind the failure


def test_two_lists_side_by_side_are_cached_apart(demo_settings, viewer, tmp_path, evaluations):
    """Each list has its own cached evaluation for the same unit and period."""
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    (baselines / "zengdu.yaml").write_bytes(demo_settings.baseline_path.read_bytes())
    rivers = {
        "name": "河流清单",
        "district": {
            "code": "421303",
            "name": "曾都区",
            "lines": [
                {
                    "type": "group_rate",
                    "id": "河流优良率",
                    "members": {"waterbody": "river"},
                    "target": 75,
                },
                {"type": "worse_than_v", "target": 0},
            ],
        },
    }
    (baselines / "rivers.yaml").write_text(json.dumps(rivers, ensure_ascii=False), "utf-8")
    own = demo_settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(own)) as client:
        shipped = client.get("/api/checks?period=2025", headers=viewer).json()
        other = client.get("/api/checks?period=2025&list=rivers", headers=viewer).json()
        again = client.get("/api/checks?period=2025", headers=viewer).json()
    assert (shipped["list"], len(shipped["results"])) == ("zengdu", 50)
    assert other["list"] == "rivers" and other["baseline"] == "河流清单"
    assert [r["line"] for r in other["results"]] == ["河流优良率", "worse_than_v:全部断面"]
    assert again == shipped and len(evaluations) == 2  # the third answer from the cache
