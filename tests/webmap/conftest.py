"""The map tests' harness: our own small dataset, the app under uvicorn on 127.0.0.1 and a free
port, and Debian's Chromium driven by Playwright (never a downloaded browser).

Screenshots go to ``screenshots/`` at the repository root (git-ignored).
"""

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import Engine, delete

from api.auth import TOKEN_COOKIE, create_token
from api.main import create_app
from api.routes.webmap import STATIC_DIR
from layers.db import session_scope
from layers.models import ApiToken
from layers.settings import REPO_ROOT, Settings
from tests.conftest import free_port, fresh_database
from tests.webmap.fixture_data import insert_fixture, remove_fixture

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = REPO_ROOT / "screenshots"

# The app's Content-Security-Policy forbids eval (api/security.py), and Playwright polls a
# predicate given as an expression with eval; given as a function it does not. Every
# expression is turned into a function, so the tests run under the real policy.
_FUNCTION = re.compile(r"^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)")
_wait_for_function = Page.wait_for_function


def _wait_for_function_without_eval(self: Page, expression: str, *args, **kwargs):
    if not _FUNCTION.match(expression):
        expression = f"() => ({expression})"
    return _wait_for_function(self, expression, *args, **kwargs)


Page.wait_for_function = _wait_for_function_without_eval
TOKEN_NAME = "webmap-test"


@dataclass(frozen=True)
class Server:
    base_url: str
    host: str
    port: int
    token: str
    analyst_token: str


@pytest.fixture(scope="package")
def map_database(engine: Engine, settings: Settings) -> Iterator[tuple[Engine, Settings]]:
    """The map's own database: its tests count features exactly."""
    own, own_settings = fresh_database(engine, settings, "webmap")
    insert_fixture(own)
    yield own, own_settings
    remove_fixture(own)
    own.dispose()


@pytest.fixture(scope="package")
def map_engine(map_database: tuple[Engine, Settings]) -> Engine:
    return map_database[0]


@contextmanager
def serve(engine: Engine, settings: Settings) -> Iterator[Server]:
    """The whole app (API, /ogc, map) on ``settings``' database, by uvicorn in a thread."""
    port = free_port()
    viewer = create_token(engine, "viewer", name=TOKEN_NAME)
    analyst = create_token(engine, "analyst", name=TOKEN_NAME)
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", "127.0.0.1", port, viewer, analyst)
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        with session_scope(engine) as session:
            session.execute(delete(ApiToken).where(ApiToken.name == TOKEN_NAME))


@pytest.fixture(scope="package")
def server(map_database: tuple[Engine, Settings]) -> Iterator[Server]:
    with serve(*map_database) as running:
        yield running


@pytest.fixture(scope="package")
def demo_server(demo_database: tuple[Engine, Settings]) -> Iterator[Server]:
    """The app over the demonstration dataset (data/shapefiles/)."""
    with serve(*demo_database) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not (STATIC_DIR / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail(
            "地图的浏览器资源尚未安装 (vendor assets missing): 请运行 scripts/vendor-assets.sh 或 make assets"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def new_context(
    browser: Browser, server: Server, width=1366, height=768, token=None, **kw
) -> BrowserContext:
    """A browser context of the given viewport, signed in with ``token`` (the viewer's by default)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **kw)
    # Signed in as the sign-in page does it: the cookie carries a session id, not the token.
    signin = httpx.post(
        server.base_url + "/signin", data={"token": token or server.token}, follow_redirects=False
    )
    session = signin.cookies[TOKEN_COOKIE]
    cookie = {"name": TOKEN_COOKIE, "value": session, "url": server.base_url}
    context.add_cookies([cookie])
    return context


def open_map(context: BrowserContext, server: Server) -> Page:
    page = context.new_page()
    page.goto(server.base_url + "/")
    wait_ready(page)
    return page


def wait_ready(page: Page) -> None:
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=20_000)


def set_view(page: Page, lat: float, lon: float, zoom: int) -> None:
    page.evaluate(
        "([lat, lon, z]) => WS.map.setView([lat, lon], z, {animate: false})", [lat, lon, zoom]
    )


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    context = new_context(browser, server)
    yield context
    context.close()


@pytest.fixture
def map_page(context: BrowserContext, server: Server) -> Page:
    return open_map(context, server)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(500)  # let a zoom or pan animation finish: the picture is for people
    page.screenshot(path=str(path))
    return path
