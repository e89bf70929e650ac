"""Fault test: the database stopped under a running API (issue 16, defect 7).

A real server (uvicorn in a subprocess) on a cluster of this module's own (stopping the
session's cluster would break the tests running after), one keep-alive connection per
client as a browser holds it. While the cluster is down every route answers 503 with
Retry-After and a fixed body (no host, port, user, driver or SQL text), never 500; the
liveness probe answers; the list evaluation computed before the outage is served read-only,
marked ``stale``; the connection is never reset. Started again, every route recovers
without restarting the API.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import mapping
from sqlalchemy import Engine, text

from api.auth import create_token
from layers import migrate
from layers.cluster import EmbeddedCluster
from layers.db import make_engine
from layers.settings import REPO_ROOT, Settings
from tests.api import data
from tests.api.conftest import _insert
from tests.conftest import free_port

OVERLAP = json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(data.P)})
#: (method, path, body): a route of every kind, the main API's and tipg's.
ROUTES = [
    ("GET", "/api/health", None),
    ("GET", "/api/sections", None),
    ("GET", "/api/layers", None),
    ("GET", "/api/layers/rivers.geojson", None),
    ("GET", "/api/overlap", None),
    ("POST", "/api/overlap", OVERLAP),
    ("GET", "/ogc/collections/public.rivers/items?limit=2", None),
    ("GET", "/ogc/collections/public.farmland/tiles/WebMercatorQuad/10/836/440", None),
]
CHECKS = "/api/checks?period=2025"


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[tuple[EmbeddedCluster, Engine]]:
    base = Path(tempfile.mkdtemp(prefix="watershed-outage-"))
    base.chmod(0o755)
    cluster = EmbeddedCluster(base=base / "pg", port=free_port())
    cluster.up()
    settings = Settings(_env_file=None, database_url=cluster.url(), var_dir=base)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    _insert(engine)
    try:
        yield cluster, engine
    finally:
        engine.dispose()
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def server(own_cluster: tuple[EmbeddedCluster, Engine]) -> Iterator[int]:
    cluster, _ = own_cluster
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(),
        "WATERSHED_READ_REQUIRES_TOKEN": "true",
        "WATERSHED_WARM_CHECKS": "false",
        "WATERSHED_OGC_CATALOG_TTL": "0",
        "PYTHONPATH": str(REPO_ROOT),
        # a list that fits these data (the shipped one is 曾都区's and would be refused)
        "WATERSHED_DATA_DIR": str(_own_list(cluster)),
        "WATERSHED_BASELINE": "outage",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: status_of(port, "/api/health/live") == 200, 60, process)
        yield port
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
        # Warnings about the outage are expected in the log (and asyncpg's own retries of its
        # pool's minimum size), and the one 500 provoked below; an exception that escaped
        # the app to uvicorn (which then drops the connection) is not.
        assert "Exception in ASGI application" not in errors, errors[-3000:]
        assert errors.count("unhandled error on") <= 1, errors[-3000:]


def _own_list(cluster: EmbeddedCluster) -> Path:
    """A data directory whose list names the test district (tests/api/data.py)."""
    folder = cluster.base.parent / "data"
    (folder / "baselines").mkdir(parents=True, exist_ok=True)
    (folder / "baselines" / "outage.yaml").write_text(
        "name: 故障测试清单\ndistrict:\n  code: T-421303\n  name: 测试区\n  lines:\n"
        "    - {type: area_at_least, layer: farmland, target: 1, unit: 亩}\n",
        encoding="utf-8",
    )
    if not (folder / "shapefiles").exists():  # the demo files the 示例数据 check reads
        (folder / "shapefiles").symlink_to(REPO_ROOT / "data" / "shapefiles")
    return folder


def status_of(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def wait_for(condition, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


class Client:
    """One keep-alive connection, as a browser or a script holds it: a reset raises."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.sock = None

    def call(self, method: str, path: str, body: str | None = None):
        self.conn.request(method, path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if self.sock is None:
            self.sock = self.conn.sock
        assert self.conn.sock is self.sock, "the server closed the keep-alive connection"
        return response.status, response.headers, payload


def test_database_stopped_under_a_running_api(
    own_cluster: tuple[EmbeddedCluster, Engine], server: int
) -> None:
    cluster, engine = own_cluster
    token = create_token(engine, "editor", name="test-outage")
    client = Client(server, token)
    for method, path, body in ROUTES:
        status, _, payload = client.call(method, path, body)
        assert status == 200, (path, payload[:300])
    status, _, before = client.call("GET", CHECKS)
    assert status == 200
    before = json.loads(before)
    assert before["results"] and "stale" not in before
    uncached = "/api/checks?period=2024"  # never evaluated before the outage

    cluster.stop()
    try:
        for _ in range(3):  # the pools' stale connections first, then refused connects
            for method, path, body in [*ROUTES, ("GET", uncached, None)]:
                status, headers, payload = client.call(method, path, body)
                assert status == 503, (path, status, payload[:300])
                assert headers["Retry-After"] == "5"
                text = payload.decode()
                assert "数据库暂时不可用" in text
                for leak in ("127.0.0.1", str(cluster.port), "watershed@", "psycopg", "asyncpg"):
                    assert leak not in text, (path, text)
            assert client.call("GET", "/api/health/live")[0] == 200
            status, _, cached = client.call("GET", CHECKS)
            assert status == 200
            cached = json.loads(cached)
            assert cached["results"] == before["results"]
            assert "stale" in cached, sorted(cached)
            assert "数据库暂时不可用" in cached["stale"]["note"]
    finally:
        cluster.start()

    # Recovery, on the same connection and without restarting the API.
    wait_for(lambda: client.call("GET", "/api/sections")[0] == 200, 30)
    for method, path, body in [*ROUTES, ("GET", uncached, None)]:
        status, _, payload = client.call(method, path, body)
        assert status == 200, (path, payload[:300])
    status, _, after = client.call("GET", CHECKS)
    assert status == 200 and "stale" not in json.loads(after)


def test_a_500_keeps_the_keep_alive_connection(
    own_cluster: tuple[EmbeddedCluster, Engine], server: int
) -> None:
    """A fault no handler knows (a table gone from under the app) answers a plain 500, and the
    client's next request on the same connection is served (it was reset: defect 6)."""
    _, engine = own_cluster
    engine.dispose()  # its pooled connections died with the restart above
    client = Client(server, create_token(engine, "viewer", name="test-500"))
    assert client.call("GET", "/api/sections")[0] == 200
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE sections RENAME TO sections_hidden"))
    try:
        status, _, payload = client.call("GET", "/api/sections")
        assert status == 500
        assert "服务器内部错误" in payload.decode()
        assert "sections_hidden" not in payload.decode() and "Undefined" not in payload.decode()
        assert client.call("GET", "/api/health/live")[0] == 200  # same socket (Client checks)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE sections_hidden RENAME TO sections"))
    assert client.call("GET", "/api/sections")[0] == 200
