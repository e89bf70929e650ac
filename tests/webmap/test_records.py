"""Inspection records on a tablet (issue 18 point 5), over HTTPS with the generated CA:
a record with a photo made offline is saved on the device, synced once when the network is
back, and a connection cut mid-sync (the server got the request, the device never got the
answer) leaves exactly one record and one intact photo on the server; two devices editing one
record keep the documented rule (the first edit wins a field both changed, the other field is
applied, the losing version is in the history and shown); an editor closes a record.

The service worker is blocked in these contexts: the records' queue lives in IndexedDB, not
in the worker, and Playwright's routes (the cut connection) see only the page's requests.
"""

import hashlib
import re
import ssl
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import Engine, delete, text

from api.auth import create_token
from layers.db import session_scope
from layers.models import ApiToken
from tests.photos import jpeg_with_exif
from tests.webmap.conftest import new_context, open_map

HERE = {"latitude": 31.7154321, "longitude": 113.3712346, "accuracy": 12}
RECORD_PUT = re.compile(r"/api/records/[0-9a-f-]{36}(/photos/[0-9a-f-]{36})?$")


@pytest.fixture
def api(tls_server, local_tls) -> Iterator[httpx.Client]:
    trust = ssl.create_default_context(cafile=str(local_tls.ca_certfile))
    headers = {"Authorization": f"Bearer {tls_server.analyst_token}"}
    with httpx.Client(base_url=tls_server.base_url, verify=trust, headers=headers) as client:
        yield client


@pytest.fixture(autouse=True)
def no_records(map_engine: Engine) -> None:
    with map_engine.begin() as conn:
        conn.execute(text("DELETE FROM inspection_records"))


def device(tls_browser, tls_server, token=None) -> BrowserContext:
    """A tablet signed in with ``token`` (the analyst's), its position known, no worker."""
    return new_context(
        tls_browser,
        tls_server,
        token=token or tls_server.analyst_token,
        service_workers="block",
        geolocation=HERE,
        permissions=["geolocation"],
    )


def wait_synced(page: Page, state: str = "idle") -> None:
    page.wait_for_function(f"document.body.dataset.recordsSync === '{state}'", timeout=20_000)


def syncs(page: Page) -> int:
    """How many syncs the page has finished (ws-records.js counts them)."""
    return int(page.evaluate("document.body.dataset.recordsSyncs || '0'"))


def wait_next_sync(page: Page, before: int) -> None:
    page.wait_for_function(
        "n => Number(document.body.dataset.recordsSyncs || 0) > n", arg=before, timeout=20_000
    )


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def open_popup(page: Page, record_id: str) -> None:
    page.evaluate("id => WS.records.marker(id).openPopup()", record_id)
    page.wait_for_selector(f'.ws-record-popup[data-record="{record_id}"]')


