"""The engine does not ping on every checkout (layers/db.py): a connection the server dropped
costs one request a 503, and the next request reconnects."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.main import create_app
from layers.settings import Settings


def test_a_dropped_connection_answers_503_once_then_reconnects(
    settings: Settings, engine: Engine, dataset: None
) -> None:
    app = create_app(settings.model_copy(update={"read_requires_token": False}))
    with TestClient(app) as client:
        assert client.get("/api/sections").status_code == 200
        pool = app.state.engine.pool
        assert pool.checkedin() == 1  # the one connection the next request will reuse
        with app.state.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

        lost = client.get("/api/sections")
        assert lost.status_code == 503, lost.text
        assert "重试" in lost.json()["hint"]
        assert client.get("/api/sections").status_code == 200
