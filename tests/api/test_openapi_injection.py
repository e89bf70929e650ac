"""The OpenAPI document validates and documents every route; an SQL-like string in every
parameter of every operation gets a 4xx (or, for free text, is stored verbatim) and leaves
every table intact."""

import html
import json
import re
from urllib.parse import quote

import pytest
from openapi_spec_validator import validate
from shapely.geometry import mapping
from sqlalchemy import text

from api.main import create_app
from layers.registry import LAYERS
from tests.api import data
from tests.api.conftest import SOURCE

INJECTION = "'; DROP TABLE sections;--"
VALID = {
    "key": "eco_redline",
    "code": "T-API-01",
    "layer": "urban_boundary",
    "indicator": "nh3n",
    "period": "2024-06",
    "fmt": "html",
    "kind": "dem",
    "z": "14",
    "x": "13420",
    "y": "6780",
    "record_id": "6d1f6a52-4a2e-4c55-9a55-2f7b0f5a9c11",
    "photo_id": "0b0f7e1c-51c4-4c8e-8d0e-3f4b5e6a7d88",
}
# stored as data, bound, echoed verbatim (the report's title: escaped in the page)
FREE_TEXT = {("post", "/api/overlap", "name"), ("post", "/api/overlap/report.{fmt}", "name")}
UPLOAD = json.dumps(
    {"type": "Feature", "properties": {"name": "注入测试"}, "geometry": mapping(data.FAR)}
).encode()


def test_openapi_validates_and_every_route_has_a_summary(settings) -> None:
    document = create_app(settings).openapi()
    validate(document)
    operations = [(p, m, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 17
    for path, method, op in operations:
        assert op.get("summary") and re.search(r"[\u4e00-\u9fff]", op["summary"]), (method, path)
        assert op.get("tags"), (method, path)


def _operations(settings) -> list[tuple[str, str, dict]]:
    document = create_app(settings).openapi()
    return [
        (method, path, param)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        for param in op.get("parameters", [])
        if param["in"] in ("path", "query")
    ]


def _request(client, method: str, path: str, param: dict, project_id: int, headers: dict):
    values = {**VALID, "project_id": str(project_id)}
    if param["in"] == "path":
        values[param["name"]] = INJECTION
    url = re.sub(r"{(\w+)}", lambda m: quote(values[m.group(1)], safe=""), path)
    params = {param["name"]: INJECTION} if param["in"] == "query" else {}
    if method == "get":
        return client.get(url, params=params, headers=headers)
    if method == "put":  # inspection records: an empty body is refused after the parameters
        return client.put(url, params=params, json={}, headers=headers)
    if path == "/api/overlap":
        params |= {"save": "true"} if param["name"] == "name" else {}
        return client.post(url, params=params, json=mapping(data.FAR), headers=headers)
    return client.post(url, params=params, files={"file": ("inj.geojson", UPLOAD)}, headers=headers)


def test_sql_like_strings_in_every_parameter(client, admin, settings, engine) -> None:
    saved = client.post(
        "/api/overlap?save=true&name=注入基准", json=mapping(data.FAR), headers=admin
    ).json()
    operations = _operations(settings)
    assert len(operations) >= 20
    try:
        for method, path, param in operations:
            response = _request(client, method, path, param, saved["id"], admin)
            where = (method, path, param["name"], response.status_code, response.text[:200])
            if (method, path, param["name"]) in FREE_TEXT:
                assert response.status_code == 200, where
                if path == "/api/overlap":
                    assert response.json()["project_name"] == INJECTION, where
                else:
                    assert html.escape(INJECTION) in response.text, where
            else:
                assert 400 <= response.status_code < 500, where
                assert response.json()["detail"], where
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM urban_boundary WHERE source = 'inj.geojson'"))
    _assert_tables_intact(engine)


@pytest.mark.parametrize(
    "path",
    [
        f"/ogc/collections/{quote(INJECTION)}/items",
        f"/ogc/collections/public.sections/items?bbox={quote(INJECTION)}",
        f"/ogc/collections/public.sections/items?limit={quote(INJECTION)}",
        f"/ogc/collections/public.sections/items?sortby={quote(INJECTION)}",
        f"/ogc/collections/public.sections/items?datetime={quote(INJECTION)}",
        f"/ogc/collections/public.sections/items?filter={quote(INJECTION)}",
        f"/ogc/collections/public.sections/items?filter={quote('nosuch = 1')}",
        f"/ogc/collections/public.sections/items?filter={quote('target_grade = ' + repr(INJECTION))}",
        f"/ogc/collections/public.sections/items/{quote(INJECTION)}",
        f"/ogc/collections/public.sections/tiles/{quote(INJECTION)}/1/1/1",
    ],
)
def test_sql_like_strings_in_ogc_parameters(client, admin, engine, path: str) -> None:
    response = client.get(path, headers=admin)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
    _assert_tables_intact(engine)


def test_sql_like_strings_as_ogc_values_are_bound_or_ignored(client, admin, engine) -> None:
    literal = "code = '" + INJECTION.replace("'", "''") + "'"
    response = client.get(
        "/ogc/collections/public.sections/items", params={"filter": literal}, headers=admin
    )
    assert response.status_code == 200 and response.json()["numberMatched"] == 0
    # Unknown property names are dropped by tipg, not passed to SQL.
    response = client.get(
        "/ogc/collections/public.sections/items", params={"properties": INJECTION}, headers=admin
    )
    assert response.status_code == 200
    assert all(f["properties"] == {} for f in response.json()["features"])
    _assert_tables_intact(engine)


def _assert_tables_intact(engine) -> None:
    with engine.connect() as conn:
        for spec in LAYERS.values():
            assert (
                conn.execute(text("SELECT to_regclass(:t)"), {"t": spec.table}).scalar() is not None
            )
        sections = conn.execute(
            text("SELECT count(*) FROM sections WHERE source = :s"), {"s": SOURCE}
        )
        assert sections.scalar_one() == 2
        samples = conn.execute(
            text("SELECT count(*) FROM samples WHERE source = :s"), {"s": SOURCE}
        )
        assert samples.scalar_one() == len(data.SAMPLES)