def test_offline_record_with_photo_syncs_once_through_a_cut_connection(
    tls_browser, tls_server, map_engine, api
):
    photo = jpeg_with_exif()
    context = device(tls_browser, tls_server)
    page = open_map(context, tls_server)
    wait_synced(page)
    context.set_offline(True)
    page.click("#ws-records-btn")
    page.click("#ws-record-new")
    page.click("#ws-record-gps")
    page.wait_for_function("document.getElementById('ws-record-where').dataset.set === '1'")
    assert "31.715432°N，113.371235°E（定位，精度 ±12 m）" in page.inner_text("#ws-record-where")
    page.select_option("#ws-record-kind", "排污口")
    page.select_option("#ws-record-severity", "high")
    page.fill("#ws-record-notes", "河岸暗管排水，水体发黑")
    page.set_input_files(
        "#ws-record-photo",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}],
    )
    listed = page.wait_for_selector(".ws-record-photo").inner_text()
    assert "拍摄于 2026-06-01 09:14:30，31.70833°N 113.37083°E" in listed  # EXIF read on the device
    page.click("#ws-record-save")
    page.wait_for_function("document.body.dataset.recordsPending === '1'")
    assert page.inner_text("#ws-records-queue") == "1"
    assert page.evaluate("document.body.dataset.recordsShown") == "1"  # the device's own record
    assert scalar(map_engine, "SELECT count(*) FROM inspection_records") == 0
    # its popup previews the photo from the device; closed, the preview's memory is released
    open_popup(page, page.get_attribute("[data-record-go]", "data-record-go"))
    preview = page.get_attribute('.ws-record-popup img[alt="待上传照片"]', "src")
    assert preview.startswith("blob:")
    readable = """url => new Promise((done) => {
        const img = new Image();
        img.onload = () => done(true);
        img.onerror = () => done(false);
        img.src = url;
    })"""
    assert page.evaluate(readable, preview) is True
    page.evaluate("WS.map.closePopup()")
    assert page.evaluate(readable, preview) is False

    # Back online. The first PUT of the record and of the photo reach the server, and the
    # connection is cut before the answer comes back (the case that doubles records).
    attempts = {"record": 0, "photo": 0}

    def cut_after_the_server(route) -> None:
        kind = "photo" if "/photos/" in route.request.url else "record"
        attempts[kind] += 1
        if route.request.method == "PUT" and attempts[kind] == 1:
            headers = {"Content-Type": route.request.headers["content-type"]}
            sent = api.put(
                route.request.url, content=route.request.post_data_buffer, headers=headers
            )
            assert sent.status_code == 201, sent.text
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(RECORD_PUT, cut_after_the_server)
    before = syncs(page)
    context.set_offline(False)  # the "online" event starts a sync
    wait_next_sync(page, before)
    assert page.evaluate("document.body.dataset.recordsSync") == "failed"
    assert page.inner_text("#ws-records-queue") == "1"  # still queued: no answer came
    before = syncs(page)
    page.click("#ws-record-sync")  # the record again (unchanged on the server), the photo cut
    wait_next_sync(page, before)
    assert page.evaluate("document.body.dataset.recordsSync") == "failed"
    before = syncs(page)
    page.click("#ws-record-sync")
    wait_next_sync(page, before)
    assert page.evaluate("document.body.dataset.recordsSync") == "idle"
    assert attempts == {"record": 2, "photo": 2}
    page.wait_for_function("document.body.dataset.recordsPending === '0'")
    assert page.is_hidden("#ws-records-queue")

    assert scalar(map_engine, "SELECT count(*) FROM inspection_records") == 1
    assert scalar(map_engine, "SELECT count(*) FROM inspection_photos") == 1
    stored = scalar(map_engine, "SELECT data FROM inspection_photos")
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(photo).hexdigest()
    [feature] = api.get("/api/records").json()["features"]
    props = feature["properties"]
    assert (props["kind"], props["severity"], props["notes"]) == (
        "排污口",
        "high",
        "河岸暗管排水，水体发黑",
    )
    assert props["located_by"] == "gps" and props["accuracy_m"] == 12
    assert feature["geometry"]["coordinates"] == [113.3712346, 31.7154321]
    [photo_row] = props["photos"]
    assert photo_row["sha256"] == hashlib.sha256(photo).hexdigest()
    assert photo_row["taken_at"] == "2026-06-01T09:14:30"
    creates = scalar(
        map_engine,
        "SELECT count(*) FROM audit_log WHERE target = :t AND action IN ('record.create', 'record.photo')",
        t=feature["id"],
    )
    assert creates == 2  # one create, one photo: the retries wrote nothing

    # The popup shows the stored photo (served by the API, allowed by the page's policy).
    open_popup(page, feature["id"])
    page.wait_for_function(
        "() => { const i = document.querySelector('.ws-record-popup img.ws-record-img');"
        " return i && i.complete && i.naturalWidth === 64; }"
    )
    page.evaluate("WS.map.closePopup()")

    # Synced once: opening the map again sends nothing.
    puts = []
    page.on("request", lambda r: r.method == "PUT" and puts.append(r.url))
    page.reload()
    wait_synced(page)
    assert puts == []
    assert page.evaluate("document.body.dataset.recordsShown") == "1"
    context.close()


