"""POST /api/overlap: ellipsoidal overlap figures against an independent shapely + Geod
computation, for input in CGCS2000, zone-prefixed Gauss-Krüger and GCJ-02."""

import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook
from pyproj import Transformer
from shapely import box
from shapely.geometry import mapping, shape
from sqlalchemy import text

from api.schemas import OverlapReport
from gis.area import m2_to_mu
from gis.gcj02 import wgs84_to_gcj02_geometry
from layers import overlap as overlap_module
from layers.overlap import overlap_report
from layers.project_geometry import from_geojson
from tests.api import data

RTOL = 1e-4  # 0.01 %
TO_GK38 = Transformer.from_crs(4490, 4526, always_xy=True)
FROM_GK38 = Transformer.from_crs(4526, 4490, always_xy=True)


def feature(geom, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geom)}


def assert_figures(body: dict, project_lonlat) -> None:
    expected = data.expected_overlap(project_lonlat)
    assert body["project_area_m2"] == pytest.approx(data.area_m2(project_lonlat), rel=RTOL)
    assert body["project_area_mu"] == pytest.approx(body["project_area_m2"] / data.MU, rel=1e-12)
    layers = {entry["layer"]: entry for entry in body["layers"]}
    assert set(layers) == set(expected)
    for key, m2 in expected.items():
        assert layers[key]["area_m2"] == pytest.approx(m2, rel=RTOL), key
        assert layers[key]["area_mu"] == pytest.approx(m2 / data.MU, rel=RTOL), key
        assert layers[key]["share"] == pytest.approx(m2 / body["project_area_m2"], rel=RTOL)
    # 耕地 also net of 田坎 (TBDLMJ); layers that declare no net area have none.
    net = data.expected_farmland_net(project_lonlat)
    assert layers["farmland"]["net_area_m2"] == pytest.approx(net, rel=RTOL)
    assert layers["farmland"]["net_area_mu"] == pytest.approx(net / data.MU, rel=RTOL)
    assert layers["farmland"]["net_area_m2"] < layers["farmland"]["area_m2"]
    assert all(layers[k]["net_area_m2"] is None for k in expected if k != "farmland")


def test_cgcs2000_polygon_figures_features_and_verdict(client, viewer) -> None:
    response = client.post(
        "/api/overlap?geometry=full", json=feature(data.P, name="测试项目"), headers=viewer
    )
    assert response.status_code == 200, response.text
    body = response.json()
    OverlapReport.model_validate(body)  # the bytes the route writes match what OpenAPI promises
    assert_figures(body, data.P)
    assert body["project_name"] == "测试项目"
    assert body["input"] == {"crs": "EPSG:4490", "gcj02": False, "repaired": False, "notes": []}
    layers = {entry["layer"]: entry for entry in body["layers"]}
    # 耕地 counts 水田 C1 and 旱地 C3; 果园 C2 is 地类图斑 but not 耕地.
    assert sorted(f["name"] for f in layers["farmland"]["features"]) == ["旱地", "水田"]
    paddy = next(f for f in layers["farmland"]["features"] if f["name"] == "水田")
    paddy_m2 = data.area_m2(data.P.intersection(data.C1))
    assert paddy["net_area_m2"] == pytest.approx(data.C1_NET_SHARE * paddy_m2, rel=RTOL)
    # each feature's 亩 (computed in the statement) is gis.area's conversion of its m², exactly
    for entry in body["layers"]:
        for f in entry["features"]:
            assert f["area_mu"] == m2_to_mu(f["area_m2"])
            assert f["net_area_mu"] == (
                None if f["net_area_m2"] is None else m2_to_mu(f["net_area_m2"])
            )
    farmland_reason = next(r for r in body["verdict"]["reasons"] if r["layer"] == "farmland")
    assert f"扣除田坎等后 {layers['farmland']['net_area_mu']:.2f} 亩" in farmland_reason["text"]
    # The two red-line features overlap; each is listed, the layer area is their union's.
    reds = {f["name"]: f["area_m2"] for f in layers["eco_redline"]["features"]}
    assert reds["测试红线乙"] == pytest.approx(data.area_m2(data.A2), rel=RTOL)
    assert layers["eco_redline"]["area_m2"] < sum(reds.values())
    # The intersection geometry is GeoJSON in lon/lat whose area matches the figure.
    zone = shape(layers["water_source_zones"]["geometry"])
    assert data.area_m2(zone) == pytest.approx(layers["water_source_zones"]["area_m2"], rel=RTOL)
    assert layers["water_source_zones"]["features"][0]["name"] == "测试水源一级区"
    assert body["verdict"]["status"] == "conflict"
    assert body["verdict"]["label"] == "冲突"
    assert {r["layer"] for r in body["verdict"]["reasons"]} == set(data.LAYER_GEOMS)


