"""The layer loader against the session's real PostGIS: what loads, and what is refused.

Every refusal is checked twice: the error says what was wrong, and the layer (and the
``loads`` log) is byte-for-byte what it was before (row count + md5 over all rows).
"""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod
from typer.testing import CliRunner

from etl.loader import load_file
from gis.area import M2_PER_MU, geodesic_areas_m2
from gis.errors import CrsError, InvalidInputError
from gis.gcj02 import wgs84_to_gcj02
from tests.etl.loader_helpers import (
    esri_prj,
    farmland_frame,
    fingerprint,
    parcels,
    reproject,
    rows,
    shapefile_parts,
    token,
    write_shapefile,
    zip_files,
)

GEOD = Geod(a=6378137.0, rf=298.257222101)
METRES_PER_DEGREE = 111_320.0


@pytest.fixture
def load(engine, settings):
    def run(path, layer, **kwargs):
        return load_file(engine, path, layer, settings=settings, **kwargs)

    return run


@pytest.fixture
def unchanged(engine):
    """Assert, around a refused load, that the layer and the loads log did not move."""

    class Guard:
        def __init__(self, table: str) -> None:
            self.tables = (table, "loads")
            self.before = [fingerprint(engine, t) for t in self.tables]

        def check(self) -> None:
            assert [fingerprint(engine, t) for t in self.tables] == self.before

    return Guard


def _db_geoms(engine, table: str, source: str) -> np.ndarray:
    found = rows(
        engine, f"SELECT ST_AsBinary(geom) FROM {table} WHERE source = :s ORDER BY id", s=source
    )
    return shapely.from_wkb([bytes(r[0]) for r in found])


def _max_offset_m(a, b) -> float:
    return (
        max(shapely.hausdorff_distance(x, y) for x, y in zip(a, b, strict=True)) * METRES_PER_DEGREE
    )


# --- what loads ----------------------------------------------------------------------------


def test_gbk_shapefile_loads_with_report_names_and_ellipsoidal_area(engine, load, tmp_path):
    prefix = token()
    geoms = parcels(3)
    shp = write_shapefile(farmland_frame(prefix, geoms), tmp_path / f"dltb_{prefix}.shp")

    report = load(shp, "farmland", actor="tester")

    assert (report.read, report.loaded, report.repaired, report.dropped) == (3, 3, 0, 0)
    assert report.crs == 4490 and "CGCS2000" in report.crs_reason
    assert report.encoding == "gb18030" and ".cpg" in report.encoding_reason
    expected = geodesic_areas_m2(geoms).sum()
    assert report.area_m2 == pytest.approx(expected, rel=1e-9)
    assert report.area_mu == pytest.approx(expected / M2_PER_MU, rel=1e-9)
    found = rows(
        engine,
        "SELECT bsm, dlbm, dlmc, zldwmc, tbdlmj, extra FROM farmland WHERE source = :s ORDER BY bsm",
        s=shp.name,
    )
    assert [r.zldwmc for r in found] == ["㵐水片区", "涢水片区", "何店镇"]
    assert [r.dlmc for r in found] == ["水田", "水浇地", "旱地"]
    assert found[0].extra == {"BZ": "备注"}
    logged = rows(
        engine, "SELECT layer, actor, sha256, report FROM loads WHERE id = :i", i=report.load_id
    )
    assert logged[0].layer == "farmland" and logged[0].actor == "tester"
    assert logged[0].sha256 == report.sha256 and logged[0].report["loaded"] == 3


@pytest.mark.parametrize(
    ("encoding", "cpg", "detected", "rule"),
    [
        ("GB18030", "GBK", "gb18030", ".cpg"),  # GBK-declared, holding 㵐 (GB18030-only)
        ("GB18030", None, "gb18030", "GB18030"),  # no .cpg: sniffed
        ("UTF-8", "UTF-8", "utf-8", ".cpg"),
    ],
)
def test_chinese_names_arrive_intact(engine, load, tmp_path, encoding, cpg, detected, rule):
    """㵐 is outside GBK: a GBK/936 file holding it is GB18030 and is read as such."""
    prefix = token()
    shp = write_shapefile(
        farmland_frame(prefix, parcels(5)), tmp_path / f"t_{prefix}.shp", encoding=encoding, cpg=cpg
    )
    report = load(shp, "farmland")
    assert report.encoding == detected and rule in report.encoding_reason
    names = rows(engine, "SELECT zldwmc FROM farmland WHERE source = :s ORDER BY id", s=shp.name)
    assert [r.zldwmc for r in names] == ["㵐水片区", "涢水片区", "何店镇", "洛阳镇", "府河镇"]


