"""The layer registry for the map, GeoJSON and file exports in EPSG:4490, and the OGC API
(tipg mounted at /ogc): links carry the prefix, items answer a bbox, tiles hold the data."""

import io
import zipfile
from collections.abc import Iterator

import geopandas as gpd
import mapbox_vector_tile
import morecantile
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape

from api.main import create_app
from layers.registry import SPATIAL_LAYERS
from tests.api import data

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


def test_registry_listing_for_the_map(client, viewer) -> None:
    layers = {entry["key"]: entry for entry in client.get("/api/layers", headers=viewer).json()}
    assert set(layers) == set(SPATIAL_LAYERS)
    farmland, reds = layers["farmland"], layers["eco_redline"]
    assert farmland["delivery"] == "tiles" and farmland["links"]["geojson"] is None
    assert farmland["links"]["tiles"] == (
        "http://testserver/ogc/collections/public.farmland/tiles/WebMercatorQuad/{z}/{x}/{y}"
    )
    assert reds["protected"] is True and reds["style"]["color"] == "#2ca25f"
    assert reds["links"]["geojson"] == "http://testserver/api/layers/eco_redline.geojson"
    # Every advertised link answers.
    for link in (reds["links"]["geojson"], reds["links"]["ogc_items"], reds["links"]["export"]):
        assert client.get(link, headers=viewer).status_code == 200, link


def test_layer_geojson_in_cgcs2000(client, viewer) -> None:
    response = client.get("/api/layers/eco_redline.geojson", headers=viewer)
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["crs"]["properties"]["name"] == "EPSG:4490"
    mine = {
        f["properties"]["code"]: f
        for f in body["features"]
        if f["properties"]["source"] == "api-test-fixture"
    }
    assert set(mine) == {"HX-T1", "HX-T2"}
    assert mine["HX-T1"]["properties"]["name"] == "测试红线甲"
    assert shape(mine["HX-T1"]["geometry"]).equals(data.mp(data.A))


@pytest.fixture(scope="module")
def tiny_geojson_client(settings, dataset) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"geojson_max_features": 1}))) as client:
        yield client


def test_whole_layer_geojson_refused_above_the_limit(tiny_geojson_client, viewer) -> None:
    response = tiny_geojson_client.get("/api/layers/eco_redline.geojson", headers=viewer)
    assert response.status_code == 422 and "tiles" in response.json()["hint"]


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp"])
def test_exports_in_cgcs2000(client, viewer, tmp_path, fmt: str) -> None:
    response = client.get(f"/api/layers/farmland/export?format={fmt}", headers=viewer)
    assert response.status_code == 200, response.text
    path = tmp_path / f"farmland.{'zip' if fmt == 'shp' else fmt}"
    path.write_bytes(response.content)
    if fmt == "shp":
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert {"farmland.shp", "farmland.dbf", "farmland.prj", "farmland.cpg"} <= set(names)
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 4490
    # Rows loaded without a record of the file's names take the standard 三调 names; columns
    # no row fills (TBMJ in this fixture) and the database id are not exported.
    assert {"BSM", "DLBM", "DLMC", "TBDLMJ", "ZLDWMC"} <= set(frame.columns)
    assert not {"id", "extra", "bsm", "TBMJ"} & set(frame.columns)
    mine = frame[frame["source"] == "api-test-fixture"].set_index("BSM")
    assert mine.loc["T-C2", "DLMC"] == "果园"
    assert mine.loc["T-C1"].geometry.equals(data.mp(data.C1))


def test_ogc_landing_and_collections_links_carry_the_prefix(client, viewer) -> None:
    landing = client.get("/ogc", headers=viewer, follow_redirects=True).json()
    self_link = next(link for link in landing["links"] if link["rel"] == "self")
    assert self_link["href"].startswith("http://testserver/ogc")
    for link in landing["links"]:
        if not link.get("templated"):
            assert link["href"].startswith("http://testserver/ogc/"), link
            assert client.get(link["href"], headers=viewer).status_code == 200, link
    # tipg's HTML pages load outside hosts: a request for one gets the same content as JSON
    html = client.get("/ogc/collections?f=html", headers=viewer)
    assert html.status_code == 200 and html.headers["content-type"] == "application/json"
    hrefs = [link["href"] for c in html.json()["collections"] for link in c["links"]]
    assert any(h.startswith("http://testserver/ogc/collections/public.eco_redline") for h in hrefs)
    conformance = client.get("/ogc/conformance", headers=viewer).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    collections = client.get("/ogc/collections", headers=viewer).json()
    ids = {c["id"] for c in collections["collections"]}
    assert ids == {f"public.{spec.table}" for spec in SPATIAL_LAYERS.values()}
    for collection in collections["collections"]:
        for link in collection["links"]:
            assert link["href"].startswith("http://testserver/ogc/collections/"), link


