"""Routes stay thin: no route module imports another (shared code lives in services), and
the read routes declare typed responses, so OpenAPI documents what they return."""

import ast
from pathlib import Path

import pytest

from api.main import create_app
from api.responses import SectionAssessment, SectionListItem

ROUTES = Path(__file__).resolve().parents[2] / "api" / "routes"


def _route_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("api.routes."):
                found.add(node.module.removeprefix("api.routes."))
            elif node.module == "api.routes":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("api.routes.")
                for a in node.names
                if a.name.startswith("api.routes.")
            )
    return found


def test_no_route_module_imports_another():
    modules = sorted(p for p in ROUTES.glob("*.py") if p.name != "__init__.py")
    assert len(modules) >= 10
    imports = {(p.stem, other) for p in modules for other in _route_imports(p)}
    assert not imports, imports


TYPED = [
    ("get", "/api/sections", "SectionListItem"),
    ("get", "/api/sections/default-period", "DefaultPeriod"),
    ("get", "/api/sections/{code}/assessment", "SectionAssessment"),
    ("get", "/api/sections/{code}/series", "SectionSeries"),
    ("get", "/api/reservoirs/{code}/trophic", "ReservoirTrophic"),
    ("get", "/api/baseline", "BaselineOut"),
    ("get", "/api/baselines", "ListOut"),
    ("get", "/api/checks", "ChecksOut"),
    ("post", "/api/ingest/{layer}", "LoadReport"),
    ("get", "/api/ingest/loads", "LoadRecord"),
]


@pytest.mark.parametrize(("method", "path", "model"), TYPED)
def test_read_routes_document_their_response(settings, method, path, model):
    document = create_app(settings).openapi()
    schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    ref = schema.get("items", schema).get("$ref", "")
    assert ref == f"#/components/schemas/{model}", schema
    assert document["components"]["schemas"][model]["properties"]


def test_section_responses_keep_their_keys(client, viewer):
    """exclude_unset: keys a service leaves out stay out, keys it sets stay in (the map tells
    数据不足 from a class by them)."""
    listed = client.get("/api/sections", headers=viewer).json()
    assert listed
    for item in listed:
        assert set(item) == set(SectionListItem.model_fields)
        SectionListItem.model_validate(item)
    code = listed[0]["code"]
    one = client.get(f"/api/sections/{code}/assessment", headers=viewer).json()
    SectionAssessment.model_validate(one)
    assert ("note" in one) == (one["assessment"] is None)
    assert ("exceedances" in one) == (one["assessment"] is not None)


def test_layer_catalogue_shows_each_card(client, viewer):
    from layers.registry import SPATIAL_LAYERS

    listed = {e["key"]: e for e in client.get("/api/layers", headers=viewer).json()}
    assert set(listed) == set(SPATIAL_LAYERS)
    for key, spec in SPATIAL_LAYERS.items():
        entry = listed[key]
        assert entry["name"] == spec.name_zh and entry["map_order"] == spec.map_order
        assert entry["popup_fields"] == [f._asdict() for f in spec.popup_fields]
        assert entry["code_field"] == spec.code_field
        assert entry["protected"] == (entry["overlap"] is not None)
    assert listed["projects"]["name"] == "建设项目"
    assert listed["basic_farmland"]["overlap"]["severity"] == "prohibited"
    assert listed["farmland"]["overlap"] == {
        "severity": "restricted",
        "advice": "占用耕地须落实“占一补一、占优补优”的耕地占补平衡。",
        "coverage": "features",
    }
    assert listed["farmland"]["code_field"] == "bsm"
    assert listed["farmland"]["location_field"] == "zldwmc"
