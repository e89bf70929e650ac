"""The OGC API as GDAL uses it: real clients against the app served by uvicorn.

Two GDALs: Debian's 3.6 command-line tools (``ogr2ogr``, ``ogrinfo``; what QGIS 3.28 on the
bureau's Debian machines links) and the 3.12 bundled with pyogrio, which speaks OGC API
Features Part 2 (its ``CRS`` open option) and reads OGC API vector tiles. pyogrio runs in a
subprocess: GDAL holds the interpreter while it waits for our server's thread.

The database is the test's own: 13,500 small parcels made by SQL (the paging test counts
them exactly) and the two red-line polygons of ``tests/api/data.py``, whose coordinates in
the Gauss-Krüger CRSs are computed here with pyproj.
"""

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import mapbox_vector_tile
import morecantile
import pytest
import shapely
import uvicorn
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely import wkt
from sqlalchemy import Engine, text

from api.auth import create_token
from api.main import create_app
from layers.db import session_scope
from layers.registry import LAYERS
from layers.settings import Settings
from tests.api import data
from tests.conftest import free_port, fresh_database

PARCELS = 13_500
PER_ROW = 150
PAGE = 5_000
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"


@dataclass
class Server:
    base: str
    token: str
    requests: list[tuple[str, str]] = field(default_factory=list)
    crs_headers: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def ogc(self) -> str:
        return f"{self.base}/ogc"

    def items_requests(self, collection: str) -> list[str]:
        path = f"/ogc/collections/{collection}/items"
        return [query for p, query in self.requests if p == path]


class RequestLog:
    """ASGI wrapper noting every HTTP request's path and query (the test counts pages), and
    the ``Content-Crs`` of each answer in ``crs_headers``."""

    def __init__(self, app, log: list, crs_headers: dict) -> None:
        self.app, self.log, self.crs_headers = app, log, crs_headers

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = (scope["path"], scope["query_string"].decode())
        self.log.append(request)

        async def noting(message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                self.crs_headers[request] = headers.get(b"content-crs", b"").decode()
            await send(message)

        await self.app(scope, receive, noting)


def _fill(engine: Engine) -> None:
    with session_scope(engine) as session:
        for row in data.LAYER_ROWS["eco_redline"]:
            geom = from_shape(row["geom"], srid=4490)
            session.add(LAYERS["eco_redline"].model(**{**row, "geom": geom, "source": "gdal"}))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO farmland (bsm, dlbm, dlmc, source, extra, geom) "
                "SELECT 'G' || i, '0101', '水田', 'gdal', '{}'::jsonb, ST_Multi(ST_MakeEnvelope("
                " 114.2 + (i % :per_row) * 0.001, 24.6 + (i / :per_row) * 0.001,"
                " 114.2009 + (i % :per_row) * 0.001, 24.6009 + (i / :per_row) * 0.001, 4490))"
                " FROM generate_series(0, :n - 1) AS i"
            ),
            {"n": PARCELS, "per_row": PER_ROW},
        )


@pytest.fixture(scope="module")
def server(engine: Engine, settings: Settings) -> Iterator[Server]:
    own, own_settings = fresh_database(engine, settings, "ogc_gdal")
    _fill(own)
    token = create_token(own, "viewer", name="test-ogc-gdal")
    port = free_port()
    running = Server(f"http://127.0.0.1:{port}", token)
    app = RequestLog(create_app(own_settings), running.requests, running.crs_headers)
    instance = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield running
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        own.dispose()


def gdal36(server: Server, *args: str) -> subprocess.CompletedProcess:
    """Debian's GDAL command-line tool ``args[0]`` with the token in a header."""
    env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Bearer {server.token}"}
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)


PYOGRIO_READ = """
import json, sys, pyogrio
args = json.loads(sys.argv[1])
if "bbox" in args["options"]:
    args["options"]["bbox"] = tuple(args["options"]["bbox"])
pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": args["token"]})
frame = pyogrio.read_dataframe(args["url"], **args["options"])
print(json.dumps({
    "epsg": frame.crs.to_epsg() if frame.crs else None,
    "rows": [{**{k: str(v) for k, v in row.items() if k != "geometry"},
              "wkt": row["geometry"].wkt} for row in frame.to_dict("records")],
}))
"""