def test_two_devices_edit_one_record_the_rule_holds_and_the_loser_is_shown(
    tls_browser, tls_server, map_engine, api
):
    rid = str(uuid.uuid4())
    created = api.put(
        f"/api/records/{rid}",
        json={
            "kind": "垃圾",
            "severity": "low",
            "notes": "岸边堆放生活垃圾",
            "lon": 113.37,
            "lat": 31.71,
            "located_by": "map",
            "observed_at": "2026-06-01T10:00:00+08:00",
        },
    )
    assert created.status_code == 201
    a_context, b_context = device(tls_browser, tls_server), device(tls_browser, tls_server)
    a, b = open_map(a_context, tls_server), open_map(b_context, tls_server)
    for page in (a, b):
        wait_synced(page)
        page.wait_for_function("document.body.dataset.recordsShown === '1'")

    def edit(page: Page, notes: str, severity: str | None = None, kind: str | None = None) -> None:
        open_popup(page, rid)
        page.click(f'[data-record-edit="{rid}"]')
        page.wait_for_function(
            "document.getElementById('ws-record-form-title').textContent.includes('基于第 1 版')"
        )
        page.fill("#ws-record-notes", notes)
        if severity:
            page.select_option("#ws-record-severity", severity)
        if kind:
            page.select_option("#ws-record-kind", kind)
        page.click("#ws-record-save")

    # B edits offline (notes and kind); A edits online (notes and severity) and syncs first.
    b_context.set_offline(True)
    wait_synced(b, "offline")
    edit(b, "垃圾已部分清理，仍有塑料", kind="其他")
    b.wait_for_function("document.body.dataset.recordsPending === '1'")
    before = syncs(a)
    edit(a, "垃圾约 2 吨，需清运", severity="medium")
    wait_next_sync(a, before)
    assert a.evaluate("document.body.dataset.recordsPending") == "0"
    assert api.get(f"/api/records/{rid}").json()["properties"]["version"] == 2

    before = syncs(b)
    b_context.set_offline(False)
    wait_next_sync(b, before)
    assert b.evaluate("document.body.dataset.recordsPending") == "0"
    assert "本设备的版本已存入历史" in b.inner_text("#ws-toast")
    record = api.get(f"/api/records/{rid}").json()
    props = record["properties"]
    # notes: both changed, A's (first at the server) stays; kind: only B changed, applied
    assert (props["notes"], props["severity"], props["kind"]) == (
        "垃圾约 2 吨，需清运",
        "medium",
        "其他",
    )
    assert props["version"] == 3
    lost = [h for h in record["history"] if h["reason"] == "conflict"]
    assert [(h["snapshot"]["notes"], h["conflicts"], h["based_on"]) for h in lost] == [
        ("垃圾已部分清理，仍有塑料", ["notes"], 1)
    ]
    # B's map shows the merged record, says a version was not taken, and shows it
    open_popup(b, rid)
    popup = b.inner_text(".ws-record-popup")
    assert "垃圾约 2 吨，需清运" in popup and "有 1 个未采用的版本" in popup
    b.click(f'[data-record-history="{rid}"]')
    b.wait_for_selector(".ws-history-conflict")
    assert "垃圾已部分清理，仍有塑料" in b.inner_text(".ws-history-conflict")
    a_context.close()
    b_context.close()


def test_the_map_reads_every_page_of_the_list(tls_browser, tls_server, map_engine):
    """1 001 records, one more than the map asks for at once: all of them on the map."""
    with map_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO inspection_records (id, kind, severity, geom, located_by,"
                " observed_at, created_by, updated_by)"
                " SELECT gen_random_uuid(), '垃圾', 'low',"
                " ST_SetSRID(ST_MakePoint(113.30 + n * 1e-4, 31.70), 4490), 'map',"
                " timestamptz '2026-06-01 08:00+08' + n * interval '1 minute', 'test', 'test'"
                " FROM generate_series(1, 1001) AS n"
            )
        )
    context = device(tls_browser, tls_server)
    page = open_map(context, tls_server)
    wait_synced(page)
    assert page.evaluate("document.body.dataset.recordsShown") == "1001"
    assert page.inner_text("#ws-record-count") == "1001 条"
    context.close()


