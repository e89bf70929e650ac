"""KMZ (a zipped KML: Google Earth, 奥维) accepted like KML — the overlap upload, the editor's
ingest and the CLI loader — under the zip's limits, and refused by name when it holds no KML,
more than one, or a path leaving the folder. Fixtures are built here; expected areas come
from pyproj.Geod (tests/api/data.area_m2), not from the code under test."""

import io
import zipfile
from pathlib import Path

import pytest
from shapely import box
from sqlalchemy import text

from etl.loader import load_file
from tests.api import data
from tests.conftest import fresh_database

KML_NS = "http://www.opengis.net/kml/2.2"


def kml(polygons: dict[str, object]) -> bytes:
    placemarks = "".join(
        f"<Placemark><name>{name}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{x},{y}" for x, y in polygon.exterior.coords)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for name, polygon in polygons.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="{KML_NS}"><Document>'
        f"{placemarks}</Document></kml>"
    ).encode()


def kmz(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


PLOT = data.P  # inside the API dataset's red lines
DOC = kml({"红线地块": PLOT})


def test_a_kmz_checks_like_its_kml(client, viewer) -> None:
    body = kmz({"doc.kml": DOC, "files/icon.png": b"\x89PNG not really"})
    answers = []
    for name, content in (("红线.kmz", body), ("红线.kml", DOC)):
        response = client.post("/api/overlap", files={"file": (name, content)}, headers=viewer)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    from_kmz, from_kml = answers
    assert from_kmz["project_name"] == "红线地块"
    assert from_kmz["project_area_m2"] == pytest.approx(data.area_m2(PLOT), rel=1e-6)
    assert from_kmz["layers"] == from_kml["layers"] and from_kmz["layers"]
    assert from_kmz["verdict"] == from_kml["verdict"]


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ({"readme.txt": b"no kml"}, "KMZ 文件 bad.kmz 中没有 KML（应含 doc.kml）（无）"),
        (
            {"doc.kml": DOC, "more/b.kml": DOC},
            "KMZ 文件 bad.kmz 中有多个 KML（doc.kml、more/b.kml）",
        ),
        ({"../evil.kml": DOC}, "KMZ 文件 bad.kmz 含有不安全的条目“../evil.kml”"),
        ({"/etc/doc.kml": DOC}, "KMZ 文件 bad.kmz 含有不安全的条目“/etc/doc.kml”"),
    ],
    ids=["no-kml", "two-kml", "traversal", "absolute"],
)
def test_a_kmz_without_exactly_one_safe_kml_is_refused(client, viewer, entries, words) -> None:
    body = kmz(entries)
    response = client.post("/api/overlap", files={"file": ("bad.kmz", body)}, headers=viewer)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]


def test_a_kmz_bomb_is_refused_from_the_zip_directory(client, viewer) -> None:
    # 20 MB of one repeated byte: DEFLATE packs it about 1000:1, over the 500:1 ratio limit.
    filler = b"<!--" + b" " * (20 * 1024 * 1024) + b"-->"
    body = kmz({"doc.kml": DOC.replace(b"<Document>", b"<Document>" + filler)})
    assert len(body) < 100 * 1024
    response = client.post("/api/overlap", files={"file": ("bomb.kmz", body)}, headers=viewer)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "KMZ 文件 bomb.kmz 中的 doc.kml 压缩比" in detail and "zip bomb" in detail


def test_a_kmz_over_the_entry_limit_is_refused(client, viewer) -> None:
    body = kmz({f"files/{i}.txt": b"" for i in range(10_001)} | {"doc.kml": DOC})
    response = client.post("/api/overlap", files={"file": ("many.kmz", body)}, headers=viewer)
    assert response.status_code == 422, response.text
    assert "KMZ 文件 many.kmz 含 10002 个文件，超过上限 10000" in response.json()["detail"]


def test_the_loader_and_the_ingest_take_a_kmz(engine, settings, client, tokens, tmp_path) -> None:
    own, own_settings = fresh_database(engine, settings, "kmz_load")
    try:
        a, b = box(113.30, 31.70, 113.31, 31.71), box(113.32, 31.70, 113.33, 31.71)
        path = Path(tmp_path / "生态红线.kmz")
        path.write_bytes(kmz({"doc.kml": kml({"甲": a, "乙": b})}))
        report = load_file(own, path, "eco_redline", settings=own_settings)
        assert (report.read, report.source) == (2, "生态红线.kmz")
        with own.connect() as conn:
            areas = conn.execute(
                text("SELECT ST_Area(geom::geography) FROM eco_redline ORDER BY 1")
            ).scalars()
            assert list(areas) == pytest.approx(
                sorted([data.area_m2(a), data.area_m2(b)]), rel=1e-3
            )
    finally:
        own.dispose()
    # The editor's ingest refuses a bad KMZ with the same message (nothing to write).
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    bad = kmz({"a.kml": DOC, "b.kml": DOC})
    response = client.post(
        "/api/ingest/eco_redline", files={"file": ("bad.kmz", bad)}, headers=editor
    )
    assert response.status_code == 422, response.text
    assert "KMZ 文件 bad.kmz 中有多个 KML（a.kml、b.kml）" in response.json()["detail"]
