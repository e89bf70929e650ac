"""GET /api/here: every layer's features at a point (issue 18 point 4, "tapping lists every
layer there"), against an independent shapely + pyproj.Geod reading of the API dataset."""

import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, text

from layers.registry import LAYERS
from tests.api import data


def name_of(key: str, row: dict) -> str:
    """How a feature of the dataset is named: its code where the card has one, else its name."""
    spec = LAYERS[key]
    return row.get(spec.code_field) if spec.code_field else row.get("name")


def expected_here(lon: float, lat: float, tolerance_m: float) -> set[tuple[str, str]]:
    """(layer, code or name) of the dataset's features at the point: areas containing it
    (edges included), points within ``tolerance_m`` by the ellipsoidal distance."""
    point = Point(lon, lat)
    found = set()
    for key, rows in data.LAYER_ROWS.items():
        for row in rows:
            geom = row["geom"]
            if geom.geom_type == "Point":
                _, _, dist = data.GEOD.inv(lon, lat, geom.x, geom.y)
                hit = dist <= tolerance_m
            else:
                hit = geom.intersects(point)
            if hit:
                found.add((key, name_of(key, row)))
    return found


def ask(client, viewer, lon, lat, **params) -> dict:
    response = client.get("/api/here", params={"lon": lon, "lat": lat, **params}, headers=viewer)
    assert response.status_code == 200, response.text
    return response.json()


def dataset_hits(body: dict) -> set[tuple[str, str]]:
    """The answer's hits in the dataset's layers (other packages may add projects nearby)."""
    return {
        (h["layer"], h["code"] if LAYERS[h["layer"]].code_field else h["name"])
        for h in body["hits"]
        if h["layer"] in data.LAYER_ROWS
    }


@pytest.mark.parametrize(
    ("lon", "lat", "why"),
    [
        (114.012, 24.507, "inside 红线乙 which lies inside 红线甲: both, not only the top one"),
        (114.02, 24.51, "on the shared edge of 红线甲 and 基本农田: both (edges included)"),
        (114.05, 24.51, "in the hole of the water-source zone, beside section 乙"),
        (114.043, 24.51, "in the water-source zone, off the hole"),
        (114.015, 24.525, "in 果园 (地类图斑, not 耕地): the parcel is still listed"),
        (114.30, 24.80, "outside the district: nothing"),
    ],
)
def test_every_layer_at_the_point_is_listed(client, viewer, lon, lat, why):
    body = ask(client, viewer, lon, lat)
    assert dataset_hits(body) == expected_here(lon, lat, 20.0), why


def test_points_are_found_within_the_tolerance_by_ellipsoidal_distance(client, viewer):
    section = data.LAYER_ROWS["sections"][0]["geom"]  # 测试断面甲 at 114.03, 24.51
    lon, lat = section.x + 0.0001, section.y  # ≈ 10.1 m east
    _, _, metres = data.GEOD.inv(lon, lat, section.x, section.y)
    assert 9 < metres < 11
    near = ask(client, viewer, lon, lat, tolerance_m=metres + 0.5)
    sections = [h for h in near["hits"] if h["layer"] == "sections"]
    assert [h["code"] for h in sections] == ["T-API-01"]
    assert sections[0]["distance_m"] == pytest.approx(metres, abs=0.01)
    assert sections[0]["name"] == "测试断面甲"
    far = ask(client, viewer, lon, lat, tolerance_m=metres - 0.5)
    assert not [h for h in far["hits"] if h["layer"] == "sections"]
    # the area it stands in is still there, at distance 0
    farmland = [h for h in far["hits"] if h["layer"] == "basic_farmland"]
    assert [(h["code"], h["distance_m"]) for h in farmland] == [("JB-T1", 0.0)]


def test_hits_name_features_by_code_and_come_in_map_order(client, viewer):
    body = ask(client, viewer, 114.012, 24.507)
    redlines = [h for h in body["hits"] if h["layer"] == "eco_redline"]
    assert {(h["code"], h["name"], h["layer_name"]) for h in redlines} == {
        ("HX-T1", "测试红线甲", "生态保护红线"),
        ("HX-T2", "测试红线乙", "生态保护红线"),
    }
    assert set(redlines[0]["properties"]) == {"id", "name", "code", "redline_type", "area_m2"}
    # the map's order: 生态保护红线 (map_order 6) before 行政区界 (11)
    layers = [h["layer"] for h in body["hits"]]
    assert layers.index("eco_redline") < layers.index("district")


def test_layers_without_any_data_are_named_not_passed_off_as_nothing_here(
    client, viewer, engine: Engine
):
    body = ask(client, viewer, 114.012, 24.507)
    with engine.connect() as conn:
        for key, spec in LAYERS.items():
            if not spec.geometry_type:
                continue
            empty = not conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{spec.table}")')).scalar()
            assert (key in body["without_data"]) == empty, key
    assert not set(body["without_data"]) & set(data.LAYER_ROWS)


def test_bad_points_are_refused_in_chinese(client, viewer):
    for params in (
        {"lon": 200, "lat": 24.5},
        {"lon": 114},
        {"lon": 114, "lat": 24, "tolerance_m": -1},
    ):
        response = client.get("/api/here", params=params, headers=viewer)
        assert response.status_code == 422, params
    assert client.get("/api/here", params={"lon": 114, "lat": 24.5}).status_code in (200, 401)