def test_zone_prefixed_gauss_kruger_with_crs_member(client, viewer) -> None:
    gk = data.transformed(data.densified(data.P), TO_GK38)
    assert 38_400_000 < gk.bounds[0] < 38_600_000  # X carries the zone number
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4526"}},
        "features": [feature(gk)],
    }
    response = client.post("/api/overlap", json=collection, headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["input"]["crs"] == "EPSG:4526"
    assert_figures(body, data.transformed(gk, FROM_GK38))


def test_gauss_kruger_through_the_crs_parameter(client, viewer) -> None:
    gk = data.transformed(data.densified(data.P), TO_GK38)
    response = client.post("/api/overlap?crs=EPSG:4526", json=mapping(gk), headers=viewer)
    assert response.status_code == 200, response.text
    assert_figures(response.json(), data.transformed(gk, FROM_GK38))


def test_gcj02_input_is_converted_before_measuring(client, viewer) -> None:
    project = data.densified(data.P)
    gcj = wgs84_to_gcj02_geometry(project)
    assert shapely.hausdorff_distance(gcj, project) > 0.002  # hundreds of metres off
    response = client.post("/api/overlap?gcj02=true", json=mapping(gcj), headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["input"]["gcj02"] is True
    assert_figures(body, project)
    # Trusting the GCJ-02 coordinates would have been wrong by far more than 0.01 %.
    wrong = client.post("/api/overlap", json=mapping(gcj), headers=viewer).json()
    farmland = next(e for e in wrong["layers"] if e["layer"] == "farmland")
    assert farmland["area_m2"] != pytest.approx(
        data.expected_overlap(project)["farmland"], rel=0.01
    )


def test_project_touching_nothing_inside_the_data_is_clear(client, viewer) -> None:
    body = client.post("/api/overlap", json=mapping(data.IN_ORCHARD), headers=viewer).json()
    assert body["verdict"]["status"] == "clear"
    assert all(entry["area_m2"] == 0 and entry["features"] == [] for entry in body["layers"])
    assert all(entry["geometry"] is None for entry in body["layers"])
    assert all(entry["finding"]["label"] == "不涉及" for entry in body["layers"])
    assert body["coverage"]["covered_share"] == 1.0 and body["coverage"]["outside_geometry"] is None


def _east_of_district(km: float) -> shapely.Polygon:
    """A 1 km square whose west edge lies ``km`` east of the district's east edge (Geod)."""
    x0 = data.DISTRICT.bounds[2]
    lon, lat, _ = data.GEOD.fwd(x0, 24.50, 90.0, km * 1000.0)
    lon1, _, _ = data.GEOD.fwd(lon, lat, 90.0, 1000.0)
    return box(lon, lat, lon1, lat + 0.009)


def test_project_outside_the_district_is_undetermined_never_clear(client, viewer) -> None:
    for outline in (_east_of_district(60.0), data.FAR):
        body = client.post("/api/overlap", json=mapping(outline), headers=viewer).json()
        assert body["verdict"]["status"] == "undetermined"
        assert body["verdict"]["label"] == "无法判定"
        assert "无法判定（超出数据范围）" in body["verdict"]["summary"]
        assert "不涉及" not in body["verdict"]["summary"]
        assert body["coverage"]["covered_share"] == 0.0
        assert body["coverage"]["extent"] == "none"
        for entry in body["layers"]:
            assert entry["coverage"]["extent"] == "none"
            assert entry["finding"]["status"] == "undetermined"
            assert entry["finding"]["label"].startswith("无法判定（超出数据范围）")
        outside = shape(body["coverage"]["outside_geometry"])
        assert data.area_m2(outside) == pytest.approx(data.area_m2(outline), rel=RTOL)


def test_half_in_half_out_gets_the_right_shares(client, viewer) -> None:
    outline = data.STRADDLER
    inside = outline.intersection(data.DISTRICT)
    share = data.area_m2(inside) / data.area_m2(outline)  # Geod, not the code under test
    assert 0.45 < share < 0.55
    body = client.post("/api/overlap", json=mapping(outline), headers=viewer).json()
    coverage = body["coverage"]
    assert coverage["covered_share"] == pytest.approx(share, rel=RTOL)
    assert coverage["uncovered_m2"] == pytest.approx(
        data.area_m2(outline.difference(data.DISTRICT)), rel=RTOL
    )
    assert data.area_m2(shape(coverage["outside_geometry"])) == pytest.approx(
        coverage["uncovered_m2"], rel=RTOL
    )
    layers = {entry["layer"]: entry for entry in body["layers"]}
    red = layers["eco_redline"]
    assert red["coverage"]["basis"] == "district"
    assert red["coverage"]["covered_share"] == pytest.approx(share, rel=RTOL)
    assert red["finding"]["status"] == "partial"
    assert f"{1 - share:.2%} 无法判定（超出数据范围）" in red["finding"]["label"]
    # no parcel there: the wall-to-wall layer covers none of it
    assert layers["farmland"]["coverage"]["basis"] == "features"
    assert layers["farmland"]["coverage"]["extent"] == "none"
    assert body["verdict"]["status"] == "undetermined"
    assert "不涉及" not in body["verdict"]["summary"]


def test_farmland_coverage_is_where_parcels_are(client, viewer) -> None:
    """P lies in the district, but parcels (any class: C1–C3) cover only its top strip."""
    body = client.post("/api/overlap", json=mapping(data.P), headers=viewer).json()
    farmland = next(e for e in body["layers"] if e["layer"] == "farmland")
    parcels = shapely.union_all([data.C1, data.C2, data.C3])
    expected = data.area_m2(data.P.intersection(parcels)) / data.area_m2(data.P)
    assert farmland["coverage"]["covered_share"] == pytest.approx(expected, rel=RTOL)
    assert body["coverage"]["covered_share"] == 1.0
    # a conflict found stays a conflict; the uncovered rest is said too
    assert body["verdict"]["status"] == "conflict"
    assert any(
        r["layer"] == "farmland" and r["severity"] == "undetermined"
        for r in body["verdict"]["reasons"]
    )


def test_self_intersecting_polygon_is_repaired_and_said_so(client, viewer) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[114.0, 24.50], [114.01, 24.51], [114.01, 24.50], [114.0, 24.51], [114.0, 24.50]]
        ],
    }
    response = client.post("/api/overlap", json=bowtie, headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["input"]["repaired"] is True
    assert any("修复" in note for note in body["input"]["notes"])
    repaired = shapely.make_valid(shape(bowtie))
    assert body["project_area_m2"] == pytest.approx(data.area_m2(repaired), rel=RTOL)


def test_multipart_geojson_upload(client, viewer) -> None:
    payload = json.dumps(feature(data.P)).encode()
    files = {"file": ("项目.geojson", payload, "application/geo+json")}
    response = client.post("/api/overlap", files=files, headers=viewer)
    assert response.status_code == 200, response.text
    assert_figures(response.json(), data.P)


def test_multipart_zipped_shapefile_in_gauss_kruger(client, viewer, tmp_path) -> None:
    gk = data.transformed(data.densified(data.P), TO_GK38)
    frame = gpd.GeoDataFrame({"XMMC": ["测试项目"]}, geometry=[gk], crs=4526)
    frame.to_file(tmp_path / "project.shp", encoding="utf-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.iterdir():
            zf.write(part, part.name)
    files = {"file": ("project.zip", archive.getvalue(), "application/zip")}
    response = client.post("/api/overlap", files=files, headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["input"]["crs"] == "EPSG:4526"
    assert body["project_name"] == "测试项目"
    assert any("坐标系" in note for note in body["input"]["notes"])
    assert_figures(body, data.transformed(gk, FROM_GK38))


def test_saved_project_round_trip_and_exports(client, tokens) -> None:
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    response = client.post(
        "/api/overlap?save=true&name=保存测试", json=mapping(data.P), headers=analyst
    )
    assert response.status_code == 200, response.text
    saved = response.json()
    assert isinstance(saved["id"], int) and saved["project_name"] == "保存测试"
    again = client.get(f"/api/overlap/{saved['id']}", headers=analyst)
    assert again.json() == saved
    listing = client.get("/api/overlap", headers=analyst).json()
    assert {"id": saved["id"], "name": "保存测试", "verdict": "冲突"}.items() <= next(
        p for p in listing if p["id"] == saved["id"]
    ).items()

    xlsx = client.get(f"/api/overlap/{saved['id']}.xlsx", headers=analyst)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = {r[0]: r for r in book["压占汇总"].iter_rows(values_only=True) if r and r[0]}
    assert rows["结论"][1] == "冲突"
    assert rows["生态保护红线"][2] == pytest.approx(
        data.expected_overlap(data.P)["eco_redline"], rel=RTOL
    )
    net_mu = data.expected_farmland_net(data.P) / data.MU
    assert rows["耕地（地类图斑）"][4] == pytest.approx(net_mu, rel=RTOL)  # 扣除田坎等后（亩）
    assert rows["生态保护红线"][4] is None
    details = list(book["涉及要素"].iter_rows(values_only=True))
    assert sum(1 for r in details[1:] if r[0] == "耕地（地类图斑）") == 2

    page = client.get(f"/api/overlap/{saved['id']}.html", headers=analyst)
    assert page.status_code == 200 and "<svg" in page.text and "冲突" in page.text
    assert f"{saved['layers'][0]['area_mu']:.4f}" in page.text
    farmland = next(e for e in saved["layers"] if e["layer"] == "farmland")
    assert f"<td class=n>{farmland['net_area_mu']:.4f}</td>" in page.text


def test_unknown_saved_project_is_404(client, tokens) -> None:
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    assert client.get("/api/overlap/999999", headers=analyst).status_code == 404
    assert client.get("/api/overlap/999999.xlsx", headers=analyst).status_code == 404


def _figures(body: dict) -> list:
    """Everything a report states but its drawing: areas, shares, features, findings, verdict."""
    drop = ("geometry",)
    layers = [{k: v for k, v in e.items() if k not in drop} for e in body["layers"]]
    return [body["project_area_m2"], body["coverage"], layers, body["verdict"], body["plots"]]


def test_geometry_modes_change_the_drawing_never_the_figures(client, viewer) -> None:
    """``geometry=none`` (the default) sends the figures only; ``display`` a drawing simplified
    at 0.5 m; ``full`` every piece at 6 decimals. The figures are the same to the last bit."""
    answers = {
        mode: client.post(f"/api/overlap?geometry={mode}", json=mapping(data.P), headers=viewer)
        for mode in ("none", "display", "full")
    }
    default = client.post("/api/overlap", json=mapping(data.P), headers=viewer)
    bodies = {mode: r.json() for mode, r in answers.items()}
    for body in bodies.values():
        OverlapReport.model_validate(body)
        assert_figures(body, data.P)
    assert _figures(bodies["none"]) == _figures(bodies["display"]) == _figures(bodies["full"])
    assert _figures(default.json()) == _figures(bodies["none"])
    assert all(e["geometry"] is None for e in bodies["none"]["layers"])
    assert all(e["geometry"] is None for e in default.json()["layers"])
    assert len(answers["none"].content) < len(answers["full"].content)
    # what the report must still say without geometry: the outline (界址点 and the map), the
    # part outside the data, and each feature by its bureau code
    assert shape(bodies["none"]["project_geometry"]).equals(data.P)
    farmland = next(e for e in bodies["none"]["layers"] if e["layer"] == "farmland")
    assert farmland["features"] and all("code" in f for f in farmland["features"])
    expected = data.expected_overlap(data.P)
    for entry in bodies["display"]["layers"]:
        if entry["area_m2"] == 0:
            assert entry["geometry"] is None
            continue
        drawn = shape(entry["geometry"])
        coordinates = shapely.get_coordinates(drawn)
        assert (abs(coordinates * 1e6 - (coordinates * 1e6).round()) < 1e-6).all()
        # simplified at 0.5 m: an outline of a few hundred metres keeps its area to 0.1 %
        drawn_m2 = data.area_m2(shapely.union_all(shapely.get_parts(drawn)))
        assert drawn_m2 == pytest.approx(expected[entry["layer"]], rel=1e-3), entry["layer"]


def test_the_display_drawing_is_simplified(client, viewer) -> None:
    """A project whose east edge crosses the water-source zone Z (and its hole), that edge sent as
    vertices 1 m apart on a straight line: the full pieces keep the ~1 000 inside Z, the display
    drawing (simplified at 0.5 m) drops those on the line, and its area stays the same."""
    project = data.densified(box(114.03, 24.49, 114.05, 24.53), step=0.00001)
    counts, areas = {}, {}
    for mode in ("display", "full"):
        body = client.post(
            f"/api/overlap?geometry={mode}", json=mapping(project), headers=viewer
        ).json()
        zone = next(e for e in body["layers"] if e["layer"] == "water_source_zones")
        counts[mode] = shapely.get_num_coordinates(shape(zone["geometry"]))
        areas[mode] = data.area_m2(shape(zone["geometry"]))
    expected = data.area_m2(project.intersection(data.Z))
    assert counts["full"] > 900 and counts["display"] < 50
    assert areas["display"] == pytest.approx(expected, rel=1e-6)


def test_a_feature_the_project_covers_is_measured_whole(client, viewer) -> None:
    """Parcels C1 and C3 lie wholly inside this project: each is measured as itself (no cut),
    and its area and net area are the parcel's own, computed here with pyproj."""
    project = box(113.995, 24.515, 114.035, 24.535)
    assert project.contains(data.C1) and project.contains(data.C3)
    body = client.post("/api/overlap", json=mapping(project), headers=viewer).json()
    farmland = next(e for e in body["layers"] if e["layer"] == "farmland")
    areas = sorted(f["area_m2"] for f in farmland["features"])
    assert areas == pytest.approx(sorted([data.area_m2(data.C1), data.area_m2(data.C3)]), rel=1e-9)
    net = data.C1_NET_SHARE * data.area_m2(data.C1) + data.area_m2(data.C3)
    assert farmland["net_area_m2"] == pytest.approx(net, rel=1e-9)


def test_a_bad_geometry_mode_is_refused(client, viewer) -> None:
    response = client.post("/api/overlap?geometry=all", json=mapping(data.P), headers=viewer)
    assert response.status_code == 422


def test_a_saved_check_keeps_the_display_drawing(client, tokens) -> None:
    """Saved without asking for geometry, a check still keeps its drawing: the map draws it
    when it is opened again and its page and PDF show the overlaps."""
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    saved = client.post("/api/overlap?save=true", json=mapping(data.P), headers=analyst).json()
    hits = [e for e in saved["layers"] if e["area_m2"] > 0]
    assert hits and all(e["geometry"] is not None for e in hits)
    again = client.get(f"/api/overlap/{saved['id']}", headers=analyst).json()
    assert again["layers"] == saved["layers"]


def test_stored_feature_areas_are_the_computed_ones_and_change_no_figure(
    engine, dataset, monkeypatch
) -> None:
    """The ellipsoidal areas PostgreSQL keeps for 地类图斑 and 永久基本农田 (migration 0013) are
    ST_Area of the geometry as it is, after an update too; the report reading them gives the
    very figures, to the last bit, of the report computing them."""
    for table in ("farmland", "basic_farmland"):
        with engine.connect() as conn, conn.begin():
            same = "SELECT bool_and(ellipsoidal_m2 = ST_Area(geom::geography)), count(*) FROM "
            assert conn.execute(text(same + table)).one()[0] is True
            shrink = (
                f"UPDATE {table} SET geom = ST_Multi(ST_Buffer(geom, -0.001)) "
                f"WHERE id = (SELECT min(id) FROM {table} WHERE source = 'api-test-fixture')"
            )
            assert conn.execute(text(shrink)).rowcount == 1
            assert conn.execute(text(same + table)).one()[0] is True
            conn.rollback()
    project = from_geojson(mapping(data.P), crs=None, gcj02=False, max_vertices=10_000)
    read = overlap_report(engine, project, "full")
    assert '"ellipsoidal_m2" AS stored_m2' in overlap_module.overlap_sql(geometry="full")
    monkeypatch.setattr(overlap_module, "_stored_area_sql", lambda spec: "NULL::float8")
    overlap_module.overlap_sql.cache_clear()
    try:
        computed = overlap_report(engine, project, "full")
        statement = overlap_module.overlap_sql(geometry="full")
    finally:
        monkeypatch.undo()
        overlap_module.overlap_sql.cache_clear()
    assert "ellipsoidal_m2" not in statement  # every area computed in this one
    figures = ("area_m2", "net_area_m2", "features", "coverage")
    assert [{k: e[k] for k in figures} for e in read["layers"]] == [
        {k: e[k] for k in figures} for e in computed["layers"]
    ]
    assert read["layers"][1]["features"] and read["layers"][2]["features"]
