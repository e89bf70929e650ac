"""The app starts against the real database and reports its versions."""

from fastapi.testclient import TestClient

from api.auth import create_token
from api.main import create_app


def test_health_reports_versions(engine, settings) -> None:
    token = create_token(engine, "viewer", name="test-health")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["postgres"].startswith("15")
    assert body["postgis"].startswith("3.")
    assert body["schema_revision"]
    assert set(body["features"]) >= {"district", "farmland", "eco_redline"}


def test_index_page_is_served(engine, settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert "曾都区" in response.text


def test_liveness_answers_without_a_token_or_a_query(engine, settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"read_requires_token": True}))) as c:
        response = c.get("/api/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
