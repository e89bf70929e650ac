"""`POST /api/ingest/raster/{kind}`: editors only, the loader's checks, audit, size limit."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.auth import create_token
from api.main import create_app
from tests.rasters.conftest import PLAIN_GK, plane, write_tif


@pytest.fixture(scope="module")
def http(raster_db) -> Iterator[tuple[TestClient, dict[str, dict]]]:
    engine, settings = raster_db
    tokens = {
        role: {"Authorization": f"Bearer {create_token(engine, role, name=f'test-raster-{role}')}"}
        for role in ("viewer", "editor")
    }
    with TestClient(create_app(settings)) as client:
        yield client, tokens


def _state(engine) -> tuple:
    with engine.connect() as conn:
        rasters = conn.execute(text("SELECT kind, sha256 FROM rasters ORDER BY kind")).all()
        audit = conn.execute(
            text(
                "SELECT action, target, detail->>'refused' FROM audit_log "
                "WHERE target LIKE 'rasters/%' ORDER BY id"
            )
        ).all()
    return rasters, audit


def test_editor_loads_a_dem_and_it_is_audited(http, raster_db, tmp_path) -> None:
    client, tokens = http
    engine, _ = raster_db
    body = write_tif(tmp_path / "高程.tif", plane() + 1.5).read_bytes()
    response = client.post(
        "/api/ingest/raster/dem?as_of=2024-06-30",
        files={"file": ("高程.tif", body, "image/tiff")},
        headers=tokens["editor"],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["epsg"] == PLAIN_GK and report["as_of"] == "2024-06-30"
    rasters, audit = _state(engine)
    assert ("dem", report["sha256"]) in rasters
    assert audit[-1][:2] == ("ingest", "rasters/dem")


def test_viewer_may_not_load(http, tmp_path) -> None:
    client, tokens = http
    body = write_tif(tmp_path / "d.tif", plane()).read_bytes()
    response = client.post(
        "/api/ingest/raster/dem", files={"file": ("d.tif", body)}, headers=tokens["viewer"]
    )
    assert response.status_code == 403


def test_a_refused_raster_is_audited_and_changes_nothing(http, raster_db, tmp_path) -> None:
    client, tokens = http
    engine, _ = raster_db
    before, _ = _state(engine)
    body = write_tif(tmp_path / "nocrs.tif", plane(), epsg=None).read_bytes()
    response = client.post(
        "/api/ingest/raster/dem", files={"file": ("nocrs.tif", body)}, headers=tokens["editor"]
    )
    assert response.status_code == 422
    assert "没有坐标系" in response.json()["detail"]
    after, audit = _state(engine)
    assert after == before
    assert audit[-1][0] == "ingest.refused" and "没有坐标系" in audit[-1][2]


def test_unknown_kind_and_oversize_body(http, raster_db, tmp_path) -> None:
    client, tokens = http
    body = write_tif(tmp_path / "d.tif", plane()).read_bytes()
    response = client.post(
        "/api/ingest/raster/slope", files={"file": ("d.tif", body)}, headers=tokens["editor"]
    )
    assert response.status_code == 422
    _, settings = raster_db
    small = settings.model_copy(update={"max_upload_mb": len(body) / 2 / 1024 / 1024})
    with TestClient(create_app(small)) as limited:
        response = limited.post(
            "/api/ingest/raster/dem", files={"file": ("d.tif", body)}, headers=tokens["editor"]
        )
    assert response.status_code == 413