@pytest.fixture
def editor_token(map_engine: Engine) -> Iterator[str]:
    token = create_token(map_engine, "editor", name="records-test-editor")
    yield token
    with session_scope(map_engine) as session:
        session.execute(delete(ApiToken).where(ApiToken.name == "records-test-editor"))


def test_an_editor_closes_a_record_with_a_note_and_filters_follow(
    tls_browser, tls_server, map_engine, api, editor_token
):
    rid = str(uuid.uuid4())
    body = {
        "kind": "水华",
        "severity": "medium",
        "lon": 113.37,
        "lat": 31.71,
        "located_by": "map",
        "observed_at": "2026-06-01T10:00:00+08:00",
    }
    assert api.put(f"/api/records/{rid}", json=body).status_code == 201
    context = device(tls_browser, tls_server, token=editor_token)
    page = open_map(context, tls_server)
    wait_synced(page)
    open_popup(page, rid)
    page.fill("#ws-close-note", "已打捞，水色恢复")
    page.click(f'[data-record-close="{rid}"]')
    page.wait_for_function(
        "id => WS.records.marker(id) && WS.records.marker(id).wsRecord.state === 'closed'", arg=rid
    )
    props = api.get(f"/api/records/{rid}").json()["properties"]
    assert (props["status"], props["close_note"]) == ("closed", "已打捞，水色恢复")
    page.click("#ws-records-btn")
    page.select_option("#ws-record-filter-status", "open")
    page.wait_for_function("document.body.dataset.recordsShown === '0'")
    page.select_option("#ws-record-filter-status", "closed")
    page.wait_for_function("document.body.dataset.recordsShown === '1'")
    # the panel lists it; a tap on the row opens the record on the map
    row = page.locator(f'#ws-record-list [data-record-go="{rid}"]')
    assert "水华" in row.inner_text() and "已关闭" in row.inner_text()
    row.click()
    page.wait_for_selector(f'.ws-record-popup[data-record="{rid}"]')
    context.close()


def test_a_viewer_sees_records_but_cannot_create_or_close(tls_browser, tls_server, api):
    rid = str(uuid.uuid4())
    body = {
        "kind": "水华",
        "severity": "low",
        "lon": 113.37,
        "lat": 31.71,
        "located_by": "map",
        "observed_at": "2026-06-01T10:00:00+08:00",
    }
    api.put(f"/api/records/{rid}", json=body)
    context = device(tls_browser, tls_server, token=tls_server.token)
    page = open_map(context, tls_server)
    wait_synced(page)
    assert page.is_disabled("#ws-record-new")
    open_popup(page, rid)
    assert page.query_selector(f'[data-record-close="{rid}"]') is None
    assert page.query_selector(f'[data-record-edit="{rid}"]') is None
    context.close()


def test_a_record_made_offline_survives_an_offline_restart_and_syncs_when_back(
    tls_browser, tls_server, map_engine, api
):
    """The tablet's app restarted with no network (page from the service worker): the queued
    record is still there, on the map and in the badge, and is sent once the network is back."""
    context = new_context(tls_browser, tls_server, token=tls_server.analyst_token)
    page = open_map(context, tls_server)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    context.set_offline(True)
    page.click("#ws-records-btn")
    page.click("#ws-record-new")
    page.click("#ws-record-pick")  # a tap on the map (on a unit's polygon), no GPS
    box = page.locator(".leaflet-container").bounding_box()
    x, y = round(box["width"] * 0.4), round(box["height"] * 0.6)  # whole pixels
    tapped = page.evaluate(
        "([x, y]) => { const p = WS.map.containerPointToLatLng([x, y]); return [p.lng, p.lat]; }",
        [x, y],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.getElementById('ws-record-where').dataset.set === '1'")
    assert "地图点选" in page.inner_text("#ws-record-where")
    page.select_option("#ws-record-kind", "违法占用")
    page.fill("#ws-record-notes", "河道管理范围内新建棚屋")
    page.click("#ws-record-save")
    page.wait_for_function("document.body.dataset.recordsPending === '1'")

    page.reload()  # offline: the page comes from the service worker
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=20_000)
    wait_synced(page, "offline")
    assert page.inner_text("#ws-records-queue") == "1"
    assert page.evaluate("document.body.dataset.recordsShown") == "1"
    assert scalar(map_engine, "SELECT count(*) FROM inspection_records") == 0

    before = syncs(page)
    context.set_offline(False)
    wait_next_sync(page, before)
    assert page.evaluate("document.body.dataset.recordsSync") == "idle"
    [feature] = api.get("/api/records").json()["features"]
    props = feature["properties"]
    assert (props["kind"], props["notes"], props["located_by"]) == (
        "违法占用",
        "河道管理范围内新建棚屋",
        "map",
    )
    assert props["accuracy_m"] is None
    assert feature["geometry"]["coordinates"] == pytest.approx(tapped, abs=1e-7)
    context.close()