def gdal312(server: Server, url: str, **options) -> dict:
    """pyogrio's GDAL reading ``url`` (open options and ``layer``/``bbox`` as keywords)."""
    payload = json.dumps({"token": server.token, "url": url, "options": options})
    done = subprocess.run(
        [sys.executable, "-c", PYOGRIO_READ, payload], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_ogr2ogr_pulls_every_parcel_one_request_per_5000(server: Server, tmp_path) -> None:
    """GDAL 3.6 with ``-oo PAGE_SIZE=5000`` (what the server allows; tipg stopped at 10)."""
    before = len(server.items_requests("public.farmland"))
    out = tmp_path / "farmland.gpkg"
    done = gdal36(
        server,
        "ogr2ogr",
        "-oo",
        f"PAGE_SIZE={PAGE}",
        str(out),
        f"OAPIF:{server.ogc}/collections/public.farmland",
    )
    assert done.returncode == 0, done.stderr
    info = gdal36(server, "ogrinfo", "-ro", "-so", str(out), "public.farmland").stdout
    assert f"Feature Count: {PARCELS}" in info
    pages = server.items_requests("public.farmland")[before:]
    # One page for GDAL's schema, then ⌈13,500 / 5,000⌉ = 3 pages of data.
    assert len(pages) == 1 + math.ceil(PARCELS / PAGE), pages
    assert all(f"limit={PAGE}" in query for query in pages), pages


def test_gdal_lists_the_layers_by_their_chinese_names(server: Server) -> None:
    listing = gdal36(server, "ogrinfo", "-ro", "-so", f"OAPIF:{server.ogc}")
    assert listing.returncode == 0, listing.stderr
    assert "public.eco_redline (title: 生态保护红线)" in listing.stdout
    assert "public.farmland (title: 耕地（地类图斑）)" in listing.stdout


def test_without_a_page_size_the_default_page_is_1000(server: Server) -> None:
    """A client that sends no ``limit`` gets 1,000 features and a link to the next page."""
    import httpx

    response = httpx.get(
        f"{server.ogc}/collections/public.farmland/items",
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=60,
    )
    body = response.json()
    assert body["numberReturned"] == 1000 and body["numberMatched"] == PARCELS
    assert any(link["rel"] == "next" for link in body["links"])
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


@pytest.mark.parametrize("epsg", [4490, 4526, 4547])
def test_gdal_fetches_the_red_line_in_the_crs_it_asks_for(server: Server, epsg: int) -> None:
    """GDAL 3.12's OAPIF driver with ``CRS=EPSG:n`` sends ``crs=`` (Part 2), reads the
    answer in the CRS's axis order and gets the coordinates pyproj computes."""
    before = len(server.items_requests("public.eco_redline"))
    result = gdal312(
        server, f"OAPIF:{server.ogc}/collections/public.eco_redline", CRS=f"EPSG:{epsg}"
    )
    assert result["epsg"] == epsg
    asked = server.items_requests("public.eco_redline")[before:]
    with_crs = [q for q in asked if f"EPSG%2F0%2F{epsg}" in q or f"EPSG/0/{epsg}" in q]
    assert with_crs, asked
    path = "/ogc/collections/public.eco_redline/items"
    for query in with_crs:  # each answer to GDAL said which CRS it is in
        assert server.crs_headers[(path, query)] == f"<{EPSG_URI.format(epsg)}>"
    got = {row["code"]: wkt.loads(row["wkt"]) for row in result["rows"]}
    to_crs = Transformer.from_crs(4490, epsg, always_xy=True)
    tolerance = 1e-9 if epsg == 4490 else 1e-3  # degrees; metres
    for row in data.LAYER_ROWS["eco_redline"]:
        expected = shapely.transform(row["geom"], lambda xy: _pyproj(to_crs, xy))
        assert got[row["code"]].equals_exact(expected, tolerance), row["code"]


def _pyproj(transformer: Transformer, xy):
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


@pytest.mark.parametrize(("grid", "epsg"), [(None, None), ("CGCS2000Quad", 4490)])
def test_gdal_ogcapi_driver_reads_vector_tiles(server: Server, grid, epsg) -> None:
    """GDAL's OGCAPI driver follows the collection's ``tilesets-vector`` link to the tileset
    and its ``item`` template (tipg's links stopped it with "Missing links"): in its
    preferred CRS84 grid, and in the CGCS2000 grid on request."""
    before = len(server.requests)
    options = {"TILEMATRIXSET": grid} if grid else {}
    result = gdal312(
        server,
        f"OGCAPI:{server.ogc}/collections/public.eco_redline",
        layer="Zoom level 12",
        bbox=(113.99, 24.49, 114.03, 24.53),
        **options,
    )
    assert {row["name"] for row in result["rows"]} == {"测试红线甲", "测试红线乙"}
    if epsg:
        assert result["epsg"] == epsg
    tiles = [p for p, _ in server.requests[before:] if "/tiles/" in p and p.count("/") > 7]
    assert tiles and all(f"/{grid or 'WorldCRS84Quad'}/12/" in p for p in tiles), tiles


def test_gdal_mvt_driver_reads_a_pbf_tile(server: Server) -> None:
    """GDAL 3.6's MVT driver on ``…/{z}/{x}/{y}.pbf`` (it answered 422): the tile's layer is
    named after the layer, and the driver places the tile from its z/x/y."""
    tile = WEB_MERCATOR.tile(114.0125, 24.5075, 14)
    url = (
        f"{server.ogc}/collections/public.eco_redline/tiles/WebMercatorQuad/"
        f"{tile.z}/{tile.x}/{tile.y}.pbf"
    )
    done = gdal36(server, "ogrinfo", "-ro", "-al", f"MVT:/vsicurl/{url}")
    assert done.returncode == 0, done.stderr
    assert "Layer name: eco_redline" in done.stdout
    assert "name (String) = 测试红线甲" in done.stdout
    assert "name (String) = 测试红线乙" in done.stdout


def test_tile_suffixes_and_tilejson_agree(server: Server) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {server.token}"}
    tile = WEB_MERCATOR.tile(114.0125, 24.5075, 13)
    base = f"{server.ogc}/collections/public.eco_redline/tiles/WebMercatorQuad"
    plain = httpx.get(f"{base}/{tile.z}/{tile.x}/{tile.y}", headers=headers).content
    for suffix in (".pbf", ".mvt"):
        response = httpx.get(f"{base}/{tile.z}/{tile.x}/{tile.y}{suffix}", headers=headers)
        assert response.status_code == 200 and response.content == plain, suffix
    tilejson = httpx.get(f"{base}/tilejson.json", headers=headers).json()
    assert tilejson["name"] == "生态保护红线"
    (layer,) = tilejson["vector_layers"]
    assert set(mapbox_vector_tile.decode(plain)) == {layer["id"]} == {"eco_redline"}
    assert {"code", "name"} <= set(layer["fields"])
    assert tilejson["tiles"] == [f"{base}/{{z}}/{{x}}/{{y}}"]