def test_reloading_the_same_file_replaces_its_rows(engine, load, tmp_path):
    prefix = token()
    shp = write_shapefile(farmland_frame(prefix, parcels(4)), tmp_path / f"r_{prefix}.shp")
    first = load(shp, "farmland")
    second = load(shp, "farmland")
    assert (first.loaded, first.replaced) == (4, 0)
    assert (second.loaded, second.replaced) == (4, 4)
    count = rows(
        engine, "SELECT count(*), count(DISTINCT bsm) FROM farmland WHERE source = :s", s=shp.name
    )
    assert tuple(count[0]) == (4, 4)


def test_self_intersecting_polygon_is_repaired_and_counted(engine, load, tmp_path):
    prefix = token()
    x, y = parcels(1)[0].bounds[:2]
    bowtie = shapely.Polygon(
        [(x, y), (x + 0.001, y + 0.001), (x + 0.001, y), (x, y + 0.001), (x, y)]
    )
    geoms = [*parcels(2), bowtie, None]
    shp = write_shapefile(farmland_frame(prefix, geoms), tmp_path / f"v_{prefix}.shp")

    report = load(shp, "farmland")

    assert (report.read, report.loaded, report.repaired, report.dropped) == (4, 3, 1, 1)
    fixed = rows(
        engine,
        "SELECT ST_IsValid(geom), ST_NumGeometries(geom), ST_Area(geom::geography) "
        "FROM farmland WHERE bsm = :b",
        b=f"{prefix}0002",
    )[0]
    assert fixed[0] and fixed[1] == 2  # the bow-tie became its two triangles
    assert fixed[2] == pytest.approx(geodesic_areas_m2([shapely.make_valid(bowtie)])[0], rel=1e-9)


def test_gauss_kruger_with_and_without_zone_and_geographic_land_in_the_same_place(
    engine, load, tmp_path
):
    truth = parcels(3)
    loaded = {}
    for epsg in (4490, 4526, 4547):
        prefix = token()
        frame = gpd.GeoDataFrame(
            {
                "HXBH": [f"{prefix}{i}" for i in range(3)],
                "HXMC": ["生态保护红线"] * 3,
                "HXLX": ["水源涵养"] * 3,
            },
            geometry=reproject(truth, epsg),
            crs=epsg,
        )
        shp = write_shapefile(frame, tmp_path / f"hx_{epsg}_{prefix}.shp")
        report = load(shp, "eco_redline")
        assert report.crs == epsg
        loaded[epsg] = _db_geoms(engine, "eco_redline", shp.name)
    for epsg, geoms in loaded.items():
        assert _max_offset_m(geoms, truth) < 0.001, epsg
    assert _max_offset_m(loaded[4526], loaded[4547]) < 0.001


def test_mislabelled_prj_is_detected_from_the_coordinates_and_explained(engine, load, tmp_path):
    """A .prj saying CM 114E without zone prefix (4547) over X ≈ 38 4xx xxx (zone 38, 4526)."""
    prefix = token()
    truth = parcels(2)
    frame = farmland_frame(prefix, list(reproject(truth, 4526))).set_crs(4526, allow_override=True)
    assert 38_400_000 < shapely.get_coordinates(frame.geometry.values)[:, 0].min() < 38_500_000
    shp = write_shapefile(frame, tmp_path / f"m_{prefix}.shp", prj=esri_prj(4547))

    report = load(shp, "farmland")

    assert report.crs == 4526
    assert "EPSG:4547" in report.crs_reason and "EPSG:4526" in report.crs_reason
    assert any("mislabelled" in w for w in report.warnings)
    assert _max_offset_m(_db_geoms(engine, "farmland", shp.name), truth) < 0.001


