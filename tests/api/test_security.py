"""Security headers, the CSP's inline-script hashes, the Origin check on cookie writes and the
health split (issue 16, defect 8)."""

import base64
import hashlib
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from shapely.geometry import mapping

from api.auth import TOKEN_COOKIE, create_session
from tests.api import data

OVERLAP = {"type": "Feature", "properties": {}, "geometry": mapping(data.P)}


class Scripts(HTMLParser):
    """Inline scripts as a browser sees them (independent of the middleware's regex)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.inline: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            kind = (attributes.get("type") or "").lower()
            self._current = None if kind == "application/json" else []

    def handle_data(self, text) -> None:
        if self._current is not None:
            self._current.append(text)

    def handle_endtag(self, tag) -> None:
        if tag == "script" and self._current is not None:
            self.inline.append("".join(self._current))
            self._current = None


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_every_response_has_the_headers_and_a_self_only_policy(client: TestClient, tokens) -> None:
    for path in ("/api/sections", "/api/health/live", "/signin", "/static/app.css"):
        response = client.get(path, headers={"Authorization": f"Bearer {tokens['viewer']}"})
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        policy = directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert all(s == "'self'" or s.startswith("'sha256-") for s in policy["script-src"])


def test_the_map_page_inline_scripts_are_allowed_by_hash_and_only_they(
    client: TestClient, tokens, engine
) -> None:
    client.cookies.set(TOKEN_COOKIE, create_session(engine, tokens["viewer"]))
    try:
        page = client.get("/")
    finally:
        client.cookies.clear()
    assert page.status_code == 200 and "<script" in page.text
    parser = Scripts()
    parser.feed(page.text)
    assert parser.inline, "Folium writes the map's set-up inline"
    expected = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in parser.inline
    }
    allowed = set(directives(page.headers["content-security-policy"])["script-src"]) - {"'self'"}
    assert allowed == expected


def test_a_cookie_write_from_another_site_is_refused(client: TestClient, tokens, engine) -> None:
    client.cookies.set(TOKEN_COOKIE, create_session(engine, tokens["viewer"]))
    try:
        evil = client.post("/api/overlap", json=OVERLAP, headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403
        assert "跨站请求被拒绝" in evil.json()["detail"]
        null = client.post("/api/overlap", json=OVERLAP, headers={"Origin": "null"})
        assert null.status_code == 403  # a sandboxed frame
        other = client.post(
            "/api/overlap", json=OVERLAP, headers={"Referer": "https://evil.example/x"}
        )
        assert other.status_code == 403
        # No Origin nor Referer: not a browser page (every browser sends Origin on POST).
        assert client.post("/api/overlap", json=OVERLAP).status_code == 200
        own = client.post("/api/overlap", json=OVERLAP, headers={"Origin": "http://testserver"})
        assert own.status_code == 200, own.text
        referer = client.post(
            "/api/overlap", json=OVERLAP, headers={"Referer": "http://testserver/?x=1"}
        )
        assert referer.status_code == 200
        # A cookie read is not a write: no Origin needed.
        assert client.get("/api/sections").status_code == 200
    finally:
        client.cookies.clear()
    # A bearer token is never sent by a browser on its own: no Origin needed.
    bearer = client.post(
        "/api/overlap",
        json=OVERLAP,
        headers={"Authorization": f"Bearer {tokens['viewer']}", "Origin": "https://evil.example"},
    )
    assert bearer.status_code == 200


def test_health_detail_needs_a_token_probes_do_not(client: TestClient, tokens) -> None:
    assert client.get("/api/health").status_code == 401
    detail = client.get("/api/health", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert detail.status_code == 200 and detail.json()["postgres"].startswith("15")
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    assert client.get("/api/health/live").json() == {"status": "ok"}


def test_the_api_description_needs_a_token(client: TestClient, tokens, settings, engine) -> None:
    auth = {"Authorization": f"Bearer {tokens['viewer']}"}
    for path in ("/openapi.json", "/ogc/openapi.json"):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert "paths" not in refused.text
        assert "paths" in client.get(path, headers=auth).json(), path
    page = client.get("/docs", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=/docs"
    client.cookies.set(TOKEN_COOKIE, create_session(engine, tokens["viewer"]))
    try:
        assert client.get("/docs").status_code == 200
        assert client.get("/ogc/docs").status_code == 200
    finally:
        client.cookies.clear()
    bad = client.get("/openapi.json", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401
    # The setting turned off: open, as FastAPI serves it by default.
    from api.main import create_app

    with TestClient(create_app(settings.model_copy(update={"openapi_requires_token": False}))) as c:
        assert c.get("/openapi.json").status_code == 200
