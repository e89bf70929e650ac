"""The map tests' harness: our own small dataset, the app under uvicorn on 127.0.0.1 and a free
port, and Debian's Chromium driven by Playwright (never a downloaded browser).

Screenshots go to ``screenshots/`` at the repository root (git-ignored).
"""

import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pyproj import Transformer
from sqlalchemy import Engine, delete, text

from api.auth import TOKEN_COOKIE, create_token
from api.main import create_app
from api.routes.webmap import STATIC_DIR
from api.tls import TlsFiles, ensure_local_certificates
from etl.rasters import load_raster
from layers.db import session_scope
from layers.models import ApiToken
from layers.settings import REPO_ROOT, Settings
from tests.conftest import free_port, fresh_database
from tests.rasters.conftest import write_tif
from tests.webmap.fixture_data import DISTRICT_BOX, insert_fixture, remove_fixture

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
    ca_file: str | None = None  # the CA a client must trust (HTTPS with the local CA)


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
def serve(
    engine: Engine,
    settings: Settings,
    token_name: str = TOKEN_NAME,
    tls: TlsFiles | None = None,
) -> Iterator[Server]:
    """The whole app (API, /ogc, map) on ``settings``' database, by uvicorn in a thread, over
    HTTPS with ``tls``. Its tokens are named ``token_name`` and removed afterwards: a second
    server on the same database needs a name of its own, or it would revoke the first one's."""
    port = free_port()
    viewer = create_token(engine, "viewer", name=token_name)
    analyst = create_token(engine, "analyst", name=token_name)
    ssl = {"ssl_certfile": str(tls.certfile), "ssl_keyfile": str(tls.keyfile)} if tls else {}
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **ssl,
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
        scheme = "https" if tls else "http"
        ca = str(tls.ca_certfile) if tls and tls.ca_certfile else None
        yield Server(f"{scheme}://127.0.0.1:{port}", "127.0.0.1", port, viewer, analyst, ca)
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        with session_scope(engine) as session:
            session.execute(delete(ApiToken).where(ApiToken.name == token_name))


@pytest.fixture(scope="package")
def server(map_database: tuple[Engine, Settings]) -> Iterator[Server]:
    with serve(*map_database) as running:
        yield running


@pytest.fixture(scope="package")
def local_tls(map_database: tuple[Engine, Settings]) -> TlsFiles:
    """The local CA and a server certificate for 127.0.0.1, in the test settings' var dir
    (where ``/ca`` finds the CA)."""
    _, settings = map_database
    return ensure_local_certificates(
        settings.var_dir, ["localhost"], [ipaddress.ip_address("127.0.0.1")]
    )


@pytest.fixture(scope="package")
def tls_server(map_database: tuple[Engine, Settings], local_tls: TlsFiles) -> Iterator[Server]:
    """The app over HTTPS with the generated certificate."""
    with serve(*map_database, tls=local_tls) as running:
        yield running


def nss_home(directory: Path, ca_cert: Path) -> Path:
    """A home directory whose NSS database (what Chromium on Linux trusts besides its root
    store) holds ``ca_cert`` as a trusted CA for TLS servers: a tablet after ``/ca``."""
    db = directory / ".pki" / "nssdb"
    db.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "watershed-ca", "-t", "C,,", "-i", ca_cert],
        check=True,
    )
    return directory


@pytest.fixture(scope="package")
def tls_browser(playwright: Playwright, local_tls: TlsFiles, tmp_path_factory) -> Iterator[Browser]:
    """Chromium that trusts the local CA through its NSS database (no ignore_https_errors)."""
    if shutil.which("certutil") is None:
        pytest.fail("缺少 certutil (libnss3-tools): 请运行 scripts/install-system-deps.sh test")
    home = nss_home(tmp_path_factory.mktemp("tablet-home"), local_tls.ca_certfile)
    instance = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(home)}
    )
    yield instance
    instance.close()


@pytest.fixture(scope="package")
def demo_server(demo_database: tuple[Engine, Settings]) -> Iterator[Server]:
    """The app over the demonstration dataset (data/shapefiles/)."""
    with serve(*demo_database) as running:
        yield running


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for every browser of the package (a second would clash)."""
    if not (STATIC_DIR / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail(
            "地图的浏览器资源尚未安装 (vendor assets missing): 请运行 scripts/vendor-assets.sh 或 make assets"
        )
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


def new_context(
    browser: Browser, server: Server, width=1366, height=768, token=None, **kw
) -> BrowserContext:
    """A browser context of the given viewport, signed in with ``token`` (the viewer's by default)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **kw)
    # Signed in as the sign-in page does it: the cookie carries a session id, not the token.
    trust = ssl.create_default_context(cafile=server.ca_file) if server.ca_file else True
    with httpx.Client(base_url=server.base_url, verify=trust) as http:
        form = http.get("/signin")  # its CSRF token and the nonce cookie it is tied to
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        signin = http.post(
            "/signin", data={"token": token or server.token, "csrf": csrf}, follow_redirects=False
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


def estimate_area(page: Page, unit: str) -> str:
    """Choose ``unit`` in the 离线区域 panel and have its size estimated; returns what it says."""
    page.click("#ws-tab-btn-areas")
    page.select_option("#ws-area-unit", unit)
    page.click("#ws-area-estimate")
    page.wait_for_function("document.getElementById('ws-area-size').dataset.bytes")
    return page.inner_text("#ws-area-size")


def download_area(page: Page, unit: str) -> None:
    """Store the estimated area on the device and wait until it is listed."""
    page.click("#ws-area-download")
    page.wait_for_selector(f'.ws-area[data-unit="{unit}"]', timeout=120_000)


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


@pytest.fixture(scope="module")
def dem(map_database, tmp_path_factory) -> Iterator[None]:
    """A registered DEM over the fixture district (50 m, rolling hills), for the relief basemap."""
    engine, settings = map_database
    to_gk = Transformer.from_crs(4490, 4547, always_xy=True)
    xmin, ymin, xmax, ymax = DISTRICT_BOX
    xs, ys = to_gk.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    res = 50.0
    width, height = int((max(xs) - min(xs)) / res) + 40, int((max(ys) - min(ys)) / res) + 40
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    hills = 80 + 60 * np.sin(cols / 40.0) * np.cos(rows / 55.0)  # something to shade
    path = write_tif(
        tmp_path_factory.mktemp("dem") / "dem.tif",
        hills.astype("float32"),
        res=res,
        origin=(min(xs) - 20 * res, max(ys) + 20 * res),
    )
    load_raster(engine, path, "dem", settings=settings)
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rasters WHERE kind = 'dem'"))