def test_ogc_items_with_bbox_following_links(client, viewer) -> None:
    collection = client.get("/ogc/collections/public.eco_redline", headers=viewer).json()
    items_link = next(link["href"] for link in collection["links"] if link["rel"] == "items")
    response = client.get(items_link, params={"bbox": "114.0,24.49,114.02,24.53"}, headers=viewer)
    assert response.status_code == 200
    features = response.json()["features"]
    assert {f["properties"]["name"] for f in features} >= {"测试红线甲", "测试红线乙"}
    outside = client.get(
        items_link, params={"bbox": "114.3,24.8,114.31,24.81"}, headers=viewer
    ).json()
    assert outside["features"] == [] or all(
        f["properties"]["source"] != "api-test-fixture" for f in outside["features"]
    )
    item = next(link["href"] for link in features[0]["links"] if link["rel"] == "item")
    assert (
        item.startswith("http://testserver/ogc/")
        and client.get(item, headers=viewer).status_code == 200
    )


@pytest.mark.parametrize("zoom", [12, 14, 16])
def test_vector_tile_holds_the_features_where_data_exists(client, viewer, zoom: int) -> None:
    tile = WEB_MERCATOR.tile(114.0125, 24.5075, zoom)  # inside both red-line features
    url = f"/ogc/collections/public.eco_redline/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    response = client.get(url, headers=viewer)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    names = {f["properties"]["name"] for layer in decoded.values() for f in layer["features"]}
    assert {"测试红线甲", "测试红线乙"} <= names
    empty = WEB_MERCATOR.tile(114.31, 24.81, zoom)
    far = f"/ogc/collections/public.eco_redline/tiles/WebMercatorQuad/{empty.z}/{empty.x}/{empty.y}"
    assert client.get(far, headers=viewer).content == b""


def test_ogc_collections_carry_the_chinese_layer_names(client, viewer) -> None:
    """What QGIS shows when a user adds the OGC API connection: the Chinese name as the
    title, in the list (tipg put the id there) and in the collection's own document."""
    collections = client.get("/ogc/collections", headers=viewer).json()["collections"]
    described = {c["id"]: c["description"] for c in collections}
    titles = {c["id"]: c["title"] for c in collections}
    for spec in SPATIAL_LAYERS.values():
        assert described[f"public.{spec.table}"].startswith(spec.name_zh), spec.key
        assert titles[f"public.{spec.table}"] == spec.name_zh, spec.key
        one = client.get(f"/ogc/collections/public.{spec.table}", headers=viewer).json()
        assert one["title"] == spec.name_zh
    red = client.get("/ogc/collections/public.eco_redline", headers=viewer).json()
    assert red["title"] == "生态保护红线" and "EPSG:4490" in red["description"]


def test_tipg_parameter_dependencies_run_on_the_event_loop() -> None:
    """FastAPI sends every plain-function dependency through the thread pool; tipg's
    parameter parsers are made coroutines so a tile request makes no such hop."""
    import inspect

    from fastapi.routing import APIRoute

    from api.ogc import create_ogc_app
    from layers.settings import Settings

    app = create_ogc_app(Settings(_env_file=None, database_url="postgresql://x@127.0.0.1/x"))

    def api_routes(router):
        for route in router.routes:
            if hasattr(route, "original_router"):  # an included router
                yield from api_routes(route.original_router)
            elif isinstance(route, APIRoute):
                yield route

    routes = list(api_routes(app.router))
    tile = next(
        r
        for r in routes
        if r.path.endswith("/tiles/{tileMatrixSetId}/{z}/{x}/{y}")
        and r.path.startswith("/collections/{collectionId}")
    )

    def calls(dependant):
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    tipg_calls = [
        c for c in calls(tile.dependant) if c.__module__.startswith(("tipg", "api.ogc_crs"))
    ]
    names = {c.__name__ for c in tipg_calls}
    assert {"collection_params", "TileParams", "bbox_query", "filter_query"} <= names
    assert all(inspect.iscoroutinefunction(c) for c in tipg_calls), names


