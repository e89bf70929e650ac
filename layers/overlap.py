"""Red-line overlap report (红线压占分析): a project outline against every protected layer.

One set-based statement (``sql/overlap.sql``) measures, for each protected layer of the
registry, the overlapping area (ellipsoidal, m² and 亩), the share of the project, the
features touched and the intersection geometry; :func:`verdict` turns the figures into the
answer a land-use officer files. The map, the API and the CLI all call :func:`overlap_report`.

The geometries (often most of the bytes) come from PostGIS as GeoJSON text and stay text:
they are carried as :class:`orjson.Fragment` and written into the response as they are,
never parsed into Python lists and serialised again (:func:`report_json`).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import orjson
import shapely
from sqlalchemy import Engine, text

from gis.area import m2_to_mu
from gis.compliance import MIN_OVERLAP_M2
from layers.db import reading
from layers.project_geometry import ProjectGeometry
from layers.registry import LAYERS, PROTECTED_LAYERS, LayerSpec
from layers.sql import quote_identifier, template

Severity = Literal["prohibited", "restricted", "informational"]


@dataclass(frozen=True)
class Rule:
    """How an overlap with a layer weighs in the verdict, and what to tell the officer."""

    severity: Severity
    advice: str


#: Layers not listed count as "restricted" (a new protected layer is never silently ignored).
RULES: dict[str, Rule] = {
    "eco_redline": Rule(
        "prohibited",
        "生态保护红线内原则上禁止开发性、生产性建设活动，须按有限人为活动管控要求论证。",
    ),
    "basic_farmland": Rule(
        "prohibited", "永久基本农田一经划定不得擅自占用或改变用途，重大建设项目须论证并补划。"
    ),
    "water_source_zones": Rule(
        "prohibited", "饮用水水源保护区内禁止建设与供水设施和保护水源无关的项目。"
    ),
    "farmland": Rule("restricted", "占用耕地须落实“占一补一、占优补优”的耕地占补平衡。"),
    "urban_boundary": Rule(
        "informational", "城镇开发边界内为城镇集中建设区；边界外的建设须符合国土空间规划。"
    ),
}
_DEFAULT_RULE = Rule("restricted", "涉及受保护图层，请核实管控要求。")
VERDICT_LABELS = {"conflict": "冲突", "review": "需审查", "clear": "不涉及"}


def _rule(key: str) -> Rule:
    return RULES.get(key, _DEFAULT_RULE)


@cache
def overlap_sql(layer_keys: tuple[str, ...] = PROTECTED_LAYERS) -> str:
    """The statement for ``layer_keys``; identifiers come from the registry, never from input."""
    block = template("overlap_candidates")
    parts = []
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
    return template("overlap").replace("{candidates}", "\n    UNION ALL\n".join(parts))


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
    layers = [_layer_entry(key, measured.get(key), project_m2) for key in PROTECTED_LAYERS]
    return {
        "project_name": project.name,
        "project_area_m2": project_m2,
        "project_area_mu": m2_to_mu(project_m2),
        "project_geometry": orjson.Fragment(row.project_geometry),
        "input": {
            "crs": f"EPSG:{project.source_epsg}",
            "gcj02": project.gcj02,
            "repaired": project.repaired,
            "notes": list(project.notes),
        },
        "layers": layers,
        "verdict": verdict(layers),
    }


def _layer_entry(key: str, measured: dict[str, Any] | None, project_m2: float) -> dict[str, Any]:
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
    }


def _mu(m2: float | None) -> float | None:
    return None if m2 is None else m2_to_mu(m2)


def report_json(report: dict[str, Any]) -> bytes:
    """The report as JSON bytes, its GeoJSON fragments written in as the database produced them."""
    return orjson.dumps(report)


def report_document(report: dict[str, Any]) -> dict[str, Any]:
    """The report as plain JSON values (geometries parsed), for storing it as a record."""
    return orjson.loads(report_json(report))


def verdict(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """冲突 when a prohibited layer is touched, 需审查 for a restricted one, else 不涉及."""
    reasons = []
    for entry in layers:
        rule = _rule(entry["layer"])
        if entry["area_m2"] > 0:
            share = f"{entry['share']:.2%}"
            net = entry.get("net_area_mu")
            net_text = "" if net is None else f"，扣除田坎等后 {net:.2f} 亩"
            reasons.append(
                {
                    "layer": entry["layer"],
                    "severity": rule.severity,
                    "text": f"涉及{entry['name']} {entry['area_mu']:.2f} 亩"
                    f"（{entry['area_m2']:.1f} m²，占项目 {share}）{net_text}。{rule.advice}",
                }
            )
    severities = {r["severity"] for r in reasons}
    status = (
        "conflict"
        if "prohibited" in severities
        else "review"
        if "restricted" in severities
        else "clear"
    )
    summary = {
        "conflict": "项目与禁止占用的保护图层重叠，原则上不予通过。",
        "review": "项目占用受限图层，须补充论证或落实补偿后方可通过。",
        "clear": "项目未压占"
        + "、".join(
            LAYERS[k].name_zh for k in PROTECTED_LAYERS if _rule(k).severity != "informational"
        )
        + "。",
    }[status]
    return {
        "status": status,
        "label": VERDICT_LABELS[status],
        "summary": summary,
        "reasons": reasons,
    }