def test_gcj02_input_is_converted_to_the_true_position(engine, load, tmp_path):
    lon = np.array([113.3712, 113.2035, 113.4820])
    lat = np.array([31.7811, 31.6420, 31.9013])
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    assert GEOD.inv(lon, lat, gcj_lon, gcj_lat)[2].min() > 100  # offset by hundreds of metres
    prefix = token()
    frame = gpd.GeoDataFrame(
        {
            "SKBM": [f"{prefix}{i}" for i in range(3)],
            "SKMC": ["先觉庙水库", "白云湖", "两河口水库"],
            "GCGM": ["中型", "小(1)型", "小(2)型"],
        },
        geometry=shapely.points(gcj_lon, gcj_lat),
        crs=4326,
    )
    shp = write_shapefile(frame, tmp_path / f"sk_{prefix}.shp")

    report = load(shp, "reservoirs", gcj02=True)

    assert report.crs == 4326 and any("GCJ-02" in w for w in report.warnings)
    stored = rows(
        engine,
        "SELECT ST_X(geom), ST_Y(geom), scale, extra FROM reservoirs WHERE source = :s ORDER BY id",
        s=shp.name,
    )
    x, y = np.array([r[0] for r in stored]), np.array([r[1] for r in stored])
    assert GEOD.inv(lon, lat, x, y)[2].max() < 0.01
    assert [r.scale for r in stored] == ["中型", "小型", "小型"]
    assert stored[1].extra["GCGM"] == "小(1)型"  # the finer class is kept


def test_zip_geopackage_geojson_and_kml_load(engine, load, tmp_path):
    prefix = token()
    shp = write_shapefile(farmland_frame(prefix, parcels(2)), tmp_path / f"z_{prefix}.shp")
    archive = zip_files(tmp_path / f"dltb_{prefix}.zip", shapefile_parts(shp))
    assert load(archive, "farmland").source == archive.name

    frame = gpd.GeoDataFrame({"BJMC": ["中心城区"]}, geometry=parcels(1), crs=4490)
    gpkg = tmp_path / f"plan_{prefix}.gpkg"
    pyogrio.write_dataframe(frame, gpkg, layer="kfbj")
    pyogrio.write_dataframe(frame, gpkg, layer="other", append=True)
    with pytest.raises(InvalidInputError, match=r"--sublayer"):
        load(gpkg, "urban_boundary")
    report = load(gpkg, "urban_boundary", sublayer="kfbj")
    assert (report.source, report.loaded, report.crs) == (f"{gpkg.name}:kfbj", 1, 4490)

    geojson = tmp_path / f"p_{prefix}.geojson"
    pyogrio.write_dataframe(frame.rename(columns={"BJMC": "XMMC"}).to_crs(4326), geojson)
    report = load(geojson, "projects")
    assert report.loaded == 1 and report.encoding == "utf-8"

    kml = tmp_path / f"p_{prefix}.kml"
    named = gpd.GeoDataFrame({"Name": ["拟建项目甲"]}, geometry=parcels(1), crs=4326)
    pyogrio.write_dataframe(named, kml, driver="KML")
    report = load(kml, "projects")
    assert (report.loaded, report.crs) == (1, 4326)
    assert (
        rows(engine, "SELECT name FROM projects WHERE source = :s", s=kml.name)[0][0]
        == "拟建项目甲"
    )


# --- what is refused, leaving the layer as it was ------------------------------------------


def _base_layer(load, tmp_path) -> None:
    """Some farmland rows, so "unchanged" means something."""
    prefix = token()
    load(
        write_shapefile(farmland_frame(prefix, parcels(3)), tmp_path / f"base_{prefix}.shp"),
        "farmland",
    )


