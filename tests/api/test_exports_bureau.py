"""Exports as the bureau wants them: a GBK 三调 shapefile loaded through the real loader comes
back out with its own field names, fields and values, in EPSG:4490, re-read by Debian's GDAL
3.6 (``ogrinfo``, what QGIS 3.28 links) and by pyogrio, with nothing on GDAL's stderr.

The test has its own database: the export reads whole layers and compares them exactly.
"""

import subprocess
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.auth import create_token
from api.main import create_app
from etl.loader import load_file
from layers.export import export_layer
from layers.settings import Settings
from tests.conftest import fresh_database

#: The file's fields in its order: 三调 columns and fields the platform has no column for.
SOURCE_FIELDS = ["BSM", "DLBM", "DLMC", "ZLDWMC", "TBMJ", "SZXZ", "GDPDJB", "XZDWKD", "备注"]
PARCELS = pd.DataFrame(
    {
        "BSM": ["4213030001", "4213030002", "4213030003"],
        "DLBM": ["0101", "0103", "0201"],
        "DLMC": ["水田", "旱地", "果园"],
        "ZLDWMC": ["何店镇联丰村", "淅河镇", "万店镇"],
        "TBMJ": [1234.5, 2000.25, 880.0],
        "SZXZ": ["坡耕地", "梯田", None],  # 坡地现状: text, one blank
        "GDPDJB": [2, 3, 1],  # 耕地坡度级别: whole numbers
        "XZDWKD": [1.5, 0.0, 2.25],  # 线状地物宽度: decimals
        "备注": ["原字段名为中文", "", "末行"],
    }
)
GEOMS = [shapely.box(113.40 + i * 0.01, 31.60, 113.405 + i * 0.01, 31.605) for i in range(3)]


@pytest.fixture(scope="module")
def loaded(engine: Engine, settings: Settings, tmp_path_factory) -> Iterator[tuple]:
    """A fresh database holding the GBK file loaded into farmland, and a client over it."""
    own, own_settings = fresh_database(engine, settings, "exports")
    folder = tmp_path_factory.mktemp("gbk")
    frame = gpd.GeoDataFrame(PARCELS, geometry=GEOMS, crs=4490)
    pyogrio.write_dataframe(frame, folder / "dltb.shp", encoding="CP936")
    (folder / "dltb.cpg").unlink(missing_ok=True)  # as older ArcGIS writes it: GBK, no .cpg
    report = load_file(own, folder / "dltb.shp", "farmland", encoding="gbk", actor="test")
    assert report.loaded == 3
    token = create_token(own, "viewer", name="test-exports")
    with TestClient(create_app(own_settings)) as client:
        yield own, client, {"Authorization": f"Bearer {token}"}
    own.dispose()


def _download(client, headers, tmp_path: Path, **params) -> Path:
    response = client.get("/api/layers/farmland/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    name = {"gpkg": "farmland.gpkg", "geojson": "farmland.geojson"}.get(params["format"])
    path = tmp_path / (name or "farmland.zip")
    path.write_bytes(response.content)
    return path


def ogrinfo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True, timeout=120)


def _assert_bureau_table(frame: pd.DataFrame) -> None:
    """Every field of the file, in its order, with the file's values (then ``source``)."""
    assert frame.crs.to_epsg() == 4490
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    assert attributes[: len(SOURCE_FIELDS)] == SOURCE_FIELDS
    assert set(attributes) - set(SOURCE_FIELDS) <= {"source", "TBDLMJ"}
    got = frame.set_index("BSM")
    want = PARCELS.set_index("BSM")
    for name in SOURCE_FIELDS[1:]:
        for bsm in want.index:
            expected, value = want.loc[bsm, name], got.loc[bsm, name]
            if pd.isna(expected) or expected == "":
                assert value is None or pd.isna(value) or value == "", (bsm, name, value)
            else:
                assert value == expected, (bsm, name, value)
    exported = got.loc["4213030002"].geometry  # a shapefile reads back as Polygon
    exported = shapely.normalize(shapely.MultiPolygon(shapely.get_parts(exported)))
    assert exported.equals_exact(shapely.normalize(shapely.MultiPolygon([GEOMS[1]])), 1e-9)


def test_gpkg_has_the_files_fields_and_gdal36_reads_it_silently(loaded, tmp_path) -> None:
    _, client, headers = loaded
    path = _download(client, headers, tmp_path, format="gpkg")
    done = ogrinfo("-so", "-al", str(path))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert 'ID["EPSG",4490]' in done.stdout
    for line in ("GDPDJB: Integer64", "XZDWKD: Real", "SZXZ: String", "备注: String"):
        assert line in done.stdout, line
    _assert_bureau_table(gpd.read_file(path))


