"""Red-line overlap report (红线压占分析): a project outline against every protected layer.

One set-based statement (``sql/overlap.sql``) measures, for each protected layer of the
registry, the overlapping area (ellipsoidal, m² and 亩), the share of the project, the
features touched and the intersection geometry; :func:`gis.overlap.verdict` (pure) turns the
figures into the answer a land-use officer files, with each layer card's rule. The map, the
API and the CLI all call :func:`overlap_report`.

Coverage: a verdict speaks only for the part of the project the data cover. Each layer's
coverage (:data:`COVERAGE`) is either the district (a layer declared for the whole district:
永久基本农田, 生态保护红线, 水源保护区, 城镇开发边界; an empty layer covers nothing) or its own
features (地类图斑 tile the land, so where there is no parcel there are no data). The part of
the project outside a layer's coverage is 无法判定（超出数据范围）, never 不涉及; a project
wholly outside the district is 无法判定 overall.

The geometries (often most of the bytes) come from PostGIS as GeoJSON text and stay text:
they are carried as :class:`orjson.Fragment` and written into the response as they are,
never parsed into Python lists and serialised again (:func:`report_json`).
"""

from functools import cache
from typing import Any

import orjson
import shapely
from sqlalchemy import Engine, text

from gis.area import m2_to_mu
from gis.compliance import MIN_OVERLAP_M2, PROJECT_STATUSES

# The pure rules moved to gis.overlap; their old names here are re-exported for a while.
from gis.overlap import OUT_OF_COVERAGE as OUT_OF_COVERAGE
from gis.overlap import PROPOSED_NOTE, CoverageBasis, OverlapRule
from gis.overlap import VERDICT_LABELS as VERDICT_LABELS
from gis.overlap import finding as _finding
from gis.overlap import shares as _shares
from gis.overlap import verdict as overlap_verdict
from layers.db import reading
from layers.project_geometry import ProjectGeometry
from layers.registry import LAYERS, PROTECTED_LAYERS, LayerSpec
from layers.sql import quote_identifier, template

Rule = OverlapRule  # the name this module used before the rules moved onto the cards

#: Each protected layer's severity and advice, from its card (layers/registry.py).
RULES: dict[str, Rule] = {k: s.overlap for k, s in LAYERS.items() if s.overlap is not None}
#: What stands for each protected layer's loaded coverage (gis.overlap.CoverageBasis), from
#: its card.
COVERAGE: dict[str, CoverageBasis] = {k: r.coverage for k, r in RULES.items()}


def _rule(key: str) -> Rule:
    return RULES[key]


def verdict(layers: list[dict[str, Any]], district: dict[str, Any]) -> dict[str, Any]:
    """The report's verdict from its layer entries (:func:`gis.overlap.verdict`), with the
    cards' rules."""
    return overlap_verdict(layers, district, RULES)


@cache
def overlap_sql(layer_keys: tuple[str, ...] = PROTECTED_LAYERS) -> str:
    """The statement for ``layer_keys``; identifiers come from the registry, never from input."""
    block = template("overlap_candidates")
    parts, coverage = [], []
    for n, key in enumerate(layer_keys):
        spec: LayerSpec = LAYERS[key]
        label = (
            f"t.{quote_identifier(spec.label_field)}::text" if spec.label_field else "NULL::text"
        )
        parts.append(
            block.replace("{n}", str(n))
            .replace("{label}", label)
            .replace("{net_ratio}", _net_ratio(spec))
            .replace("{table}", quote_identifier(spec.table))
            .replace("{filter}", spec.overlap_filter or "TRUE")
        )
        coverage.append(
            template("overlap_coverage")
            .replace("{n}", str(n))
            .replace("{table}", quote_identifier(spec.table))
            .replace("{covered}", _covered_sql(key, spec))
        )
    return (
        template("overlap")
        .replace("{coverage}", "\n    UNION ALL\n".join(coverage))
        .replace("{candidates}", "\n    UNION ALL\n".join(parts))
    )


def _covered_sql(key: str, spec: LayerSpec) -> str:
    """SQL for the area of the project covered by the layer's features (every feature, no
    overlap filter), for layers whose coverage is their features; NULL for the others."""
    if COVERAGE.get(key, "district") != "features":
        return "NULL::float8"
    piece = (
        "CASE WHEN ST_Covers(p.geom, t.geom) THEN t.geom "
        "ELSE ST_CollectionExtract(ST_Intersection(t.geom, p.geom), 3) END"
    )
    return (
        f"(SELECT COALESCE(sum(ST_Area(({piece})::geography)), 0) "
        f"FROM {quote_identifier(spec.table)} AS t "
        "JOIN project AS p ON ST_Intersects(p.geom, t.geom))"
    )