def test_corrupt_zip_is_refused(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    shp = write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / "c.shp")
    good = zip_files(tmp_path / "good.zip", shapefile_parts(shp)).read_bytes()
    guard = unchanged("farmland")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(InvalidInputError, match=r"损坏"):
        load(truncated, "farmland")
    flipped = bytearray(good)
    flipped[len(good) // 3] ^= 0xFF  # inside compressed data: CRC or inflate error
    (tmp_path / "flipped.zip").write_bytes(bytes(flipped))
    with pytest.raises(InvalidInputError, match=r"损坏"):
        load(tmp_path / "flipped.zip", "farmland")
    guard.check()


def test_zip_entry_escaping_its_folder_is_refused(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    shp = write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / "evil.shp")
    parts = {f"../{name}": data for name, data in shapefile_parts(shp).items()}
    archive = zip_files(tmp_path / "evil.zip", parts)
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"不安全"):
        load(archive, "farmland")
    guard.check()
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_is_refused(engine, settings, unchanged, tmp_path):
    load_file(
        engine,
        write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / f"b_{token()}.shp"),
        "farmland",
        settings=settings,
    )
    small = settings.model_copy(update={"max_unzipped_mb": 20})
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dltb.dbf", bytes(50 * 1024 * 1024))  # 50 MB of zeros, ~50 kB zipped
    assert archive.stat().st_size < 200_000
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"超过上限|压缩炸弹"):
        load_file(engine, archive, "farmland", settings=small)
    guard.check()


@pytest.mark.parametrize("missing", [".dbf", ".shx"])
def test_shapefile_without_its_dbf_or_shx_is_refused(load, unchanged, tmp_path, missing):
    _base_layer(load, tmp_path)
    shp = write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / "part.shp")
    shp.with_suffix(missing).unlink()
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=f"缺少 part{missing}"):
        load(shp, "farmland")
    guard.check()


def test_points_into_farmland_are_refused(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    frame = farmland_frame(token(), list(shapely.centroid(np.array(parcels(2)))))
    shp = write_shapefile(frame, tmp_path / "points.shp")
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"需要面要素.*2 个点要素"):
        load(shp, "farmland")
    guard.check()


def test_missing_required_field_is_named_with_its_aliases(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    shp = write_shapefile(
        farmland_frame(token(), parcels(2)).drop(columns="DLBM"), tmp_path / "nodlbm.shp"
    )
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"缺少必填字段.*dlbm.*DLBM、地类编码"):
        load(shp, "farmland")
    guard.check()


def test_no_prj_and_no_crs_is_refused_with_how_to_fix(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    shp = write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / "noprj.shp", prj=None)
    guard = unchanged("farmland")
    with pytest.raises(CrsError, match=r"缺少 \.prj") as caught:
        load(shp, "farmland")
    assert "--crs 4490" in str(caught.value)
    guard.check()
    assert load(shp, "farmland", crs=4490).crs == 4490  # and --crs is the fix


def test_constraint_violation_names_the_constraint_and_the_feature(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    frame = farmland_frame(token(), parcels(3))
    frame.loc[1, "DLBM"] = "ABCD"  # not a 三调 code: the table's CHECK refuses it
    shp = write_shapefile(frame, tmp_path / "badcode.shp")
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"ck_farmland_dlbm.*第 2 个要素"):
        load(shp, "farmland")
    guard.check()


def test_duplicate_of_another_sources_feature_is_refused(load, unchanged, tmp_path):
    prefix = token()
    load(
        write_shapefile(farmland_frame(prefix, parcels(2)), tmp_path / f"a_{prefix}.shp"),
        "farmland",
    )
    again = write_shapefile(farmland_frame(prefix, parcels(2)), tmp_path / f"b_{prefix}.shp")
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=f"uq_farmland_bsm.*{prefix}0000"):
        load(again, "farmland")
    guard.check()


