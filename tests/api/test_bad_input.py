"""Bad input gets a clear 4xx JSON answer, never a 500 and never partial data."""

import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from tests.api import data
from tests.api.conftest import bearer

SQUARE = [[114.0, 24.5], [114.01, 24.5], [114.01, 24.51], [114.0, 24.51], [114.0, 24.5]]


def polygon(ring=SQUARE) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def assert_clear_4xx(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str | list) and body["detail"]
    for word in words:
        assert word in json.dumps(body, ensure_ascii=False), (word, body)
    return body


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"{not json", ("JSON",)),
        (b"[]", ("GeoJSON",)),
        (b'{"type": "Polygon", "coordinates": [[1, 2]]}', ("几何无法解析",)),
        (b'{"type": "Polygon", "coordinates": "x"}', ("几何无法解析",)),
        (b'{"type": "Polygon", "coordinates": []}', ("为空",)),
        (b'{"type": "Feature", "properties": {}, "geometry": null}', ("为空",)),
        (b'{"type": "FeatureCollection", "features": []}', ("没有要素",)),
        (b'{"type": "Point", "coordinates": [114.0, 24.5]}', ("Point", "面")),
        (b'{"type": "LineString", "coordinates": [[114, 24.5], [114.1, 24.6]]}', ("LineString",)),
        (
            json.dumps(
                polygon([[114.0, 24.5], [914.0, 24.5], [114.0, 94.5], [114.0, 24.5]])
            ).encode(),
            ("超出经纬度范围",),
        ),
        (json.dumps(polygon([[0, 0], [1, 0], [1, 1], [0, 0]])).encode(), ("中国范围",)),
        (
            b'{"type": "Polygon", "coordinates": [[[114, 24.5], [NaN, 24.5], [114, 24.6], [114, 24.5]]]}',
            ("NaN",),
        ),
        (
            json.dumps(
                {**polygon(), "crs": {"type": "name", "properties": {"name": "EPSG:99999"}}}
            ).encode(),
            ("EPSG:99999",),
        ),
    ],
)
def test_bad_geojson_bodies(client, viewer, payload: bytes, words: tuple[str, ...]) -> None:
    headers = {**viewer, "content-type": "application/json"}
    assert_clear_4xx(client.post("/api/overlap", content=payload, headers=headers), 422, *words)


@pytest.mark.parametrize("crs", ["EPSG:99999", "foo", "4326; DROP TABLE x", "EPSG:5773"])
def test_unknown_crs_parameter(client, viewer, crs: str) -> None:
    response = client.post("/api/overlap", params={"crs": crs}, json=polygon(), headers=viewer)
    assert_clear_4xx(response, 422)


def test_gauss_kruger_coordinates_without_a_crs_are_refused_with_a_hint(client, viewer) -> None:
    gk = [
        [38_400_000.0, 2_700_000.0],
        [38_401_000.0, 2_700_000.0],
        [38_401_000.0, 2_701_000.0],
        [38_400_000.0, 2_700_000.0],
    ]
    assert_clear_4xx(client.post("/api/overlap", json=polygon(gk), headers=viewer), 422, "4526")


def test_unsupported_media_type(client, viewer) -> None:
    response = client.post(
        "/api/overlap", content=b"hello", headers={**viewer, "content-type": "text/plain"}
    )
    assert_clear_4xx(response, 415)


def test_multipart_without_a_file(client, viewer) -> None:
    response = client.post(
        "/api/overlap", data={"crs": "4490"}, files={"x": ("a.txt", b"")}, headers=viewer
    )
    assert_clear_4xx(response, 422, "file")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["..", "", "a/../..", "C:\\.."])
def test_bad_upload_file_names(client, viewer, name: str) -> None:
    files = {"file": (name, json.dumps(polygon()).encode(), "application/geo+json")}
    response = client.post("/api/overlap", files=files, headers=viewer)
    assert_clear_4xx(response, 422)


