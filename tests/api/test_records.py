"""Inspection records (巡查记录) through the API on the real PostGIS: idempotent by the
device's ids, photo limits and checksums, roles, audit rows, filters, and the conflict rule
for a record edited on two devices (gis/records.py, docs/rules-records.md)."""

import hashlib
import io
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, text

from api.auth import create_token
from tests.api.conftest import bearer
from tests.photos import jpeg_with_exif

POINT = {"lon": 113.3712345, "lat": 31.7154321}


def record_body(**changes) -> dict:
    body = {
        "kind": "排污口",
        "severity": "medium",
        "notes": "河岸有暗管排水",
        **POINT,
        "accuracy_m": 8.5,
        "located_by": "gps",
        "observed_at": "2026-06-01T09:20:00+08:00",
        "device_id": "tablet-a",
    }
    return {**body, **changes}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 120, 0)).save(out, "PNG")
    return out.getvalue()


def count(engine: Engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def audit_actions(engine: Engine, record_id: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT action FROM audit_log WHERE target = :t ORDER BY id"), {"t": record_id}
        )
        return [r.action for r in rows]


@pytest.fixture(autouse=True)
def no_records(engine: Engine) -> Iterator[None]:
    """Only this module writes records: each test starts with none."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inspection_records"))
    yield


@pytest.fixture(scope="module")
def analyst(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["analyst"])


@pytest.fixture(scope="module")
def editor(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["editor"])


@pytest.fixture(scope="module")
def second_device(engine: Engine, tokens: dict[str, str]) -> dict[str, str]:
    return bearer(create_token(engine, "analyst", name="test-device-b"))


def test_a_retried_create_is_one_record_with_one_audit_row(client, analyst, engine):
    rid = str(uuid.uuid4())
    first = client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    assert first.status_code == 201, first.text
    assert first.json()["outcome"] == "created"
    again = client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert again.json()["version"] == 1
    assert count(engine, "SELECT count(*) FROM inspection_records WHERE id = :i", i=rid) == 1
    assert audit_actions(engine, rid) == ["record.create"]
    feature = again.json()["record"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [113.3712345, 31.7154321]}
    assert feature["properties"]["created_by"] == "test-analyst"
    assert feature["history"] == []
    with engine.connect() as conn:
        srid = conn.execute(
            text("SELECT ST_SRID(geom) FROM inspection_records WHERE id = :i"), {"i": rid}
        ).scalar_one()
    assert srid == 4490


def test_roles_viewer_reads_analyst_writes_editor_closes(client, viewer, analyst, editor):
    rid = str(uuid.uuid4())
    refused = client.put(f"/api/records/{rid}", json=record_body(), headers=viewer)
    assert refused.status_code == 403
    assert "analyst" in refused.json()["detail"]
    assert client.put(f"/api/records/{rid}", json=record_body()).status_code == 401
    assert client.put(f"/api/records/{rid}", json=record_body(), headers=analyst).status_code == 201
    assert client.get(f"/api/records/{rid}", headers=viewer).status_code == 200
    close = {"note": "已封堵"}
    assert client.post(f"/api/records/{rid}/close", json=close, headers=analyst).status_code == 403
    assert client.post(f"/api/records/{rid}/close", json=close, headers=editor).status_code == 200


def test_bad_record_input_is_refused(client, analyst):
    rid = str(uuid.uuid4())
    for bad in (
        record_body(kind="偷倒"),
        record_body(severity="extreme"),
        record_body(lat=95),
        record_body(observed_at="2026-06-01T09:20:00"),  # no zone: which day is unknowable
        record_body(notes="x" * 2001),
    ):
        assert client.put(f"/api/records/{rid}", json=bad, headers=analyst).status_code == 422
    assert (
        client.put("/api/records/not-a-uuid", json=record_body(), headers=analyst).status_code
        == 422
    )


def test_photo_is_kept_intact_with_its_exif_and_a_retry_is_one_photo(client, analyst, engine):
    rid, pid = str(uuid.uuid4()), str(uuid.uuid4())
    client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    data = jpeg_with_exif()
    files = {"file": ("IMG_0001.jpg", data, "image/jpeg")}
    first = client.put(f"/api/records/{rid}/photos/{pid}", files=files, headers=analyst)
    assert first.status_code == 201, first.text
    assert first.json()["sha256"] == hashlib.sha256(data).hexdigest()
    again = client.put(f"/api/records/{rid}/photos/{pid}", files=files, headers=analyst)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert count(engine, "SELECT count(*) FROM inspection_photos WHERE record_id = :r", r=rid) == 1
    back = client.get(f"/api/records/{rid}/photos/{pid}", headers=analyst)
    assert back.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(back.content).hexdigest() == hashlib.sha256(data).hexdigest()
    [photo] = client.get(f"/api/records/{rid}", headers=analyst).json()["properties"]["photos"]
    assert photo["taken_at"] == "2026-06-01T09:14:30"
    assert photo["taken_lat"] == pytest.approx(31 + 42 / 60 + 30 / 3600, abs=1e-7)
    assert photo["taken_lon"] == pytest.approx(113 + 22 / 60 + 15 / 3600, abs=1e-7)
    assert (photo["width"], photo["height"], photo["size_bytes"]) == (64, 48, len(data))
    assert audit_actions(engine, rid) == ["record.create", "record.photo"]
    with engine.connect() as conn:
        sha = conn.execute(
            text(
                "SELECT source_sha256 FROM audit_log WHERE target = :t AND action = 'record.photo'"
            ),
            {"t": rid},
        ).scalar_one()
    assert sha == hashlib.sha256(data).hexdigest()


def test_photo_limits(client, analyst, engine):
    rid = str(uuid.uuid4())
    client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)

    def put(content: bytes, name="a.jpg", pid=None):
        url = f"/api/records/{rid}/photos/{pid or uuid.uuid4()}"
        return client.put(url, files={"file": (name, content, "image/jpeg")}, headers=analyst)

    reused = str(uuid.uuid4())
    assert put(png(), "a.png", reused).status_code == 201  # PNG accepted, type from the bytes
    other = put(jpeg_with_exif(), pid=reused)
    assert other.status_code == 409 and "photo id reused" in other.json()["detail"]
    too_big = put(b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    assert too_big.status_code == 413 and "10 MB" in too_big.json()["detail"]
    huge = put(b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024))  # refused before it is read
    assert huge.status_code == 413 and "11 MB" in huge.json()["detail"]
    text_file = put("不是照片".encode(), "a.jpg")
    assert text_file.status_code == 415 and "JPEG" in text_file.json()["detail"]
    heic = put(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG.HEIC")
    assert heic.status_code == 415 and "HEIC" in heic.json()["hint"]
    truncated = put(jpeg_with_exif()[:200])
    assert truncated.status_code == 415
    missing = client.put(
        f"/api/records/{uuid.uuid4()}/photos/{uuid.uuid4()}",
        files={"file": ("a.png", png(), "image/png")},
        headers=analyst,
    )
    assert missing.status_code == 404
    assert count(engine, "SELECT count(*) FROM inspection_photos WHERE record_id = :r", r=rid) == 1


def test_two_devices_edit_one_record_first_wins_and_the_loser_is_kept(
    client, analyst, second_device, engine
):
    rid = str(uuid.uuid4())
    client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    # Both devices start from version 1. Device A changes notes and severity, device B
    # changes notes (otherwise) and the kind. A reaches the server first.
    a = record_body(notes="暗管已拍照，水体发黑", severity="high", base_version=1)
    b = record_body(notes="排口有泡沫", kind="水华", device_id="tablet-b", base_version=1)
    first = client.put(f"/api/records/{rid}", json=a, headers=analyst).json()
    assert (first["outcome"], first["version"], first["conflicts"]) == ("updated", 2, [])
    assert sorted(first["applied"]) == ["notes", "severity"]
    second = client.put(f"/api/records/{rid}", json=b, headers=second_device).json()
    assert second["outcome"] == "conflict"
    assert (second["version"], second["applied"], second["conflicts"]) == (3, ["kind"], ["notes"])
    merged = second["record"]["properties"]
    # A's notes and severity, B's kind: the field only B changed is not lost either
    assert (merged["notes"], merged["severity"], merged["kind"]) == (
        "暗管已拍照，水体发黑",
        "high",
        "水华",
    )
    assert merged["conflicts"] == 1
    history = second["record"]["history"]
    assert [(h["version"], h["reason"]) for h in history] == [
        (1, "superseded"),
        (2, "superseded"),
        (3, "conflict"),
    ]
    lost = history[-1]
    assert lost["snapshot"]["notes"] == "排口有泡沫"  # B's text, kept and shown
    assert (lost["based_on"], lost["conflicts"], lost["written_by"]) == (
        1,
        ["notes"],
        "test-device-b",
    )
    assert history[0]["snapshot"]["notes"] == "河岸有暗管排水"
    # B retries (its answer was lost): nothing new, the losing version is not kept twice
    retry = client.put(f"/api/records/{rid}", json=b, headers=second_device).json()
    assert (retry["outcome"], retry["version"]) == ("unchanged", 3)
    assert len(retry["record"]["history"]) == 3
    assert audit_actions(engine, rid) == ["record.create", "record.update", "record.conflict"]
    ahead = client.put(f"/api/records/{rid}", json={**a, "base_version": 9}, headers=analyst)
    assert ahead.status_code == 409


def test_close_with_a_note_is_a_version_and_idempotent(client, analyst, editor, engine):
    rid = str(uuid.uuid4())
    client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    closed = client.post(
        f"/api/records/{rid}/close", json={"note": "已封堵，无排水"}, headers=editor
    )
    assert closed.status_code == 200
    props = closed.json()["record"]["properties"]
    assert (props["status"], props["close_note"], props["closed_by"], props["version"]) == (
        "closed",
        "已封堵，无排水",
        "test-editor",
        2,
    )
    again = client.post(
        f"/api/records/{rid}/close", json={"note": "已封堵，无排水"}, headers=editor
    )
    assert again.json()["outcome"] == "unchanged"
    other = client.post(f"/api/records/{rid}/close", json={"note": "另一说明"}, headers=editor)
    assert other.status_code == 409
    assert (
        client.post(f"/api/records/{rid}/close", json={"note": ""}, headers=editor).status_code
        == 422
    )
    # the refused second note too (test_refused_writes_leave_an_audit_row_with_the_reason)
    assert audit_actions(engine, rid) == ["record.create", "record.close", "record.close.refused"]


def test_filters_by_kind_status_china_day_and_bbox(client, analyst, editor, viewer):
    ids = {}
    for name, changes in {
        "outfall": {"kind": "排污口", "observed_at": "2026-06-01T16:30:00+00:00"},  # 6月2日 00:30
        "bloom": {"kind": "水华", "observed_at": "2026-06-01T15:30:00+00:00"},  # 6月1日 23:30
        "far": {
            "kind": "垃圾",
            "lon": 113.9,
            "lat": 31.2,
            "observed_at": "2026-05-20T10:00:00+08:00",
        },
    }.items():
        ids[name] = str(uuid.uuid4())
        client.put(f"/api/records/{ids[name]}", json=record_body(**changes), headers=analyst)
    client.post(f"/api/records/{ids['bloom']}/close", json={"note": "已处置"}, headers=editor)

    def listed(**params) -> list[str]:
        answer = client.get("/api/records", params=params, headers=viewer)
        assert answer.status_code == 200, answer.text
        assert answer.json()["type"] == "FeatureCollection"
        return sorted(
            next(k for k, v in ids.items() if v == f["id"]) for f in answer.json()["features"]
        )

    assert listed() == ["bloom", "far", "outfall"]
    assert listed(kind="水华") == ["bloom"]
    assert listed(status="open") == ["far", "outfall"]
    assert listed(status="closed") == ["bloom"]
    assert listed(**{"from": "2026-06-02"}) == ["outfall"]
    assert listed(**{"to": "2026-06-01"}) == ["bloom", "far"]
    assert listed(**{"from": "2026-06-01", "to": "2026-06-01"}) == ["bloom"]
    assert listed(bbox="113.3,31.7,113.4,31.8") == ["bloom", "outfall"]
    assert listed(bbox="113.8,31.1,114.0,31.3", status="open") == ["far"]
    assert client.get("/api/records", params={"bbox": "1,2,3"}, headers=viewer).status_code == 422
    assert client.get("/api/records", params={"kind": "x"}, headers=viewer).status_code == 422


def test_the_list_comes_in_pages_with_a_next_link_until_every_record(client, analyst, viewer):
    made = []
    for day in range(1, 6):
        rid = str(uuid.uuid4())
        body = record_body(observed_at=f"2026-06-0{day}T09:00:00+08:00")
        assert client.put(f"/api/records/{rid}", json=body, headers=analyst).status_code == 201
        made.append(rid)
    newest_first = made[::-1]
    seen, url, pages = [], "/api/records?limit=2&kind=排污口", 0
    while url:
        answer = client.get(url, headers=viewer)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["numberMatched"] == 5
        assert page["numberReturned"] == len(page["features"]) <= 2
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        if url:
            assert "kind=" in url and "limit=2" in url  # the filters go with the next page
        pages += 1
    assert (seen, pages) == (newest_first, 3)
    whole = client.get("/api/records", headers=viewer).json()  # one page of at most 1000
    assert (whole["numberReturned"], whole["links"]) == (5, [])
    for bad in ({"limit": 0}, {"limit": 5001}, {"offset": -1}):
        assert client.get("/api/records", params=bad, headers=viewer).status_code == 422


def test_refused_writes_leave_an_audit_row_with_the_reason(client, analyst, editor, engine):
    rid = str(uuid.uuid4())
    assert client.put(f"/api/records/{rid}", json=record_body(), headers=analyst).status_code == 201
    assert client.post(
        f"/api/records/{rid}/close", json={"note": "已处置"}, headers=editor
    ).is_success
    # closed with another note; a photo that is no image; an edit of a record nobody made
    again = client.post(f"/api/records/{rid}/close", json={"note": "另一说明"}, headers=editor)
    assert again.status_code == 409
    bad_photo = client.put(
        f"/api/records/{rid}/photos/{uuid.uuid4()}",
        files={"file": ("x.jpg", b"not a jpeg", "image/jpeg")},
        headers=analyst,
    )
    assert bad_photo.status_code == 415
    ghost = str(uuid.uuid4())
    edit = client.put(
        f"/api/records/{ghost}", json={**record_body(), "base_version": 2}, headers=analyst
    )
    assert edit.status_code == 404
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT action, target, detail->>'refused', source_sha256 FROM audit_log"
                " WHERE action LIKE 'record.%.refused' AND target IN (:r, :g) ORDER BY id"
            ),
            {"r": rid, "g": ghost},
        ).all()
    assert [(a, t) for a, t, _, _ in rows] == [
        ("record.close.refused", rid),
        ("record.photo.refused", rid),
        ("record.save.refused", ghost),
    ]
    assert "已由" in rows[0][2] and "关闭" in rows[0][2]  # the message the editor got
    assert rows[1][3] == hashlib.sha256(b"not a jpeg").hexdigest()
    assert "没有编号为" in rows[2][2]


def test_unknown_record_is_404(client, viewer):
    assert client.get(f"/api/records/{uuid.uuid4()}", headers=viewer).status_code == 404
    assert (
        client.get(f"/api/records/{uuid.uuid4()}/photos/{uuid.uuid4()}", headers=viewer).status_code
        == 404
    )


@pytest.fixture(scope="module", autouse=True)
def _client_alive(client: TestClient) -> None:
    """The app's lifespan runs once for the module (client is package-scoped)."""


def test_an_edit_from_before_the_closure_is_merged_and_the_record_stays_closed(
    client, analyst, editor
):
    rid = str(uuid.uuid4())
    client.put(f"/api/records/{rid}", json=record_body(), headers=analyst)
    client.post(f"/api/records/{rid}/close", json={"note": "已封堵"}, headers=editor)
    late = client.put(
        f"/api/records/{rid}", json=record_body(notes="补拍了照片", base_version=1), headers=analyst
    ).json()
    assert (late["outcome"], late["version"], late["applied"]) == ("updated", 3, ["notes"])
    props = late["record"]["properties"]
    assert (props["status"], props["close_note"], props["notes"]) == (
        "closed",
        "已封堵",
        "补拍了照片",
    )


def test_simultaneous_sends_of_one_record_make_one_row(settings, tokens, engine):
    """Two sends of the same new record at once (two tabs, or a retry racing the first): the
    second waits for the first's row and finds it unchanged."""
    from concurrent.futures import ThreadPoolExecutor

    from api.main import create_app

    rid = str(uuid.uuid4())
    headers = bearer(tokens["analyst"])
    with (
        TestClient(create_app(settings)) as one,
        TestClient(create_app(settings)) as two,
        ThreadPoolExecutor(2) as pool,
    ):
        answers = list(
            pool.map(
                lambda c: c.put(f"/api/records/{rid}", json=record_body(), headers=headers),
                (one, two),
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert count(engine, "SELECT count(*) FROM inspection_records WHERE id = :i", i=rid) == 1
    assert audit_actions(engine, rid) == ["record.create"]