def test_unreadable_values_are_named_by_feature(load, unchanged, tmp_path):
    _base_layer(load, tmp_path)
    frame = farmland_frame(token(), parcels(3))
    frame["TBMJ"] = ["1000", "一千", "900"]
    shp = write_shapefile(frame, tmp_path / "badnum.shp")
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"TBMJ 不是有效的数值：第 2 个要素"):
        load(shp, "farmland")
    guard.check()


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli(settings, monkeypatch):
    from api.cli import app
    from layers.db import libpq_url
    from layers.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", libpq_url(settings))
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_prints_json_report_and_exits_1_on_refusal(cli, tmp_path):
    shp = write_shapefile(farmland_frame(token(), parcels(2)), tmp_path / f"cli_{token()}.shp")
    result = cli("load", str(shp), "--layer", "farmland", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["loaded"], report["crs"], report["encoding"]) == (2, 4490, "gb18030")
    assert report["area_m2"] > 0

    table = cli("load", str(shp), "--layer", "farmland")
    assert table.exit_code == 0 and "椭球面积（亩）" in table.stdout

    shp.with_suffix(".prj").unlink()
    refused = cli("load", str(shp), "--layer", "farmland")
    assert refused.exit_code == 1 and "--crs" in refused.output


# --- the binary COPY encoder -----------------------------------------------------------------


def test_binary_copy_round_trips_every_kind(engine):
    import datetime as dt

    import pandas as pd

    frame = pd.DataFrame(
        {
            "t": ["㵐水片区", None, "", "a\tb\n'\"\\"],
            "f": [1.5, np.nan, -0.0, 1e-300],
            "i": pd.array([3, None, -1, 32767], dtype="Int64"),
            "b": [True, False, None, True],
            "d": [dt.date(2024, 3, 5), None, dt.date(1958, 1, 1), dt.date(2000, 1, 1)],
            "j": ['{"名称": "水田"}', "{}", None, '{"a": [1, null]}'],
            "g": [
                shapely.to_wkb(
                    shapely.set_srid(shapely.Point(113.2, 31.7), 4490), include_srid=True
                ),
                None,
                None,
                None,
            ],
            "e": list(
                shapely.to_wkb(
                    [
                        shapely.MultiPolygon([shapely.box(113, 31, 113.1, 31.1)]),
                        shapely.Point(1, 2),
                        shapely.LineString([(0, 0), (1, 1)]),
                        shapely.Polygon(),
                    ],
                    byte_order=1,
                )
            ),
        }
    )
    kinds = {
        "t": "text",
        "f": "float8",
        "i": "int2",
        "b": "bool",
        "d": "date",
        "j": "jsonb",
        "g": "bytea",
        "e": "ewkb:4490",
    }
    got = _copy_round_trip(
        engine,
        "t text, f float8, i int2, b bool, d date, j jsonb, "
        "g geometry(Point, 4490), e geometry(Geometry, 4490)",
        frame,
        kinds,
        "t, f, i, b, d, j, ST_AsText(g), ST_AsEWKT(e)",
    )
    assert [r[0] for r in got] == ["㵐水片区", None, "", "a\tb\n'\"\\"]
    assert got[0][1] == 1.5 and got[1][1] is None and got[3][1] == 1e-300
    assert [r[2] for r in got] == [3, None, -1, 32767]
    assert [r[3] for r in got] == [True, False, None, True]
    assert [r[4] for r in got] == list(frame["d"])
    assert [r[5] for r in got] == [{"名称": "水田"}, {}, None, {"a": [1, None]}]
    assert got[0][6] == "POINT(113.2 31.7)" and got[1][6] is None
    assert [r[7] for r in got] == [
        "SRID=4490;MULTIPOLYGON(((113.1 31,113.1 31.1,113 31.1,113 31,113.1 31)))",
        "SRID=4490;POINT(1 2)",
        "SRID=4490;LINESTRING(0 0,1 1)",
        "SRID=4490;POLYGON EMPTY",
    ]


