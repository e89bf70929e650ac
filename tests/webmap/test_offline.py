"""The installable offline app (issue 18, points 2 and 3), over HTTPS with the generated CA
trusted by Chromium (a service worker needs a secure context and a valid certificate).

One visit online, then ``context.set_offline(True)`` and a reload: the map shell, the
sections with their classes and the bottom-line panel come from the service worker's caches;
the page says 离线 with the time the data were fetched; a period that was never fetched is
refused with "离线，未缓存" and the map keeps the last good period (no grey 无数据).
"""

import datetime as dt
import hashlib
import json
import ssl
import struct

import httpx
import pytest

from api.routes.webmap import STATIC_DIR
from tests.webmap.conftest import new_context, wait_ready
from tests.webmap.test_page_html import ANY_HOST, BLOCK_COMMENT, URL_ATTRIBUTE
from webmap import assets

SECTION_DOTS = ".ws-section-marker .ws-dot[data-code]"


@pytest.fixture(scope="module")
def client(tls_server, local_tls):
    trust = ssl.create_default_context(cafile=str(local_tls.ca_certfile))
    with httpx.Client(base_url=tls_server.base_url, verify=trust, timeout=30) as http:
        yield http


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_names_installable_icons(client):
    manifest = client.get(assets.MANIFEST).json()
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "曾都区流域底线管控平台"
    sizes = set()
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon
        if icon["type"] == "image/png":
            width, height = png_size(response.content)
            assert f"{width}x{height}" == icon["sizes"]
            sizes.add(width)
    assert {192, 512} <= sizes  # what Chromium requires to offer installation
    assert any("maskable" in icon["purpose"] for icon in manifest["icons"])


def test_service_worker_precaches_every_asset_of_the_page(client, tls_server):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert "__WB_MANIFEST" not in worker.text
    start = worker.text.index("precacheAndRoute(") + len("precacheAndRoute(")
    entries, _ = json.JSONDecoder().raw_decode(worker.text[start:])
    revisions = {e["url"]: e["revision"] for e in entries}
    page = client.get("/", headers={"Authorization": f"Bearer {tls_server.token}"}).text
    page_assets = [u for u in URL_ATTRIBUTE.findall(page) if u.startswith("/static/")]
    assert assets.MANIFEST in page_assets and assets.LEAFLET_JS in page_assets
    for url in page_assets:
        assert url in revisions, url
        path = STATIC_DIR / url.removeprefix("/static/")
        assert revisions[url] == hashlib.sha256(path.read_bytes()).hexdigest()[:16], url
    # the images the styles load (Leaflet's layer control) and the icons
    assert "/static/vendor/leaflet/images/layers.png" in revisions
    assert "/static/icons/icon-192.png" in revisions
    # the workers' own libraries come from the app too
    for name in ("core", "routing", "strategies", "precaching", "expiration"):
        url = f"/static/vendor/workbox/workbox-{name}.prod.js"
        assert url in worker.text
        assert client.get(url).status_code == 200
    assert ANY_HOST.findall(BLOCK_COMMENT.sub("", worker.text)) == []  # no host named


def _grades(page) -> dict[str, str]:
    return page.evaluate(
        """sel => Object.fromEntries([...document.querySelectorAll(sel)]
            .map(d => [d.dataset.code, d.dataset.grade]))""",
        SECTION_DOTS,
    )


def _statuses(page) -> list[str]:
    return page.eval_on_selector_all(".ws-line", "els => els.map(e => e.dataset.status)")


@pytest.fixture
def offline_page(tls_browser, tls_server):
    """A tablet after one online visit, then without any network, the page reloaded."""
    context = new_context(tls_browser, tls_server)  # trusts the CA: no ignore_https_errors
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    page.goto(tls_server.base_url + "/")
    wait_ready(page)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    after = dt.datetime.now(dt.UTC)
    online = {"grades": _grades(page), "statuses": _statuses(page), "fetched": (before, after)}
    context.set_offline(True)
    page.reload()
    wait_ready(page)
    yield page, online, errors
    context.close()