@pytest.mark.parametrize(
    ("encoding", "cpg", "language_byte"), [("GBK", "936", 0x4D), ("UTF-8", "UTF-8", 0)]
)
def test_shapefile_in_the_chosen_encoding(loaded, tmp_path, encoding, cpg, language_byte) -> None:
    _, client, headers = loaded
    path = _download(client, headers, tmp_path, format="shp", encoding=encoding)
    archive = zipfile.ZipFile(path)
    assert archive.read("farmland.cpg").decode() == cpg
    assert archive.read("farmland.dbf")[29] == language_byte
    prj = archive.read("farmland.prj").decode()
    assert prj.startswith('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"')  # ESRI's name
    text_in_dbf = "何店镇联丰村".encode("gbk" if encoding == "GBK" else "utf-8")
    assert text_in_dbf in archive.read("farmland.dbf")
    done = ogrinfo("-al", f"/vsizip/{path}/farmland.shp")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "ZLDWMC (String) = 何店镇联丰村" in done.stdout
    assert 'ID["EPSG",4490]' in done.stdout
    frame = gpd.read_file(f"/vsizip/{path}/farmland.shp")
    if encoding == "GBK":  # 备注 fits the DBF's 10 bytes in GBK (4), not in UTF-8 (6)
        _assert_bureau_table(frame)
    else:
        assert "备注" in frame.columns  # 6 bytes: fits too; longer names are cut, see below


def test_long_chinese_names_are_cut_to_the_dbf_without_gdal_warnings(loaded, tmp_path) -> None:
    own, _, _ = loaded
    with own.begin() as conn:
        conn.execute(text('UPDATE farmland SET extra = extra || \'{"权属性质说明": "集体"}\''))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path = export_layer(own, "farmland", "shp", tmp_path, encoding="UTF-8")
        assert not [w for w in caught if "laundered" in str(w.message)], caught
        frame = gpd.read_file(f"/vsizip/{path}/farmland.shp")
        assert "权属性" in frame.columns  # 9 of the DBF's 10 bytes in UTF-8
        (tmp_path / "gbk").mkdir()
        gbk = export_layer(own, "farmland", "shp", tmp_path / "gbk", encoding="GBK")
        assert "权属性质说" in gpd.read_file(f"/vsizip/{gbk}/farmland.shp").columns
    finally:
        with own.begin() as conn:
            conn.execute(text("UPDATE farmland SET extra = extra - '权属性质说明'"))


def test_gbk_refuses_text_it_cannot_hold(loaded) -> None:
    own, client, headers = loaded
    with own.begin() as conn:
        conn.execute(text("UPDATE farmland SET zldwmc = '㵐水片区' WHERE bsm = '4213030003'"))
    try:
        refused = client.get(
            "/api/layers/farmland/export",
            params={"format": "shp", "encoding": "GBK"},
            headers=headers,
        )
        assert refused.status_code == 422
        body = refused.json()
        assert "ZLDWMC" in body["detail"] and "㵐" in body["detail"] and "UTF-8" in body["hint"]
        utf8 = client.get(
            "/api/layers/farmland/export",
            params={"format": "shp", "encoding": "UTF-8"},
            headers=headers,
        )
        assert utf8.status_code == 200
    finally:
        with own.begin() as conn:
            conn.execute(text("UPDATE farmland SET zldwmc = '万店镇' WHERE bsm = '4213030003'"))


def test_geojson_declares_cgcs2000(loaded, tmp_path) -> None:
    _, client, headers = loaded
    path = _download(client, headers, tmp_path, format="geojson")
    assert '"name": "urn:ogc:def:crs:EPSG::4490"' in path.read_text(encoding="utf-8")
    _assert_bureau_table(gpd.read_file(path))


def test_platform_names_on_request(loaded, tmp_path) -> None:
    _, client, headers = loaded
    path = _download(client, headers, tmp_path, format="gpkg", names="platform")
    frame = gpd.read_file(path)
    assert {"bsm", "dlbm", "zldwmc", "extra"} <= set(frame.columns)
    assert "SZXZ" in frame.loc[0, "extra"]


def test_unknown_encoding_is_refused(loaded) -> None:
    _, client, headers = loaded
    response = client.get(
        "/api/layers/farmland/export", params={"format": "shp", "encoding": "BIG5"}, headers=headers
    )
    assert response.status_code == 422