def test_binary_copy_serialises_geometries_and_wraps_single_parts(engine):
    import pandas as pd

    hole = shapely.Polygon(
        [(113, 31), (113.2, 31), (113.2, 31.2), (113, 31.2)],
        [[(113.05, 31.05), (113.1, 31.05), (113.1, 31.1)]],
    )
    two = shapely.MultiPolygon(
        [shapely.box(113, 31, 113.1, 31.1), shapely.box(114, 31, 114.1, 31.1)]
    )
    line = shapely.LineString([(113, 31), (113.5, 31.5)])
    frame = pd.DataFrame(
        {
            "p": [hole, None, two, shapely.box(1, 2, 3, 4)],
            "l": [line, shapely.MultiLineString([line]), None, line],
            "pt": [shapely.Point(113.2, 31.7), None, shapely.Point(1, 2), shapely.Point(3, 4)],
        }
    )
    kinds = {"p": "ewkb:4490:multi", "l": "ewkb:4490:multi", "pt": "ewkb:4490"}
    rows = _copy_round_trip(
        engine,
        "p geometry(MultiPolygon, 4490), l geometry(MultiLineString, 4490), "
        "pt geometry(Point, 4490)",
        frame,
        kinds,
        "ST_AsBinary(p), ST_AsBinary(l), ST_AsBinary(pt)",
    )
    got = [[None if v is None else shapely.from_wkb(bytes(v)) for v in r] for r in rows]
    expected = [
        [shapely.MultiPolygon([hole]), shapely.MultiLineString([line]), shapely.Point(113.2, 31.7)],
        [None, shapely.MultiLineString([line]), None],
        [two, None, shapely.Point(1, 2)],
        [
            shapely.MultiPolygon([shapely.box(1, 2, 3, 4)]),
            shapely.MultiLineString([line]),
            shapely.Point(3, 4),
        ],
    ]
    for row, want in zip(got, expected, strict=True):
        for value, wanted in zip(row, want, strict=True):
            assert (value is None and wanted is None) or shapely.equals_exact(value, wanted, 0)


def test_text_values_are_stripped_and_blanks_recognised_once_per_distinct_value():
    import pandas as pd

    from etl import values

    cells = [
        " 何店村 ",
        None,
        np.nan,
        "<Null>",
        "-",
        "",
        "  ",
        "㵐水村",
        101,
        "何店村",
        "NULL",
        "x y ",
    ]
    series = pd.Series(cells * 3, dtype=object)
    text, blank = values.to_text(series)
    expected = ["何店村", None, None, None, None, None, None, "㵐水村", "101", "何店村", None, "x y"]  # fmt: skip
    assert text.tolist() == expected * 3 and not blank.any()
    stripped, empty = values.stripped_text(series)
    assert stripped.tolist()[:3] == ["何店村", "", ""]
    assert empty.tolist()[:8] == [False, True, True, True, True, True, True, False]
    assert values.text_length(series).tolist()[:12] == [5, 0, 0, 6, 1, 0, 2, 3, 3, 3, 4, 4]
    assert values.to_text(pd.Series([], dtype=object))[0].tolist() == []


# --- large loads rebuild the layer's indexes, inside the transaction -------------------------


def _index_definitions(engine, table: str) -> list[str]:
    found = rows(
        engine, "SELECT indexdef FROM pg_indexes WHERE tablename = :t ORDER BY indexname", t=table
    )
    return [r[0] for r in found]


def test_large_load_rebuilds_indexes_and_a_refusal_restores_them(
    engine, load, unchanged, tmp_path, monkeypatch
):
    import etl.replace

    monkeypatch.setattr(etl.replace, "REBUILD_INDEXES_FROM", 1)
    chosen = []
    original = etl.replace._indexes_to_rebuild
    monkeypatch.setattr(
        etl.replace, "_indexes_to_rebuild", lambda *a: chosen.append(original(*a)) or chosen[-1]
    )
    indexes = _index_definitions(engine, "projects")
    assert any("USING gist" in d for d in indexes)
    # Another source's project first, so this load is not the whole layer's (that is the
    # bulk path, test_loader_bulk) whatever the tests before this one loaded.
    other = gpd.GeoDataFrame({"XMMC": ["其他项目"]}, geometry=parcels(1, 0.0001), crs=4490)
    load(write_shapefile(other, tmp_path / f"xm_other_{token()}.shp"), "projects")
    frame = gpd.GeoDataFrame(
        {"XMMC": [f"项目{i}" for i in range(40)]}, geometry=parcels(40, 0.0002), crs=4490
    )
    shp = write_shapefile(frame, tmp_path / f"xm_{token()}.shp")

    assert load(shp, "projects").loaded == 40
    assert any("USING gist" in definition for _, definition in chosen[-1])
    assert _index_definitions(engine, "projects") == indexes

    # Refused by the table's CHECK after the indexes were dropped: they come back with it.
    farmland_indexes = _index_definitions(engine, "farmland")
    frame = farmland_frame(token(), parcels(400, 0.0002))
    frame.loc[399, "DLBM"] = "ABCD"
    bad = write_shapefile(frame, tmp_path / f"big_bad_{token()}.shp")
    guard = unchanged("farmland")
    with pytest.raises(InvalidInputError, match=r"ck_farmland_dlbm.*第 400 个要素"):
        load(bad, "farmland")
    assert any("USING gist" in definition for _, definition in chosen[-1])
    guard.check()
    assert _index_definitions(engine, "farmland") == farmland_indexes