def _net_ratio(spec: LayerSpec) -> str:
    """SQL for a feature's declared net area ÷ its ellipsoidal area (1 where none is declared,
    as the area checks count it); NULL for layers that declare no net area."""
    if spec.net_area_field is None:
        return "NULL::float8"
    declared = f"t.{quote_identifier(spec.net_area_field)}"
    return f"COALESCE({declared} / NULLIF(ST_Area(t.geom::geography), 0), 1)"


def overlap_report(engine: Engine, project: ProjectGeometry) -> dict[str, Any]:
    """The report of ``project`` against every protected layer (JSON-ready dict)."""
    params: dict[str, Any] = {"wkb": shapely.to_wkb(project.geom), "min_area_m2": MIN_OVERLAP_M2}
    params |= {f"layer_{n}": key for n, key in enumerate(PROTECTED_LAYERS)}
    with reading(engine) as conn:
        row = conn.execute(text(overlap_sql()), params).one()
    project_m2 = float(row.project_area_m2)
    measured = {entry["layer"]: entry for entry in row.layers}
    district = _district_coverage(row, project_m2)
    loaded = {entry["layer"]: entry for entry in row.coverage}
    layers = [
        _layer_entry(key, measured.get(key), project_m2, _coverage(key, loaded[key], district))
        for key in PROTECTED_LAYERS
    ]
    return {
        "project_name": project.name,
        "project_status": PROJECT_STATUSES[0],
        "project_status_note": PROPOSED_NOTE,
        "project_area_m2": project_m2,
        "project_area_mu": m2_to_mu(project_m2),
        "project_geometry": orjson.Fragment(row.project_geometry),
        "coverage": district,
        "input": {
            "crs": f"EPSG:{project.source_epsg}",
            "gcj02": project.gcj02,
            "repaired": project.repaired,
            "notes": list(project.notes),
        },
        "layers": layers,
        "verdict": verdict(layers, district),
    }


def _district_coverage(row: Any, project_m2: float) -> dict[str, Any]:
    """The part of the project inside the district layer, and the part outside as GeoJSON."""
    shares = _shares(float(row.district_m2), project_m2)
    outside = row.outside_geometry if shares["uncovered_m2"] > 0 else None
    return {
        "district_loaded": bool(row.district_loaded),
        **shares,
        "outside_geometry": orjson.Fragment(outside) if outside else None,
    }


def _coverage(key: str, loaded: dict[str, Any], district: dict[str, Any]) -> dict[str, Any]:
    basis = COVERAGE.get(key, "district")
    if not loaded["loaded"]:
        covered = 0.0  # an empty layer covers nothing
    elif basis == "features":
        covered = float(loaded["covered_m2"])
    else:
        covered = district["covered_m2"]
    project_m2 = district["covered_m2"] + district["uncovered_m2"]
    return {"basis": basis, "loaded": bool(loaded["loaded"]), **_shares(covered, project_m2)}


def _layer_entry(
    key: str, measured: dict[str, Any] | None, project_m2: float, coverage: dict[str, Any]
) -> dict[str, Any]:
    spec = LAYERS[key]
    area = float(measured["area_m2"]) if measured else 0.0
    if area < MIN_OVERLAP_M2:
        area, measured = 0.0, None
    rule = _rule(key)
    features = [
        {**f, "area_mu": m2_to_mu(f["area_m2"]), "net_area_mu": _mu(f["net_area_m2"])}
        for f in (measured["features"] if measured else [])
    ]
    net = None
    if spec.net_area_field is not None:
        net = float(measured["net_area_m2"]) if measured else 0.0
    return {
        "layer": key,
        "name": spec.name_zh,
        "severity": rule.severity,
        "area_m2": area,
        "area_mu": m2_to_mu(area),
        "net_area_m2": net,
        "net_area_mu": _mu(net),
        "share": area / project_m2 if project_m2 > 0 else 0.0,
        "feature_count": len(features),
        "features": features,
        "geometry": orjson.Fragment(measured["geometry"]) if measured else None,
        "coverage": coverage,
        "finding": _finding(area, coverage),
    }


def _mu(m2: float | None) -> float | None:
    return None if m2 is None else m2_to_mu(m2)


def report_json(report: dict[str, Any]) -> bytes:
    """The report as JSON bytes, its GeoJSON fragments written in as the database produced them."""
    return orjson.dumps(report)


def report_document(report: dict[str, Any]) -> dict[str, Any]:
    """The report as plain JSON values (geometries parsed), for storing it as a record."""
    return orjson.loads(report_json(report))
