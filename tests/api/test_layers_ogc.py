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
    mine = frame[frame["source"] == "api-test-fixture"].set_index("bsm")
    assert mine.loc["T-C2", "dlmc"] == "果园"
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
    """What QGIS shows when a user adds the OGC API connection. tipg's collection list puts
    the id in ``title``; the Chinese name is in the list's description and the collection's
    own title."""
    collections = client.get("/ogc/collections", headers=viewer).json()["collections"]
    described = {c["id"]: c["description"] for c in collections}
    for spec in SPATIAL_LAYERS.values():
        assert described[f"public.{spec.table}"].startswith(spec.name_zh), spec.key
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

    tipg_calls = [c for c in calls(tile.dependant) if c.__module__.startswith("tipg")]
    names = {c.__name__ for c in tipg_calls}
    assert {"CollectionParams", "TileParams", "bbox_query", "filter_query"} <= names
    assert all(inspect.iscoroutinefunction(c) for c in tipg_calls), names