def test_the_map_opens_offline_after_one_visit(offline_page):
    page, online, errors = offline_page
    assert page.evaluate("navigator.onLine") is False
    # the shell and the map: header, panel, Leaflet with its layers
    assert page.locator(".ws-header .ws-title").inner_text() == "曾都区流域底线管控"
    assert page.locator(".leaflet-container").count() == 1
    # sections with the same classes as online (none grey), the panel with the same lines
    assert online["grades"] and _grades(page) == online["grades"]
    assert (
        page.locator(".ws-nodata .ws-dot, .ws-uncached .ws-dot").count()
        == sum(1 for g in online["grades"].values() if g == "")
        - page.locator(".ws-insufficient .ws-dot").count()
    )
    assert _statuses(page) == online["statuses"] and online["statuses"]
    # 离线 with the time the data were fetched (during the online visit)
    badge = page.locator("#ws-offline")
    assert badge.is_visible()
    assert badge.inner_text().startswith("离线 · 数据截至 ")
    as_of = dt.datetime.fromisoformat(badge.get_attribute("data-as-of").replace("Z", "+00:00"))
    before, after = online["fetched"]
    assert before <= as_of <= after  # fetched during the online visit, not "now"
    assert errors == []


def test_an_uncached_period_offline_keeps_the_last_good_state_and_says_so(offline_page):
    page, online, errors = offline_page
    year = page.input_value("#ws-year")
    other = next(
        v
        for v in page.eval_on_selector_all("#ws-year option", "os => os.map(o => o.value)")
        if v != year
    )
    page.select_option("#ws-year", other)
    page.wait_for_function("document.getElementById('ws-toast').textContent.includes('仍显示')")
    wait_ready(page)
    assert "离线，未缓存" in page.inner_text("#ws-toast")
    assert page.input_value("#ws-year") == year  # the selector shows what the map shows
    assert _grades(page) == online["grades"]  # nothing repainted grey
    assert _statuses(page) == online["statuses"]
    assert "未缓存" in page.inner_text("#ws-offline")
    # any other request the device cannot answer says so too
    message = page.evaluate(
        "WS.api('/api/sections/ZD-01/series?indicator=cod&from=1999-01-01&to=1999-12-31')"
        ".then(() => 'answered', e => e.message)"
    )
    assert message.startswith("离线，未缓存")
    assert errors == []


def test_signing_out_removes_the_kept_data_from_the_device(tls_browser, tls_server):
    context = new_context(tls_browser, tls_server)
    page = context.new_page()
    page.goto(tls_server.base_url + "/")
    wait_ready(page)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    kept = page.evaluate(
        "caches.open('ws-data').then(c => c.keys()).then(ks => ks.map(k => new URL(k.url).pathname))"
    )
    assert "/api/checks" in kept and "/api/layers/sections.geojson" in kept
    with page.expect_navigation():
        page.click("#ws-user button[type=submit]")
    assert page.url.endswith("/signin")
    names = page.evaluate("caches.keys()")
    assert not {"ws-data", "ws-pages", "ws-tiles"} & set(names), names
    context.close()


def test_a_period_seen_online_is_available_offline(tls_browser, tls_server):
    context = new_context(tls_browser, tls_server)
    page = context.new_page()
    page.goto(tls_server.base_url + "/")
    wait_ready(page)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    year = page.input_value("#ws-year")
    other = next(
        v
        for v in page.eval_on_selector_all("#ws-year option", "os => os.map(o => o.value)")
        if v != year
    )
    page.select_option("#ws-year", other)  # now under the worker: kept as it is fetched
    wait_ready(page)
    seen = _grades(page), _statuses(page)
    page.select_option("#ws-year", year)
    wait_ready(page)
    context.set_offline(True)
    page.reload()
    wait_ready(page)
    page.select_option("#ws-year", other)
    wait_ready(page)
    assert page.input_value("#ws-year") == other
    assert (_grades(page), _statuses(page)) == seen
    assert other in page.inner_text("#ws-checks-title")
    context.close()


def test_chromium_finds_the_app_installable(tls_browser, tls_server):
    context = new_context(tls_browser, tls_server)
    page = context.new_page()
    page.goto(tls_server.base_url + "/")
    wait_ready(page)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    cdp = context.new_cdp_session(page)
    answer = cdp.send("Page.getInstallabilityErrors")
    errors = [e["errorId"] for e in answer["installabilityErrors"]]
    # Playwright's contexts are incognito windows, where Chromium never offers to install;
    # any other reason (icons, manifest, start URL, scope, secure context) would be listed
    assert errors == ["in-incognito"], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith(assets.MANIFEST)
    context.close()
