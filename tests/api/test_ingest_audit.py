"""Ingest through the ETL loader, and the audit log of every write."""

import hashlib
import json
from collections.abc import Iterator

import pytest
from shapely.geometry import mapping
from sqlalchemy import Engine, text

from tests.api import data
from tests.api.conftest import bearer

SAMPLES_FILE = "断面编码,日期,指标,值\nT-API-02,2019-03-01,溶解氧,8.1\nT-API-02,2019-03-01,氨氮,0.05L\n".encode()


def audit_rows(engine: Engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT actor, action, target, source_sha256, detail FROM audit_log WHERE action = :a ORDER BY id"
            ),
            {"a": action},
        ).all()


@pytest.fixture
def cleanup(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM urban_boundary WHERE source = 'ingest-test.geojson'"))
        conn.execute(text("DELETE FROM samples WHERE source = 'ingest-test.csv'"))
        conn.execute(text("DELETE FROM loads WHERE actor LIKE 'test-%'"))


def test_layer_upload_is_loaded_reported_and_audited(client, tokens, engine, cleanup) -> None:
    editor = bearer(tokens["editor"])
    files = {"file": ("ingest-test.geojson", data.LAYER_FILE, "application/geo+json")}
    response = client.post("/api/ingest/urban_boundary", files=files, headers=editor)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (
        report["loaded"] == 1
        and report["replaced"] == 0
        and report["source"] == "ingest-test.geojson"
    )
    assert report["area_m2"] == pytest.approx(data.area_m2(data.ZONE), rel=1e-4)
    # Sending the same file again replaces what it brought.
    again = client.post("/api/ingest/urban_boundary", files=files, headers=editor).json()
    assert again["replaced"] == 1
    with engine.connect() as conn:
        names = (
            conn.execute(
                text("SELECT name FROM urban_boundary WHERE source = 'ingest-test.geojson'")
            )
            .scalars()
            .all()
        )
    assert names == ["导入测试边界"]
    rows = [r for r in audit_rows(engine, "ingest") if r.target == "layers/urban_boundary"]
    assert len(rows) == 2
    assert rows[-1].actor == "test-editor"
    assert rows[-1].source_sha256 == hashlib.sha256(data.LAYER_FILE).hexdigest()
    assert rows[-1].detail["load_id"] == again["load_id"] and rows[-1].detail["role"] == "editor"
    loads = client.get("/api/ingest/loads?layer=urban_boundary", headers=editor).json()
    assert loads[0]["id"] == again["load_id"] and loads[0]["actor"] == "test-editor"


def test_refused_upload_changes_nothing_and_is_audited(client, tokens, engine, cleanup) -> None:
    point = json.dumps({"type": "Point", "coordinates": [115.5, 25.5]}).encode()
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM urban_boundary")).scalar_one()
    files = {"file": ("ingest-test.geojson", point, "application/geo+json")}
    response = client.post(
        "/api/ingest/urban_boundary", files=files, headers=bearer(tokens["admin"])
    )
    assert 400 <= response.status_code < 500, response.text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM urban_boundary")).scalar_one() == before
    refused = audit_rows(engine, "ingest.refused")
    assert refused[-1].actor == "test-admin" and refused[-1].detail["refused"]


def test_samples_upload(client, tokens, engine, cleanup) -> None:
    files = {"file": ("ingest-test.csv", SAMPLES_FILE, "text/csv")}
    response = client.post("/api/ingest/samples", files=files, headers=bearer(tokens["editor"]))
    assert response.status_code == 200, response.text
    assert response.json()["loaded"] == 2
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT indicator, value, below_dl, detection_limit FROM samples WHERE source = 'ingest-test.csv' ORDER BY indicator"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("do", 8.1, False, None), ("nh3n", None, True, 0.05)]


def test_unknown_layer_and_bad_names(client, tokens) -> None:
    editor = bearer(tokens["editor"])
    files = {"file": ("x.geojson", data.LAYER_FILE)}
    assert client.post("/api/ingest/nope", files=files, headers=editor).status_code == 404
    assert (
        client.post(
            "/api/ingest/urban_boundary", files={"file": ("..", data.LAYER_FILE)}, headers=editor
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/ingest/urban_boundary?encoding=gb%20k", files=files, headers=editor
        ).status_code
        == 422
    )


def test_saved_overlap_is_audited_with_the_body_hash(client, tokens, engine) -> None:
    body = json.dumps(mapping(data.IN_ORCHARD)).encode()
    headers = {**bearer(tokens["analyst"]), "content-type": "application/json"}
    saved = client.post(
        "/api/overlap?save=true&name=审计测试", content=body, headers=headers
    ).json()
    row = next(
        r for r in audit_rows(engine, "overlap.save") if r.target == f"saved_checks/{saved['id']}"
    )
    assert row.actor == "test-analyst"
    assert row.source_sha256 == hashlib.sha256(body).hexdigest()
    assert row.detail["verdict"] == "clear"
