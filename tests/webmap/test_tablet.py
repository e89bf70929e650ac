"""Tablet comfort (issue 18, point 6): names on the map without hovering, and search."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import select, update

from api.auth import TOKEN_COOKIE, Principal, principal_for, revoke_token
from layers.db import session_scope
from layers.models import AuditEntry, SigninCode
from tests.webmap.conftest import new_context, open_map, set_view, wait_ready
from tests.webmap.fixture_data import FARMLAND_BOXES, REDLINE_BOX, SECTIONS

RESERVOIRS = {"先觉庙水库", "两河口水库", "新庙水库"}
RIVERS = {"府澴河", "漂水"}
CENTRE = (31.725, 113.35)


def visible_labels(page, key: str) -> set[str]:
    return set(
        page.evaluate(
            """key => [...document.querySelectorAll('.ws-label-' + key)]
                .filter(el => getComputedStyle(el).display !== 'none')
                .map(el => el.textContent)""",
            key,
        )
    )


def test_labels_appear_at_their_zoom_and_not_before(map_page):
    set_view(map_page, *CENTRE, 10)  # the whole district: names would crowd
    for key in ("sections", "reservoirs", "rivers"):
        assert visible_labels(map_page, key) == set(), key
    set_view(map_page, *CENTRE, 11)
    assert visible_labels(map_page, "rivers") == RIVERS
    assert visible_labels(map_page, "sections") == set()
    set_view(map_page, *CENTRE, 12)
    assert visible_labels(map_page, "sections") == {name for name, *_ in SECTIONS.values()}
    assert visible_labels(map_page, "reservoirs") == RESERVOIRS
    # a label is text on the map, not a box that catches taps meant for the features
    assert (
        map_page.evaluate(
            "getComputedStyle(document.querySelector('.ws-label-sections')).pointerEvents"
        )
        == "none"
    )


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(
        base_url=server.base_url, timeout=20, headers={"Authorization": f"Bearer {server.token}"}
    ) as http:
        yield http


def _search(client, q):
    response = client.get("/map/search", params={"q": q})
    assert response.status_code == 200, response.text
    return response.json()


def test_search_finds_features_by_the_bureaus_codes_and_names(client):
    parcel = _search(client, "WM0002")[0]  # the third parcel: 0702 农村宅基地
    assert (parcel["kind"], parcel["code"], parcel["label"]) == (
        "parcel",
        "WM0002",
        "农村宅基地 · 何店镇",
    )
    assert parcel["bbox"] == pytest.approx(list(FARMLAND_BOXES["0702"]))
    redline = _search(client, "hx-01")[0]
    assert (redline["kind"], redline["code"]) == ("eco_redline", "HX-01")
    assert redline["bbox"] == pytest.approx(list(REDLINE_BOX))
    assert _search(client, "JB-002")[0]["code"] == "JB-002"
    village = [h for h in _search(client, "何店") if h["kind"] == "village"]
    assert [h["label"] for h in village] == ["何店镇"]  # one result for all its parcels
    boxes = list(FARMLAND_BOXES.values())
    union = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    assert village[0]["bbox"] == pytest.approx(union)
    by_name = {(h["kind"], h["label"]) for h in _search(client, "水库")}
    assert {("reservoir", name) for name in RESERVOIRS} <= by_name
    section = _search(client, "ZD-01")[0]
    assert (section["kind"], section["label"]) == ("section", SECTIONS["ZD-01"][0])
    # an exact code comes before codes it prefixes
    assert _search(client, "XM")[0]["code"] == "XM"
    assert _search(client, "%") == [] and _search(client, "_") == []  # literal, not wildcards


def test_search_needs_a_reader_and_a_query(server):
    with httpx.Client(base_url=server.base_url, timeout=20) as anonymous:
        assert anonymous.get("/map/search", params={"q": "HX"}).status_code == 401
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}
    ) as reader:
        assert reader.get("/map/search", params={"q": ""}).status_code == 422


def test_search_box_takes_the_map_there_online_and_offline(context, map_page):
    map_page.fill("#ws-search", "HX-01")
    map_page.press("#ws-search", "Enter")
    hit = map_page.locator('.ws-search-hit[data-kind="eco_redline"]')
    hit.first.wait_for()
    hit.first.click()
    map_page.wait_for_function(
        "([w, s, e, n]) => WS.map.getBounds().contains([[s, w], [n, e]]) && WS.map.getZoom() >= 12",
        arg=list(REDLINE_BOX),
    )
    # offline the layers the page holds are searched on the device
    context.set_offline(True)
    map_page.fill("#ws-search", "先觉庙")
    map_page.press("#ws-search", "Enter")
    map_page.locator(".ws-search-note").wait_for()
    assert "离线" in map_page.inner_text(".ws-search-note")
    labels = map_page.locator(".ws-search-hit .ws-search-label").all_inner_texts()
    assert "先觉庙水库" in labels
    context.set_offline(False)


def test_qr_code_signs_a_tablet_in_once_within_five_minutes(server, map_engine):
    auth = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.base_url, timeout=20) as http:
        assert http.post("/map/signin-qr").status_code == 401  # anonymous: no code
        answer = http.post("/map/signin-qr", headers=auth).json()
        url = answer["url"]
        assert url.startswith(server.base_url + "/signin/qr?c=")
        assert answer["svg"].startswith("<svg") and answer["minutes"] == 5
        expires = dt.datetime.fromisoformat(answer["expires_at"])
        assert (
            dt.timedelta(minutes=4) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=5)
        )
    with httpx.Client(timeout=20) as tablet:  # no cookie, no token
        first = tablet.get(url, follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/"
        session = first.cookies[TOKEN_COOKIE]  # a session id of the new viewer token
        assert session != server.token
        assert principal_for(map_engine, session, session=True) == Principal(
            "扫码登录·webmap-test", "viewer"
        )
        again = tablet.get(url, follow_redirects=False)  # the same link a second time
        assert again.status_code == 401 and "已失效或已使用" in again.text
    # an expired code is refused too
    with httpx.Client(base_url=server.base_url, timeout=20) as http:
        stale = http.post("/map/signin-qr", headers=auth).json()["url"]
    with session_scope(map_engine) as session:
        session.execute(
            update(SigninCode).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert httpx.get(stale, follow_redirects=False).status_code == 401
    with map_engine.connect() as conn:
        actions = (
            conn.execute(select(AuditEntry.action).where(AuditEntry.action.like("signin.qr_%")))
            .scalars()
            .all()
        )
    assert actions.count("signin.qr_issued") >= 2 and actions.count("signin.qr_redeemed") == 1
    revoke_token(map_engine, "扫码登录·webmap-test")


def test_desktop_shows_the_qr_code_and_the_tablet_opens_the_map(
    browser, server, map_page, map_engine
):
    map_page.click("#ws-qr-btn")
    dialog = map_page.locator("#ws-qr")
    dialog.wait_for()
    assert dialog.locator(".ws-qr-code svg").count() == 1
    assert "后失效" in dialog.inner_text() and "只能使用一次" in dialog.inner_text()
    url = map_page.inner_text("#ws-qr-url")
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    page = tablet.new_page()
    page.goto(url)
    wait_ready(page)
    assert page.url == server.base_url + "/"
    assert page.locator("#ws-user button[type=submit]").inner_text() == "退出登录"
    tablet.close()
    revoke_token(map_engine, "扫码登录·webmap-test")


def test_an_analyst_may_give_the_tablet_an_analyst_token_to_record(server, map_engine):
    """A field team signed in by QR code records 巡查记录, which needs analyst: an analyst (or
    above) may ask for it, a viewer may not, and no other role can be asked for."""
    viewer = {"Authorization": f"Bearer {server.token}"}
    analyst = {"Authorization": f"Bearer {server.analyst_token}"}
    with httpx.Client(base_url=server.base_url, timeout=20) as http:
        refused = http.post("/map/signin-qr", params={"role": "analyst"}, headers=viewer)
        assert refused.status_code == 403 and "高于本人角色" in refused.text
        assert (
            http.post("/map/signin-qr", params={"role": "editor"}, headers=analyst).status_code
            == 422
        )
        answer = http.post("/map/signin-qr", params={"role": "analyst"}, headers=analyst).json()
        assert answer["role"] == "analyst"
    with httpx.Client(timeout=20) as tablet:
        session = tablet.get(answer["url"], follow_redirects=False).cookies[TOKEN_COOKIE]
    assert principal_for(map_engine, session, session=True) == Principal(
        "扫码登录·webmap-test", "analyst"
    )
    with map_engine.connect() as conn:
        redeemed = conn.execute(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "signin.qr_redeemed")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).scalar_one()
    assert redeemed["tablet_role"] == "analyst"
    revoke_token(map_engine, "扫码登录·webmap-test")


def test_the_qr_dialog_offers_recording_to_an_analyst_only(browser, server, map_engine):
    viewer_page = open_map(new_context(browser, server), server)
    viewer_page.click("#ws-qr-btn")
    viewer_page.locator("#ws-qr .ws-qr-code svg").wait_for()
    assert viewer_page.locator("#ws-qr-analyst").count() == 0
    viewer_page.context.close()

    page = open_map(new_context(browser, server, token=server.analyst_token), server)
    page.click("#ws-qr-btn")
    page.locator("#ws-qr .ws-qr-code svg").wait_for()
    first = page.inner_text("#ws-qr-url")
    assert "查看者" in page.inner_text("#ws-qr")
    page.check("#ws-qr-analyst")
    page.wait_for_function(f"document.getElementById('ws-qr-url').textContent !== {first!r}")
    assert "分析员（可记录巡查）" in page.inner_text("#ws-qr")
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    tablet_page = tablet.new_page()
    tablet_page.goto(page.inner_text("#ws-qr-url"))
    wait_ready(tablet_page)
    assert tablet_page.evaluate("WS.config().user.role") == "analyst"
    tablet.close()
    page.context.close()
    revoke_token(map_engine, "扫码登录·webmap-test")
