"""An ingest that fails with anything but a refusal (here: the ``loads`` table gone from
under the app) answers a plain 500 and still leaves an audit row ``ingest.failed`` with the
editor and the file (issue 16, defect 8: failed ingests wrote no audit row)."""

import io
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.auth import create_token
from api.main import create_app
from layers.settings import Settings
from tests.conftest import DEMO_DIR, fresh_database


def rivers_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part in DEMO_DIR.glob("rivers.*"):
            zf.write(part, part.name)
    return buffer.getvalue()


def test_a_failed_ingest_is_audited(engine: Engine, settings: Settings) -> None:
    own, own_settings = fresh_database(engine, settings, "ingest_failed")
    token = create_token(own, "editor", name="test-ingest-failed")
    try:
        with TestClient(create_app(own_settings)) as client:
            with own.begin() as conn:
                conn.execute(text("ALTER TABLE loads RENAME TO loads_hidden"))
            try:
                response = client.post(
                    "/api/ingest/rivers",
                    files={"file": ("rivers.zip", rivers_zip())},
                    headers={"Authorization": f"Bearer {token}"},
                )
            finally:
                with own.begin() as conn:
                    conn.execute(text("ALTER TABLE loads_hidden RENAME TO loads"))
        assert response.status_code == 500
        assert "loads_hidden" not in response.text
        with own.connect() as conn:
            rows = conn.execute(
                text("SELECT actor, action, target, source_sha256, detail FROM audit_log")
            ).all()
            rivers = conn.execute(text("SELECT count(*) FROM rivers")).scalar_one()
        assert rivers == 0
        ((actor, action, target, digest, detail),) = rows
        assert (actor, action, target) == ("test-ingest-failed", "ingest.failed", "layers/rivers")
        assert detail["file"] == "rivers.zip" and detail["role"] == "editor"
        assert detail["error"] and len(digest) == 64
    finally:
        own.dispose()