def test_zip_bomb_is_refused(client, viewer) -> None:
    bomb = _zip({"project.shp": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    files = {"file": ("bomb.zip", bomb, "application/zip")}
    assert_clear_4xx(client.post("/api/overlap", files=files, headers=viewer), 422, "zip bomb")


def test_zip_entry_escaping_its_folder_is_refused(client, viewer) -> None:
    evil = _zip({"../../evil.geojson": json.dumps(polygon()).encode()})
    files = {"file": ("evil.zip", evil, "application/zip")}
    assert_clear_4xx(client.post("/api/overlap", files=files, headers=viewer), 422, "escapes")


def test_failed_save_leaves_no_row_and_no_audit_entry(client, tokens, engine) -> None:
    count = "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM audit_log)"
    with engine.connect() as conn:
        before = conn.execute(text(count)).one()
    point = {"type": "Point", "coordinates": [114.0, 24.5]}
    response = client.post("/api/overlap?save=true", json=point, headers=bearer(tokens["analyst"]))
    assert_clear_4xx(response, 422)
    with engine.connect() as conn:
        assert conn.execute(text(count)).one() == before


@pytest.fixture(scope="module")
def small_client(settings, dataset, tokens) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"max_upload_mb": 0.01, "max_vertices": 100})
    with TestClient(create_app(limited)) as client:
        yield client


def test_upload_over_the_size_limit_declared(small_client, viewer) -> None:
    big = {"type": "Feature", "properties": {"pad": "x" * 20_000}, "geometry": polygon()}
    response = small_client.post("/api/overlap", json=big, headers=viewer)
    assert_clear_4xx(response, 413, "MB")


def test_upload_over_the_size_limit_chunked(small_client, viewer) -> None:
    chunks = iter([b'{"type": "Feature", "properties": {"pad": "', b"x" * 20_000, b'"}}'])
    response = small_client.post(
        "/api/overlap", content=chunks, headers={**viewer, "content-type": "application/json"}
    )
    assert_clear_4xx(response, 413, "MB")


def test_multipart_upload_over_the_size_limit(small_client, viewer) -> None:
    files = {"file": ("big.geojson", b" " * 20_000, "application/geo+json")}
    assert_clear_4xx(small_client.post("/api/overlap", files=files, headers=viewer), 413)


def test_too_many_vertices(small_client, viewer) -> None:
    ring = [list(c) for c in data.densified(data.P, 0.001).exterior.coords]
    assert len(ring) > 100
    response = small_client.post("/api/overlap", json=polygon(ring), headers=viewer)
    assert_clear_4xx(response, 422, "顶点")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/layers/nope.geojson", 404),
        ("/api/layers/nope/export", 404),
        ("/api/layers/samples/export", 422),
        ("/api/layers/eco_redline/export?format=dxf", 422),
        ("/api/sections/NOPE/assessment", 404),
        ("/api/sections/T-API-01/assessment?period=2024-13", 422),
        ("/api/sections/T-API-01/assessment?period=June", 422),
        ("/api/sections/T-API-01/series?indicator=unobtainium", 422),
        ("/api/sections/T-API-01/series", 422),
        ("/api/sections/T-API-01/series?indicator=nh3n&from=2024-13-01", 422),
        ("/api/sections/T-API-01/series?indicator=nh3n&from=2024-07-01&to=2024-01-01", 422),
        ("/api/checks?unit=火星片区", 422),
        ("/api/checks?period=20245", 422),
        ("/api/checks.xlsx?period=x", 422),
        ("/api/overlap/0", 422),
        ("/api/overlap/abc", 422),
        ("/api/overlap/99999999999", 422),
    ],
)
def test_bad_parameters(client, viewer, path: str, status: int) -> None:
    assert_clear_4xx(client.get(path, headers=viewer), status)