def test_full_reload_of_a_large_layer_truncates_and_keeps_lines(
    engine, load, tmp_path, monkeypatch
):
    """A reload big enough to rebuild indexes; rivers also exercise the line layers."""
    import etl.replace

    monkeypatch.setattr(etl.replace, "REBUILD_INDEXES_FROM", 1)
    x, y = parcels(1)[0].bounds[:2]
    lines = [
        shapely.LineString([(x, y), (x + 0.01, y + 0.01)]),
        shapely.MultiLineString(
            [[(x, y + 0.02), (x + 0.01, y + 0.02)], [(x, y + 0.03), (x + 0.02, y + 0.03)]]
        ),
    ]
    frame = gpd.GeoDataFrame(
        {"HLMC": ["府澴河", "㵐水"], "BIEMING": ["涢水", None]}, geometry=lines, crs=4490
    )
    shp = write_shapefile(frame, tmp_path / f"hl_{token()}.shp")
    others = rows(engine, "SELECT count(*) FROM rivers WHERE source <> :s", s=shp.name)[0][0]

    first, second = load(shp, "rivers"), load(shp, "rivers")

    assert (first.loaded, second.loaded, second.replaced) == (2, 2, 2)
    assert first.area_m2 is None
    stored = rows(
        engine,
        "SELECT name, alias, ST_GeometryType(geom), ST_NumGeometries(geom) FROM rivers "
        "WHERE source = :s ORDER BY id",
        s=shp.name,
    )
    assert [tuple(r) for r in stored] == [
        ("府澴河", "涢水", "ST_MultiLineString", 1),
        ("㵐水", None, "ST_MultiLineString", 2),
    ]
    assert (
        rows(engine, "SELECT count(*) FROM rivers WHERE source <> :s", s=shp.name)[0][0] == others
    )


def _copy_round_trip(engine, columns: str, frame, kinds, select: str) -> list[tuple]:
    """COPY ``frame`` into a temporary table of ``columns`` by etl.pgload; rows read back."""
    from etl.pgload import copy_frame

    with engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor()
        cur.execute(f"CREATE TEMP TABLE round_trip ({columns}, n serial)")
        copy_frame(cur, "round_trip", frame, kinds, lambda *_: None, "", (0, 1))
        rows = cur.execute(f"SELECT {select} FROM round_trip ORDER BY n").fetchall()
        conn.rollback()
    return rows


def test_unknown_fields_keep_their_values_exactly(engine, load, tmp_path):
    """Unmapped fields go to ``extra`` (JSONB) as the numbers the file holds: no fixed-decimal
    rounding (1.5e-12 is not 0) and no noise digits (56083643.09 stays 56083643.09)."""
    prefix = token()
    frame = farmland_frame(prefix, parcels(3), YSMJ=[56083643.09, 1.5e-12, 2.5])
    shp = write_shapefile(frame, tmp_path / f"dltb_{prefix}.shp")
    load(shp, "farmland")
    found = rows(
        engine,
        "SELECT extra, extra->>'YSMJ' AS text FROM farmland WHERE source = :s ORDER BY bsm",
        s=shp.name,
    )
    assert [r.extra["YSMJ"] for r in found] == [56083643.09, 1.5e-12, 2.5]
    assert [r.text for r in found] == ["56083643.09", "0.0000000000015", "2.5"]
    assert found[0].extra["BZ"] == "备注"
