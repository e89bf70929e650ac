"""No page the app serves loads anything from another host (issue 18, point 7).

The routes are enumerated from the application itself (the main app, its routers and the
mounted OGC app), each GET route is requested as a browser would (``Accept: text/html``, and
``f=html`` where tipg would render a page), and every answer that is HTML is opened in
Chromium with any request off the server aborted and recorded. A route whose path parameter
has no sample value here fails the test, so a new page cannot slip past it.
"""

import re
from urllib.parse import urlsplit

import httpx
import pytest

from api.main import create_app
from api.routes.webmap import STATIC_DIR
from tests.webmap.conftest import new_context
from tests.webmap.test_page_html import ANY_HOST, URL_ATTRIBUTE

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROJECT = {
    "type": "Polygon",
    "coordinates": [
        [[113.43, 31.78], [113.45, 31.78], [113.45, 31.79], [113.43, 31.79], [113.43, 31.78]]
    ],
}
PARAMETER = re.compile(r"{(\w+)}")


def served_get_routes(routes, prefix=""):
    """(path, name) of every GET route below ``routes``: included routers and mounted apps
    too (FastAPI keeps an included router as one entry holding the original router)."""
    found, mounts = [], []
    for route in routes:
        if hasattr(route, "original_router"):  # fastapi's _IncludedRouter
            inner = served_get_routes(route.original_router.routes, prefix + _prefix(route))
            found += inner[0]
            mounts += inner[1]
            continue
        if getattr(route, "methods", None):
            if "GET" in route.methods:
                found.append((prefix + route.path, route.name))
            continue
        app = getattr(route, "app", None)
        while app is not None and not hasattr(app, "routes") and hasattr(app, "app"):
            app = app.app  # middleware around a mounted application
        if app is not None and hasattr(app, "routes"):
            inner = served_get_routes(app.routes, prefix + route.path)
            found += inner[0]
            mounts += inner[1]
        else:
            mounts.append(prefix + route.path)
    return found, mounts


def _prefix(route) -> str:
    return route.include_context.prefix


@pytest.fixture(scope="module")
def html_pages(server, map_database):
    """Every path that answers a browser with HTML."""
    _, settings = map_database
    routes, mounts = served_get_routes(create_app(settings).routes)
    assert mounts == ["/static"], mounts  # static files: checked below, no HTML among them
    analyst = {"Authorization": f"Bearer {server.analyst_token}"}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        saved = client.post("/api/overlap", params={"save": "true"}, json=PROJECT, headers=analyst)
        assert saved.status_code == 200, saved.text
        samples = {
            "project_id": str(saved.json()["id"]),
            "code": "ZD-01",
            "key": "sections",
            "kind": "dem",
            "collectionId": "public.sections",
            "itemId": "1",
            "tileMatrixSetId": "WebMercatorQuad",
            "z": "12",
            "x": "3337",
            "y": "1673",
            "record_id": "6d1f6a52-4a2e-4c55-9a55-2f7b0f5a9c11",  # none: a 404, JSON
            "photo_id": "0b0f7e1c-51c4-4c8e-8d0e-3f4b5e6a7d88",
        }
        pages = []
        for path, name in routes:
            missing = set(PARAMETER.findall(path)) - set(samples)
            assert not missing, f"no sample value for {missing} of {path} ({name})"
            url = PARAMETER.sub(lambda m: samples[m.group(1)], path)
            for params in ({}, {"f": "html"}):
                headers = {"Accept": BROWSER_ACCEPT, **analyst}
                response = client.get(url, params=params, headers=headers)
                if response.headers.get("content-type", "").startswith("text/html"):
                    pages.append((url, params, response.text))
    return pages


def test_every_html_page_is_found_and_names_no_outside_host(html_pages):
    urls = {url for url, _, _ in html_pages}
    # the map, sign-in, both API docs and the saved report; tipg's pages answer JSON instead
    assert {"/", "/signin", "/ca", "/docs", "/ogc/docs"} <= urls, urls
    assert any(u.startswith("/api/overlap/") and u.endswith(".html") for u in urls)
    assert not any(u.startswith("/ogc/collections") or u == "/ogc/" for u in urls), urls
    for url, params, text in html_pages:
        assert set(ANY_HOST.findall(text)) <= {"www.w3.org"}, (url, params)
        for reference in URL_ATTRIBUTE.findall(text):
            assert reference.startswith(("/", "#", "data:")) and not reference.startswith("//"), (
                url,
                reference,
            )
    assert not list(STATIC_DIR.rglob("*.html")), "no HTML page among the static files"


def test_ogc_pages_answer_a_browser_with_json(server):
    headers = {"Accept": BROWSER_ACCEPT, "Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for path in ("/ogc/", "/ogc/collections", "/ogc/collections/public.sections"):
            for params in ({}, {"f": "html"}):
                response = client.get(path, params=params, headers=headers)
                assert response.status_code == 200, (path, response.text)
                assert response.headers["content-type"].startswith("application/"), path
                assert response.json()["links"], path
        landing = client.get("/ogc/", headers=headers).json()
        docs = [link["href"] for link in landing["links"] if link.get("rel") == "service-doc"]
        assert docs and urlsplit(docs[0]).path == "/ogc/docs"
        assert (
            client.get("/ogc/collections/public.sections/tiles/WebMercatorQuad/map").status_code
            == 404
        )
        assert client.get("/redoc").status_code == 404


def test_every_html_page_renders_in_the_browser_without_an_outside_request(
    browser, server, html_pages
):
    context = new_context(browser, server, token=server.analyst_token)
    foreign, problems = [], []

    def route(request_route):
        if urlsplit(request_route.request.url).netloc != f"{server.host}:{server.port}":
            foreign.append(request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    for url, params, _ in html_pages:
        query = "?f=html" if params else ""
        page.goto(server.base_url + url + query)
        page.wait_for_load_state("networkidle")
        if url.endswith("/docs"):
            # Swagger UI drew the operations from the app's own OpenAPI document
            page.wait_for_selector(".opblock", timeout=20_000)
    context.close()
    assert foreign == []
    assert problems == []
