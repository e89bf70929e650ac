"""Re-uploading a file through the API says which load it replaced and that the file is the
same (issue 16, defect 2); the audit row records both."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tests.api import data
from tests.api.conftest import bearer

SOURCE = "same-file-test.geojson"


@pytest.fixture
def cleanup(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM urban_boundary WHERE source = :s"), {"s": SOURCE})
        conn.execute(text("DELETE FROM loads WHERE source = :s"), {"s": SOURCE})
        # Other tests count the ingest audit rows of this layer.
        conn.execute(text("DELETE FROM audit_log WHERE detail ->> 'file' = :s"), {"s": SOURCE})


def test_the_same_file_twice_says_so_and_a_changed_one_does_not(client, tokens, engine, cleanup):
    editor = bearer(tokens["editor"])
    upload = {"file": (SOURCE, data.LAYER_FILE, "application/geo+json")}
    first = client.post("/api/ingest/urban_boundary", files=upload, headers=editor).json()
    assert first["previous_load"] is None and first["notes"] == []
    again = client.post("/api/ingest/urban_boundary", files=upload, headers=editor).json()
    assert again["previous_load"]["id"] == first["load_id"] and again["same_file"] is True
    assert again["replaced"] == 1
    assert any(f"第 {first['load_id']} 次导入" in n for n in again["notes"])
    assert any("完全相同" in n and "identical" in n for n in again["notes"])
    changed = data.LAYER_FILE.replace("导入测试边界".encode(), "导入测试边界二".encode())
    upload = {"file": (SOURCE, changed, "application/geo+json")}
    third = client.post("/api/ingest/urban_boundary", files=upload, headers=editor).json()
    assert third["previous_load"]["id"] == again["load_id"] and third["same_file"] is False
    with engine.connect() as conn:
        detail = conn.execute(
            text(
                "SELECT detail FROM audit_log WHERE action = 'ingest' "
                "AND (detail ->> 'load_id')::int = :id"
            ),
            {"id": again["load_id"]},
        ).scalar_one()
    assert detail["same_file"] is True and detail["replaced_load"] == first["load_id"]