def test_photos_of_the_wrong_type_or_too_large_are_refused_on_the_device(tls_browser, tls_server):
    context = device(tls_browser, tls_server)
    page = open_map(context, tls_server)
    wait_synced(page)
    page.click("#ws-records-btn")
    page.click("#ws-record-new")
    refused = [
        ({"name": "IMG_0002.HEIC", "mimeType": "image/heic", "buffer": b"\0" * 64}, "兼容性最佳"),
        ({"name": "a.gif", "mimeType": "image/gif", "buffer": b"GIF89a"}, "只接受 JPEG、PNG、WebP"),
        (
            {
                "name": "big.jpg",
                "mimeType": "image/jpeg",
                "buffer": b"\xff" * (10 * 1024 * 1024 + 1),
            },
            "超过 10 MB",
        ),
    ]
    for file, message in refused:
        page.set_input_files("#ws-record-photo", files=[file])
        page.wait_for_function(
            "m => document.getElementById('ws-toast').textContent.includes(m)", arg=message
        )
    assert page.locator(".ws-record-photo").count() == 0
    context.close()


def test_an_edit_saved_while_the_first_send_is_under_way_is_not_overwritten(
    tls_browser, tls_server, api
):
    """The device's answer to the first send must not overwrite an edit made meanwhile (the
    classic way sync loses an edit): that edit is sent next, based on the stored version."""
    context = device(tls_browser, tls_server)
    page = open_map(context, tls_server)
    wait_synced(page)
    held = []

    def hold_first(route) -> None:
        if route.request.method == "PUT" and not held:
            held.append(route)  # answered below, after the second edit is saved
        else:
            route.continue_()

    page.route(RECORD_PUT, hold_first)
    page.click("#ws-records-btn")
    page.click("#ws-record-new")
    page.click("#ws-record-gps")
    page.wait_for_function("document.getElementById('ws-record-where').dataset.set === '1'")
    page.fill("#ws-record-notes", "第一次填写")
    page.click("#ws-record-save")
    page.wait_for_function("document.body.dataset.recordsSync === 'running'")
    for _ in range(200):  # the route handler runs while the test waits on the page
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first send never reached the network"
    rid = re.search(r"/api/records/([0-9a-f-]{36})", held[0].request.url).group(1)
    open_popup(page, rid)
    page.click(f'[data-record-edit="{rid}"]')
    page.wait_for_function("!document.getElementById('ws-record-form').hidden")
    page.fill("#ws-record-notes", "补充：排口旁有油污")
    before = syncs(page)
    page.click("#ws-record-save")
    held[0].continue_()
    wait_next_sync(page, before)
    page.wait_for_function("document.body.dataset.recordsPending === '0'")
    record = api.get(f"/api/records/{rid}").json()
    assert record["properties"]["notes"] == "补充：排口旁有油污"
    assert record["properties"]["version"] == 2
    assert [h["snapshot"]["notes"] for h in record["history"]] == ["第一次填写"]
    context.close()