# --- issue 16, defect 6: fifteen inputs that answered 500 -------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"\([^()]*[A-Za-z]{3,}[^()]*\)|（[^（）]*[A-Za-z]{3,}[^（）]*）")
_INTERNAL = re.compile(
    r"/tmp/|/work/|/var/|site-packages|watershed-ingest-|Traceback|SELECT |INSERT |"
    r"psycopg|asyncpg|sqlalchemy|File \"",
    re.IGNORECASE,
)
_ITEMS = "/ogc/collections/public.sections/items"
_TILES = "/ogc/collections/public.farmland/tiles/WebMercatorQuad"
_TILEJSON = "/ogc/collections/public.farmland/tiles/WebMercatorQuad/tilejson.json"


def _raw_multipart(filename: bytes) -> dict:
    """A multipart body written by hand: httpx would percent-encode a NUL in the name."""
    boundary = b"reliab-boundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        + json.dumps(polygon()).encode()
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    return {
        "content": body,
        "headers": {"content-type": f"multipart/form-data; boundary={boundary.decode()}"},
    }


BAD_REQUESTS = {
    "empty CSV": ("post", "/api/ingest/samples", {"files": {"file": ("s.csv", b"", "text/csv")}}),
    "NUL in an upload's file name": ("post", "/api/ingest/rivers", _raw_multipart(b"a\x00.shp")),
    "5,000-digit number in GeoJSON": (
        "post",
        "/api/overlap",
        {
            "content": b'{"type": "Polygon", "coordinates": [[[1' + b"0" * 5000 + b", 24.5]]]}",
            "headers": {"content-type": "application/json"},
        },
    ),
    "encoding=utf-16": (
        "post",
        "/api/ingest/samples?encoding=utf-16",
        {"files": {"file": ("s.csv", "断面编码,采样日期\nA,2024-01-01\n".encode(), "text/csv")}},
    ),
    "%00 in a path": ("get", "/api/sections/%00/assessment", {}),
    "items filter=-1": ("get", f"{_ITEMS}?filter=-1", {}),
    "items filter=1e309": ("get", f"{_ITEMS}?filter=1e309", {}),
    "items bbox=nan": ("get", f"{_ITEMS}?bbox=nan,nan,nan,nan", {}),
    "items simplify=-1": ("get", f"{_ITEMS}?simplify=-1", {}),
    "items 20-digit id": ("get", f"{_ITEMS}/12345678901234567890", {}),
    "tile at zoom -1": ("get", f"{_TILES}/-1/0/0", {}),
    "tile at zoom 99": ("get", f"{_TILES}/99/0/0", {}),
    "tilejson unknown geom-column": ("get", f"{_TILEJSON}?geom-column=nope", {}),
    "tilejson 20-digit maxzoom": ("get", f"{_TILEJSON}?maxzoom=12345678901234567890", {}),
}


@pytest.mark.parametrize("cause", list(BAD_REQUESTS))
def test_bad_input_answers_4xx_in_chinese_and_english_without_internals(
    client, tokens, cause: str
) -> None:
    method, path, kwargs = BAD_REQUESTS[cause]
    kwargs = dict(kwargs)
    kwargs["headers"] = {**kwargs.get("headers", {}), **bearer(tokens["editor"])}
    response = getattr(client, method)(path, **kwargs)
    assert 400 <= response.status_code < 500, (cause, response.status_code, response.text[:300])
    body = response.json()
    message = json.dumps(body, ensure_ascii=False)
    text_ = body.get("detail") or body.get("description")
    assert text_, body
    assert _CJK.search(message) and _ENGLISH.search(message), (cause, message)
    assert not _INTERNAL.search(message), (cause, message)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.gpkg", b"not a geopackage"),
        ("bad.geojson", b'{"type": "FeatureCollection", "features": ['),
    ],
)
def test_an_unreadable_upload_names_the_file_but_no_server_folder(client, tokens, name, content):
    files = {"file": (name, content, "application/octet-stream")}
    response = client.post("/api/ingest/rivers", files=files, headers=bearer(tokens["editor"]))
    body = assert_clear_4xx(response, 422, name)
    assert not _INTERNAL.search(json.dumps(body, ensure_ascii=False)), body
