"""The map page without a browser: what the server sends, sign-in, and the page's build."""

import io
import re
from urllib.parse import urljoin

import httpx
import pytest
from openpyxl import load_workbook

from api.auth import TOKEN_COOKIE, create_session
from layers.registry import SPATIAL_LAYERS
from webmap.basemap import tianditu_url
from webmap.page import PageOptions, build_page
from webmap.signin import safe_next

URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|action)\s*=\s*["']([^"']*)["']""", re.I)
ANY_HOST = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})", re.I)
CSS_REFERENCE = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""", re.I)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# Host names that appear in the libraries' code without ever being requested.
NOT_REQUESTED = {
    "www.w3.org": "XML namespace names of SVG elements",
    "leafletjs.com": "Leaflet's default attribution link, replaced by the page (setPrefix)",
    "github.com": "text of leaflet.draw's error for Leaflet < 0.7 (we ship 1.9), exifr's link",
    "ns.adobe.com": "XMP namespace names exifr reads in a photo's metadata",
}
OPTIONS = PageOptions(
    tiles_template="/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{x}/{y}",
    collection_prefix="public.",
    items_template="/ogc/collections/{collection}/items",
)


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=20) as http:
        yield http


@pytest.fixture(scope="module")
def page_html(client, server) -> str:
    response = client.get("/", headers={"Authorization": f"Bearer {server.token}"})
    assert response.status_code == 200
    return response.text


def _is_local(url: str) -> bool:
    return (
        url.startswith("#")
        or url.startswith("data:")
        or (url.startswith("/") and not url.startswith("//"))
    )


def test_served_html_and_its_assets_name_no_external_host(client, page_html):
    assert set(ANY_HOST.findall(page_html)) <= {"www.w3.org"}  # the inline favicon's SVG namespace
    references = URL_ATTRIBUTE.findall(page_html)
    assert references, "the page references its scripts and styles"
    assert [u for u in references if not _is_local(u)] == []
    assets = [u for u in references if u.endswith((".js", ".css"))]
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert any(u.endswith("leaflet.draw.js") for u in assets)
    assert any("VectorGrid" in u for u in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        text = BLOCK_COMMENT.sub("", response.text)
        hosts = {h.lower() for h in ANY_HOST.findall(text)}
        assert hosts <= set(NOT_REQUESTED), (url, hosts - set(NOT_REQUESTED))
        if url.startswith("/static/js/"):
            assert hosts == set(), url  # our own code names no host at all
        if url.endswith(".css"):
            for ref in (a or b for a, b in CSS_REFERENCE.findall(text)):
                if ref.startswith("data:"):
                    continue
                assert not ANY_HOST.match(ref), (url, ref)
                target = urljoin(url, ref.split("#")[0].split("?")[0])
                assert client.get(target).status_code == 200, (url, ref)


def test_every_spatial_registry_layer_is_on_the_page(page_html):
    for key, spec in SPATIAL_LAYERS.items():
        assert f'data-layer=\\"{key}\\"' in page_html, key  # its entry in the layer control
        if spec.delivery == "tiles":
            assert f"/ogc/collections/public.{spec.table}/tiles/WebMercatorQuad/" in page_html
        else:
            assert f'WS.geoJsonLayer("{key}")' in page_html
    assert "曾都区流域底线管控平台" in page_html
    assert 'lang="zh-CN"' in page_html


def test_no_basemap_without_a_tianditu_token_and_tianditu_with_one():
    assert "tianditu" not in build_page(OPTIONS)
    assert "L.tileLayer" not in build_page(OPTIONS)
    token = "0123abcd"
    html = build_page(PageOptions(**{**OPTIONS.__dict__, "tianditu_token": token}))
    assert tianditu_url("vec", token).replace("&", "\\u0026") in html  # JSON-escaped in the page
    hosts = {h.lower() for h in ANY_HOST.findall(html.replace("{s}", "0"))}
    assert hosts - {"www.w3.org"} == {"t0.tianditu.gov.cn"}
    assert "https://t{s}.tianditu.gov.cn" in html
    assert "vec_w" in html and "cva_w" in html and "img_w" in html
    assert "autonavi" not in html and "amap" not in html  # never a GCJ-02 basemap


def test_static_files_are_served_compressed(client):
    response = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert client.get("/static/js/ws-core.js").status_code == 200
    assert client.get("/static/../api/main.py").status_code == 404


def test_page_asks_for_a_token_when_reads_need_one(client, server, map_engine):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    form = client.get("/signin")
    assert form.status_code == 200 and "访问令牌" in form.text
    assert (
        client.get(
            "/", headers={"Authorization": "Bearer not-a-token"}, follow_redirects=False
        ).status_code
        == 303
    )
    session = create_session(map_engine, server.token)
    assert client.get("/", headers={"Cookie": f"{TOKEN_COOKIE}={session}"}).status_code == 200
    # A raw token in the cookie opens nothing: the cookie carries a session id.
    raw = client.get(
        "/", headers={"Cookie": f"{TOKEN_COOKIE}={server.token}"}, follow_redirects=False
    )
    assert raw.status_code == 303


def _csrf(page: str, pattern: str = r'name="csrf" value="([^"]+)"') -> str:
    return re.search(pattern, page).group(1)


def test_sign_in_keeps_the_token_in_an_http_only_cookie(client, server):
    csrf = _csrf(client.get("/signin").text)  # the form's token, tied to its nonce cookie
    wrong = client.post("/signin", data={"token": "wrong", "csrf": csrf}, follow_redirects=False)
    assert wrong.status_code == 401
    assert "令牌无效" in wrong.text
    assert TOKEN_COOKIE not in wrong.cookies
    right = client.post(
        "/signin",
        data={"token": server.token, "next": "//evil.example/", "csrf": csrf},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/"
    cookie = right.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=") and server.token not in cookie  # a session id
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    session = right.cookies[TOKEN_COOKIE]
    copied = {"Cookie": f"{TOKEN_COOKIE}={session}"}
    assert client.get("/api/layers", headers=copied).status_code == 200
    signout_csrf = _csrf(client.get("/").text, r'<meta name="ws-csrf" content="([^"]+)"')
    out = client.post("/signout", data={"csrf": signout_csrf}, follow_redirects=False)
    assert out.status_code == 303 and f'{TOKEN_COOKIE}=""' in out.headers["set-cookie"]
    # Signing out ended the session on the server: a copy of the cookie opens nothing.
    assert client.get("/api/layers", headers=copied).status_code == 401
    assert (
        client.get("/api/layers", headers={"Authorization": f"Bearer {server.token}"}).status_code
        == 200
    )


def test_safe_next_stays_on_this_site():
    assert safe_next("/?x=1") == "/?x=1"
    for target in (None, "", "https://evil.example/", "//evil.example", "/\\evil.example", "evil"):
        assert safe_next(target) == "/"


def test_overlap_report_as_excel(client, server):
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [[113.43, 31.78], [113.45, 31.78], [113.45, 31.79], [113.43, 31.79], [113.43, 31.78]]
        ],
    }
    auth = {"Authorization": f"Bearer {server.token}"}
    report = client.post("/api/overlap", json=geometry, headers=auth).json()
    response = client.post("/map/overlap.xlsx", json=report, headers=auth)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "压占汇总" in book.sheetnames
    cells = [c.value for row in book["压占汇总"].iter_rows() for c in row]
    assert round(report["project_area_mu"], 4) in cells
    assert client.post("/map/overlap.xlsx", json={"layers": []}, headers=auth).status_code == 422
    assert client.post("/map/overlap.xlsx", json=report).status_code == 401
