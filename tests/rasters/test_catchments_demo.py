"""Catchments of the demonstration sections on the demonstration DEM, stored in PostGIS:
they nest along the tree, incremental catchments do not overlap, and all stay in the district."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from etl.demo.rasters import write_dem
from etl.rasters import load_raster
from layers.catchments import compute_catchments
from layers.settings import REPO_ROOT

DEMO = REPO_ROOT / "data" / "shapefiles"


def test_popup_says_why_there_is_no_catchment(demo_database) -> None:
    """Before any delineation (this test runs first in the module), the popup's endpoint
    answers with the reason, never an empty box: no DEM, or a DEM but not delineated yet."""
    from layers.catchments import section_catchment

    engine, _ = demo_database
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM catchments")).scalar_one() == 0
        has_dem = conn.execute(text("SELECT count(*) FROM rasters WHERE kind = 'dem'")).scalar()
    answer = section_catchment(engine, "421303DM01", "2024")
    assert answer["available"] is False and answer["name"] == "涢水大桥"
    expected = "尚未划定集水区" if has_dem else "尚未导入 DEM"
    assert expected in answer["reason"], answer
    assert "attribution" not in answer and "upstream" not in answer


@pytest.fixture(scope="module")
def demo_catchments(demo_database, tmp_path_factory) -> Iterator[tuple]:
    engine, settings = demo_database
    dem = write_dem(DEMO, tmp_path_factory.mktemp("dem") / "dem.tif", resolution=90.0)
    load_raster(engine, dem, "dem", settings=settings)
    rows = compute_catchments(engine, settings)
    yield engine, rows
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM api_tokens WHERE name = 'test-catchments'"))
        conn.execute(text("DELETE FROM catchments"))
        conn.execute(text("DELETE FROM rasters"))


def test_river_sections_are_delineated_and_form_a_tree(demo_catchments) -> None:
    engine, rows = demo_catchments
    with engine.connect() as conn:
        river_sections = set(
            conn.execute(text("SELECT code FROM sections WHERE waterbody = 'river'")).scalars()
        )
    delineated = {r.code for r in rows if r.catchment_km2}
    assert len(river_sections) >= 5
    assert river_sections <= delineated, river_sections - delineated
    for r in rows:  # not delineated: a reason with the distance, never a silent blank
        assert r.catchment_km2 is not None or "未划定集水区" in r.reason
    codes = {r.code for r in rows}
    for r in rows:
        assert r.downstream is None or r.downstream in codes
        if r.catchment_km2:
            assert r.catchment_km2 >= r.incremental_km2 > 0
    assert any(r.downstream for r in rows), "some section lies upstream of another"


def test_catchments_nest_and_increments_partition(demo_catchments) -> None:
    engine, _ = demo_catchments
    with engine.connect() as conn:
        # Each section's catchment covers its upstream neighbour's (area outside < 0.1 %).
        nest = conn.execute(
            text(
                "SELECT u.section_code, ST_Area(ST_Difference(u.catchment, d.catchment)::geography)"
                " / ST_Area(u.catchment::geography) FROM catchments u JOIN catchments d"
                " ON d.section_code = u.downstream_code WHERE u.catchment IS NOT NULL"
            )
        ).all()
        overlap = conn.execute(
            text(
                "SELECT coalesce(sum(ST_Area(ST_Intersection(a.incremental, b.incremental)::geography)), 0)"
                " FROM catchments a JOIN catchments b ON a.id < b.id"
                " AND ST_Intersects(a.incremental, b.incremental)"
            )
        ).scalar_one()
        outside, total = conn.execute(
            text(
                "SELECT ST_Area(ST_Difference(ST_Union(c.incremental), (SELECT ST_Union(geom)"
                " FROM district))::geography), ST_Area(ST_Union(c.incremental)::geography)"
                " FROM catchments c"
            )
        ).one()
    assert nest and all(share < 1e-3 for _, share in nest), nest
    # Shared edges only: floating-point slivers of a few m² where reprojected edges meet,
    # against 8 100 m² for a single 90 m cell counted twice.
    assert overlap < 100.0
    assert outside / total < 0.01  # cells whose centre is in the district, edges stick out


def test_api_lists_the_tree_and_serves_geometries(demo_catchments, demo_database) -> None:
    from fastapi.testclient import TestClient

    from api.auth import create_token
    from api.main import create_app

    engine, rows = demo_catchments
    _, settings = demo_database
    token = create_token(engine, "viewer", name="test-catchments")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        listed = {r["code"]: r for r in client.get("/api/catchments", headers=headers).json()}
        child = next(r for r in rows if r.downstream and r.catchment_km2)
        assert child.code in listed[child.downstream]["upstream_codes"]
        one = client.get(f"/api/catchments/{child.code}", headers=headers).json()
        assert one["catchment"]["type"] == "MultiPolygon"
        assert one["catchment_km2"] == pytest.approx(child.catchment_km2)
        attributed = client.get(f"/api/catchments/{child.code}/attribution", headers=headers)
        assert attributed.status_code == 200
        assert set(attributed.json()["catchment"]) >= {"farmland", "construction", "eco_redline"}
        missing = client.get("/api/catchments/NO-SUCH", headers=headers)
        assert missing.status_code == 404 and "没有集水区记录" in missing.json()["detail"]


def test_attribution_against_shapely_and_geod(demo_catchments, demo_database) -> None:
    """耕地, 林地 and 生态保护红线 in a middle-sized delineated catchment, recomputed from the
    committed shapefiles with shapely and pyproj.Geod."""
    import geopandas as gpd
    import shapely

    from gis.area import geodesic_area_m2
    from layers.catchments import attribution, catchment_rows

    engine, rows = demo_catchments
    # Of the catchments over 20 km² (a small reservoir's may hold no farmland at all).
    sized = sorted((r for r in rows if (r.catchment_km2 or 0) >= 20), key=lambda r: r.catchment_km2)
    smallest = sized[len(sized) // 2]
    result = attribution(engine, smallest.code)
    [stored] = catchment_rows(engine, smallest.code, geometry=True)
    catchment = shapely.geometry.shape(stored["catchment"])
    parcels = gpd.read_file(DEMO / "farmland.shp", columns=["DLBM"]).to_crs(4490)
    redline = gpd.read_file(DEMO / "eco_redline.shp").to_crs(4490)

    def inside(geoms) -> float:
        near = [shapely.intersection(g, catchment) for g in geoms if g.intersects(catchment)]
        # keep the areal parts: an edge shared with the catchment intersects as a line
        parts = [
            p
            for g in near
            for p in shapely.get_parts(g)
            if p.geom_type in ("Polygon", "MultiPolygon")
        ]
        return sum(geodesic_area_m2(p) for p in parts)

    farmland = parcels[parcels.DLBM.isin(["0101", "0102", "0103"])].geometry
    forest = parcels[parcels.DLBM.str[:2] == "03"].geometry
    part = result["catchment"]
    # The GeoJSON keeps 7 decimals (~1 cm): areas agree to 1e-4.
    assert part["area_m2"] == pytest.approx(geodesic_area_m2(catchment), rel=1e-4)
    assert part["farmland"]["m2"] == pytest.approx(inside(farmland), rel=1e-3, abs=1.0)
    assert part["forest"]["m2"] == pytest.approx(inside(forest), rel=1e-3, abs=1.0)
    red = shapely.union_all(redline.geometry.values)
    assert part["eco_redline"]["m2"] == pytest.approx(inside([red]), rel=1e-3, abs=1.0)
    assert part["farmland"]["share"] == pytest.approx(part["farmland"]["m2"] / part["area_m2"])
    assert result["incremental"]["area_m2"] <= part["area_m2"] * (1 + 1e-9)
    assert part["farmland"]["m2"] > 0 and part["forest"]["m2"] > 0  # not a vacuous check


def test_upstream_verdicts_bracket_a_failing_section(demo_catchments) -> None:
    """Each upstream section is judged for the same period with the sections' own assessment;
    for a failing section the three lists partition its upstream sections."""
    from layers.catchments import upstream_verdicts
    from layers.monitoring import section_assessment

    engine, rows = demo_catchments
    parent = next(r.downstream for r in rows if r.downstream)
    result = upstream_verdicts(engine, parent, "2024")
    codes = [u["code"] for u in result["upstream"]]
    children = [r.code for r in rows if r.downstream == parent]
    assert set(children) <= set(codes) and codes[: len(children)] == sorted(children)
    for u in result["upstream"]:
        assert u["status"] == section_assessment(engine, u["code"], "2024")["status"]
    if result["section"]["status"] == "fail":
        lists = result["upstream_failing"] + result["upstream_passing"] + result["upstream_unknown"]
        assert sorted(lists) == sorted(codes)
    else:
        assert "upstream_failing" not in result


def test_reservoir_sections_snap_to_their_lake(demo_catchments) -> None:
    """Every demo section is delineated: the 库心 sections, some kilometres from any river,
    lie in 水库水面 parcels and take their lake's catchment; a section sharing a lake outlet
    with another says so."""
    engine, rows = demo_catchments
    with engine.connect() as conn:
        in_lake = set(
            conn.execute(
                text(
                    "SELECT s.code FROM sections s JOIN farmland f ON ST_Within(s.geom, f.geom)"
                    " AND f.dlbm = '1103'"
                )
            ).scalars()
        )
    assert len(in_lake) >= 4
    for r in rows:
        assert r.catchment_km2 or "同一水库" in (r.reason or ""), (r.code, r.reason)
    for r in rows:
        if r.code in in_lake and r.catchment_km2:
            assert r.snap_distance_m == 0.0


def test_section_catchment_endpoint_for_the_popup(demo_catchments, demo_database) -> None:
    """`GET /api/sections/{code}/catchment?period=`: the tree (downstream, upstream with
    ``direct`` for the immediate ones), the areas and the attribution, for the period asked."""
    from fastapi.testclient import TestClient

    from api.auth import create_token
    from api.main import create_app

    engine, rows = demo_catchments
    _, settings = demo_database
    by_code = {r.code: r for r in rows}
    token = create_token(engine, "viewer", name="test-catchments")
    headers = {"Authorization": f"Bearer {token}"}
    parent = "421303DM02"  # 洛阳揭家垄村, the 府澴河 outlet: several sections above it
    with TestClient(create_app(settings)) as client:
        body = client.get(f"/api/sections/{parent}/catchment?period=2024", headers=headers)
        assert body.status_code == 200, body.text
        body = body.json()
        bad = client.get("/api/sections/NO-SUCH/catchment", headers=headers)
        wrong_period = client.get(f"/api/sections/{parent}/catchment?period=24", headers=headers)
    assert bad.status_code == 404 and wrong_period.status_code == 422
    # typed: OpenAPI documents the answer's model
    schema = create_app(settings).openapi()["paths"]["/api/sections/{code}/catchment"]
    ref = schema["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/SectionCatchment")
    assert body["available"] is True and body["period"] == "2024"
    assert body["catchment_km2"] == pytest.approx(by_code[parent].catchment_km2)
    assert body["incremental_km2"] == pytest.approx(by_code[parent].incremental_km2)
    children = {r.code for r in rows if r.downstream == parent}
    assert {u["code"] for u in body["upstream"] if u["direct"]} == children
    # every section whose chain of downstream sections reaches the parent, none other
    above = {r.code for r in rows if any(d == parent for d in _chain(by_code, r.code))}
    assert {u["code"] for u in body["upstream"]} == above
    child = next(iter(children))
    assert body["downstream"] is None
    assert set(body["attribution"]) >= {"catchment", "incremental"}
    assert body["attribution"]["catchment"]["area_m2"] == pytest.approx(
        by_code[parent].catchment_km2 * 1e6, rel=1e-6
    )
    with TestClient(create_app(settings)) as client:
        below = client.get(f"/api/sections/{child}/catchment?period=2024", headers=headers)
    assert below.json()["downstream"] == {"code": parent, "name": "洛阳揭家垄村"}
    if body["section"]["status"] == "fail":
        lists = body["upstream_failing"] + body["upstream_passing"] + body["upstream_unknown"]
        assert sorted(lists) == sorted(above)


def _chain(by_code, code):
    """The codes downstream of ``code``, walking the stored tree."""
    out, here = [], by_code[code].downstream
    while here:
        out.append(here)
        here = by_code[here].downstream
    return out