CRS_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"


def _fixture_features(body: dict) -> dict[str, dict]:
    return {
        f["properties"]["code"]: f
        for f in body["features"]
        if f["properties"]["source"] == "api-test-fixture"
    }


def test_collections_declare_their_crs_and_part_2(client, viewer) -> None:
    red = client.get("/ogc/collections/public.eco_redline", headers=viewer).json()
    assert red["storageCrs"] == CRS_URI.format(4490)
    assert red["crs"] == [
        CRS_URI.format(4490),
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        CRS_URI.format(4326),
        CRS_URI.format(4526),
        CRS_URI.format(4547),
    ]
    listed = client.get("/ogc/collections", headers=viewer).json()["collections"]
    assert all(c["storageCrs"] == CRS_URI.format(4490) for c in listed)
    conformance = client.get("/ogc/conformance", headers=viewer).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance


@pytest.mark.parametrize("epsg", [4490, 4326, 4526, 4547])
def test_items_in_the_requested_crs_in_its_axis_order(client, viewer, epsg: int) -> None:
    """Part 2: the coordinates in the CRS's own axis order (latitude or northing first for
    all four), ``Content-Crs`` naming it; expected values from pyproj."""
    import numpy as np
    from pyproj import Transformer

    response = client.get(
        "/ogc/collections/public.eco_redline/items",
        params={"crs": CRS_URI.format(epsg), "limit": 10000},
        headers=viewer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-crs"] == f"<{CRS_URI.format(epsg)}>"
    got = np.array(_fixture_features(response.json())["HX-T1"]["geometry"]["coordinates"][0][0])
    lon, lat = np.array(data.A.exterior.coords).T
    x, y = Transformer.from_crs(4490, epsg, always_xy=True).transform(lon, lat)
    expected = np.column_stack([y, x])  # northing / latitude first
    # The same ring, maybe from another starting vertex: compare as sets of rounded points.
    digits = 9 if epsg in (4490, 4326) else 3
    assert {tuple(p) for p in np.round(got, digits)} == {
        tuple(p) for p in np.round(expected, digits)
    }
    one = client.get(
        f"/ogc/collections/public.eco_redline/items/{_fixture_features(response.json())['HX-T1']['id']}",
        params={"crs": f"EPSG:{epsg}"},
        headers=viewer,
    )
    assert one.headers["content-crs"] == f"<{CRS_URI.format(epsg)}>"
    assert np.allclose(one.json()["geometry"]["coordinates"][0][0], got)


def test_items_without_crs_stay_in_crs84(client, viewer) -> None:
    response = client.get("/ogc/collections/public.eco_redline/items?limit=10000", headers=viewer)
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    ring = _fixture_features(response.json())["HX-T1"]["geometry"]["coordinates"][0][0]
    assert {tuple(p) for p in ring} == set(data.A.exterior.coords)


@pytest.mark.parametrize(
    ("bbox_crs", "corners"),
    [
        ("EPSG:4490", lambda lon, lat: (lat[0], lon[0], lat[1], lon[1])),
        (CRS_URI.format(4526), None),
        (CRS_URI.format(4547), None),
    ],
)
def test_bbox_crs_is_honoured(client, viewer, bbox_crs: str, corners) -> None:
    """A small box in A's corner, away from A2: only 红线甲 answers, given in the bbox-crs's
    axis order (latitude / northing first); in the other order the numbers cannot lie in
    the CRS (latitude 114°, or outside the Gauss-Krüger zone): a 400 that says so."""
    from pyproj import Transformer

    lon, lat = (114.001, 114.003), (24.501, 24.503)
    if corners is None:
        epsg = int(bbox_crs.rsplit("/", 1)[1])
        x, y = Transformer.from_crs(4490, epsg, always_xy=True).transform(lon, lat)
        bbox = (min(y), min(x), max(y), max(x))
    else:
        bbox = corners(lon, lat)
    response = client.get(
        "/ogc/collections/public.eco_redline/items",
        params={"bbox": ",".join(map(str, bbox)), "bbox-crs": bbox_crs, "limit": 10000},
        headers=viewer,
    )
    assert response.status_code == 200, response.text
    assert set(_fixture_features(response.json())) == {"HX-T1"}
    swapped = (bbox[1], bbox[0], bbox[3], bbox[2])
    response = client.get(
        "/ogc/collections/public.eco_redline/items",
        params={"bbox": ",".join(map(str, swapped)), "bbox-crs": bbox_crs, "limit": 10000},
        headers=viewer,
    )
    assert response.status_code == 400 and "axis order" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"crs": "EPSG:3857"},
        {"crs": "http://www.opengis.net/def/crs/EPSG/0/999999"},
        {"bbox-crs": "EPSG:3857", "bbox": "1,2,3,4"},
        {"crs": "CGCS2000"},
    ],
)
def test_unsupported_crs_is_a_400_naming_the_offered_ones(client, viewer, params) -> None:
    response = client.get(
        "/ogc/collections/public.eco_redline/items", params=params, headers=viewer
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "不支持的坐标参考系" in detail and CRS_URI.format(4490) in detail


def test_page_size_limits(client, viewer) -> None:
    """1,000 by default, 10,000 at most (tipg: 10 and 10,000)."""
    schema = client.get("/ogc/openapi.json", headers=viewer).json()
    items = schema["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    limit = next(p for p in items if p["name"] == "limit")["schema"]
    assert (limit["default"], limit["maximum"]) == (1000, 10000)
    too_many = client.get("/ogc/collections/public.eco_redline/items?limit=10001", headers=viewer)
    assert too_many.status_code == 422
    named = {p["name"]: p for p in items}
    assert CRS_URI.format(4526) in named["crs"]["schema"]["enum"]
    assert CRS_URI.format(4490) in named["bbox-crs"]["schema"]["enum"]


def test_tilesets_as_ogc_api_tiles_describes_them(client, viewer) -> None:
    """The links GDAL and QGIS follow: collection → tilesets-vector → tileset → item
    template and tiling scheme; three grids, one in CGCS2000; limits that hold the data."""
    collection = client.get("/ogc/collections/public.eco_redline", headers=viewer).json()
    rel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
    tilesets_url = next(link["href"] for link in collection["links"] if link["rel"] == rel)
    tilesets = client.get(tilesets_url, headers=viewer).json()["tilesets"]
    crs = {t["tileMatrixSetURI"].rsplit("/", 1)[1]: t["crs"] for t in tilesets}
    assert crs == {
        "WebMercatorQuad": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "WorldCRS84Quad": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "CGCS2000Quad": "http://www.opengis.net/def/crs/EPSG/0/4490",
    }
    for summary in tilesets:
        self_url = next(link["href"] for link in summary["links"] if link["rel"] == "self")
        tileset = client.get(self_url, headers=viewer).json()
        links = {link["rel"]: link for link in tileset["links"]}
        scheme = links["http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"]["href"]
        tms = client.get(scheme, headers=viewer).json()
        item = links["item"]
        assert item["type"] == "application/vnd.mapbox-vector-tile" and item["templated"]
        assert tileset["layers"][0]["id"] == "eco_redline"
        # The tile holding the fixture, from the grid's own definition, is within the limits
        # and, fetched through the template, holds both red lines.
        grid = morecantile.TileMatrixSet.model_validate(tms)
        tile = grid.tile(114.0125, 24.5075, 12)
        limits = {lim["tileMatrix"]: lim for lim in tileset["tileMatrixSetLimits"]}["12"]
        assert limits["minTileCol"] <= tile.x <= limits["maxTileCol"]
        assert limits["minTileRow"] <= tile.y <= limits["maxTileRow"]
        url = (
            item["href"]
            .replace("{tileMatrix}", "12")
            .replace("{tileRow}", str(tile.y))
            .replace("{tileCol}", str(tile.x))
        )
        decoded = mapbox_vector_tile.decode(client.get(url, headers=viewer).content)
        names = {f["properties"]["name"] for f in decoded["eco_redline"]["features"]}
        assert {"测试红线甲", "测试红线乙"} <= names, summary["tileMatrixSetURI"]


def test_ogc_openapi_validates() -> None:
    """The OGC application's own OpenAPI (what GDAL reads for ``limit``), with the
    overridden routes and the declared ``crs`` parameters, is valid OpenAPI 3."""
    from openapi_spec_validator import validate

    from api.ogc import create_ogc_app
    from layers.settings import Settings

    app = create_ogc_app(Settings(_env_file=None, database_url="postgresql://x@127.0.0.1/x"))
    validate(app.openapi())
