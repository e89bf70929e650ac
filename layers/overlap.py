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

import datetime as dt
from functools import cache
from typing import Any

import orjson
import shapely
from sqlalchemy import Engine, text

from gis.area import M2_PER_MU, m2_to_mu
from gis.compliance import MIN_OVERLAP_M2, PROJECT_STATUSES
from gis.errors import InvalidInputError

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
from layers.sql import query, quote_identifier, template

Rule = OverlapRule  # the name this module used before the rules moved onto the cards

#: Each protected layer's severity and advice, from its card (layers/registry.py).
RULES: dict[str, Rule] = {k: s.overlap for k, s in LAYERS.items() if s.overlap is not None}
#: What stands for each protected layer's loaded coverage (gis.overlap.CoverageBasis), from
#: its card.
COVERAGE: dict[str, CoverageBasis] = {k: r.coverage for k, r in RULES.items()}
#: Layers whose features never overlap one another (三调 地类图斑 and 永久基本农田图斑: the
#: databases' topology rules forbid overlapping 图斑): their overlap area is the sum of their
#: pieces and no union is computed. Layers not listed may overlap (two red lines over one
#: place) and are measured on their union, each place counted once.
DISJOINT = frozenset({"farmland", "basic_farmland"})


#: How the bureau names a feature of each layer (BSM 标识码, 永久基本农田图斑编号, 红线编码) and
#: where it lies (坐落单位名称): columns of the layer's table where it has them, else the
#: attributes kept as loaded (``extra``), first found wins. A report never names a feature by
#: its database id alone.
CODE_COLUMNS = {"farmland": "bsm", "basic_farmland": "yjjbnttbbh", "eco_redline": "code"}
LOCATION_COLUMNS = {"farmland": "zldwmc", "basic_farmland": "zldwmc"}
EXTRA_CODE_KEYS = ("BSM", "HXBH", "HXBM", "DKBH", "BH", "CODE")
EXTRA_LOCATION_KEYS = ("ZLDWMC", "ZL", "坐落", "ZLDW", "XZQMC")
#: Layers whose last load dates the report states (数据现势性).
AS_OF_LAYERS = ("district", *PROTECTED_LAYERS)
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def _attribute_sql(column: str | None, extra_keys: tuple[str, ...]) -> str:
    """SQL text for the first non-empty of a column and ``extra`` keys (constants from code)."""
    parts = [f"NULLIF(t.{quote_identifier(column)}::text, '')"] if column else []
    parts += [f"NULLIF(t.extra->>'{key}', '')" for key in extra_keys]
    return f"COALESCE({', '.join(parts)})"


def _rule(key: str) -> Rule:
    return RULES[key]


def verdict(layers: list[dict[str, Any]], district: dict[str, Any]) -> dict[str, Any]:
    """The report's verdict from its layer entries (:func:`gis.overlap.verdict`), with the
    cards' rules."""
    return overlap_verdict(layers, district, RULES)


#: What a report carries of each layer's overlap geometry (the areas are always measured on
#: the exact pieces, whatever is drawn):
#:
#: * ``none``: nothing (the figures only: the smallest and fastest answer);
#: * ``display``: for drawing, the layer's overlap (its pieces, or their union where features
#:   may overlap) simplified with ST_SimplifyPreserveTopology at :data:`DISPLAY_TOLERANCE_DEG`.
#:   Pieces of layers whose features tile are not dissolved: the union of ~1 000 永久基本农田
#:   pieces took 0.4 s under load and saved nothing (the patches seldom touch);
#: * ``full``: the pieces themselves at 6 decimals (≈ 10 cm), as reports carried before.
GEOMETRY_MODES = ("none", "display", "full")
#: Simplification tolerance of the ``display`` drawing: 5·10⁻⁶° is about 0.5 m here, a tenth of
#: a millimetre on a 1:5 000 printed map and about a pixel at zoom 18.
DISPLAY_TOLERANCE_DEG = 5e-6
# pieces are (Multi)Polygons: collected they nest, extracted they are one MultiPolygon
_PIECES_OR_UNION = (
    "CASE WHEN disjoint THEN ST_CollectionExtract(pieces, 3) ELSE ST_UnaryUnion(pieces) END"
)
_GEOMETRY_SQL = {
    # (the pieces aggregated, the per-layer geometry, the drawing sent)
    "none": (
        # only layers measured on their union need their pieces together
        "ST_Collect(piece) FILTER (WHERE NOT disjoint)",
        "CASE WHEN disjoint THEN NULL ELSE ST_UnaryUnion(pieces) END",
        "NULL::text",
    ),
    "display": (
        "ST_Collect(piece)",
        _PIECES_OR_UNION,
        "ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :display_tolerance), 6, 0)",
    ),
    "full": ("ST_Collect(piece)", _PIECES_OR_UNION, "ST_AsGeoJSON(geom, 6, 0)"),
}


@cache
def overlap_sql(layer_keys: tuple[str, ...] = PROTECTED_LAYERS, geometry: str = "full") -> str:
    """The statement for ``layer_keys`` with the ``geometry`` drawing (:data:`GEOMETRY_MODES`);
    identifiers come from the registry, never from input."""
    collect, union, drawing = _GEOMETRY_SQL[geometry]
    block = template("overlap_candidates")
    parts, coverage = [], []
    for n, key in enumerate(layer_keys):
        spec: LayerSpec = LAYERS[key]
        tiles = COVERAGE.get(key, "district") == "features"  # every feature measured once
        label = (
            f"t.{quote_identifier(spec.label_field)}::text" if spec.label_field else "NULL::text"
        )
        parts.append(
            block.replace("{n}", str(n))
            .replace("{label}", label)
            .replace("{code}", _attribute_sql(CODE_COLUMNS.get(key), EXTRA_CODE_KEYS))
            .replace("{location}", _attribute_sql(LOCATION_COLUMNS.get(key), EXTRA_LOCATION_KEYS))
            .replace("{declared}", _declared_sql(spec))
            .replace("{stored_m2}", _stored_area_sql(spec))
            .replace("{has_net}", "FALSE" if spec.net_area_field is None else "TRUE")
            .replace("{table}", quote_identifier(spec.table))
            .replace("{counted}", f"({spec.overlap_filter or 'TRUE'})")
            .replace("{disjoint}", "TRUE" if key in DISJOINT else "FALSE")
            # a wall-to-wall layer's every feature is measured once: counted ones for the
            # overlap, all for the coverage
            .replace("{scan}", "TRUE" if tiles else spec.overlap_filter or "TRUE")
        )
        coverage.append(
            template("overlap_coverage")
            .replace("{n}", str(n))
            .replace("{table}", quote_identifier(spec.table))
            .replace("{covered}", _covered_sql(key, n))
        )
    return (
        template("overlap")
        .replace("{coverage}", "\n    UNION ALL\n".join(coverage))
        .replace("{candidates}", "\n    UNION ALL\n".join(parts))
        .replace("{collect}", collect)
        .replace("{union}", union)
        .replace("{drawing}", drawing)
    )


def _covered_sql(key: str, n: int) -> str:
    """SQL for the area of the project covered by the layer's features (every feature, no
    overlap filter: its pieces, measured once in ``areal``), for layers whose coverage is
    their features; NULL for the others."""
    if COVERAGE.get(key, "district") != "features":
        return "NULL::float8"
    return (
        "(SELECT COALESCE(sum(a.area_m2 ORDER BY a.id), 0) FROM areal AS a"
        f" WHERE a.layer = :layer_{n})"
    )


def _declared_sql(spec: LayerSpec) -> str:
    """SQL for a feature's declared net area (耕地: TBDLMJ, its area less 田坎); NULL for layers
    that declare none. ``overlap.sql`` takes the piece's share of it by the ratio declared ÷
    ellipsoidal area (1 where a feature declares none, as the area checks count it)."""
    if spec.net_area_field is None:
        return "NULL::float8"
    return f"t.{quote_identifier(spec.net_area_field)}::float8"


def _stored_area_sql(spec: LayerSpec) -> str:
    """SQL for a feature's stored ellipsoidal area (LayerSpec.ellipsoidal_area_field); NULL
    where the table stores none (``overlap.sql`` then computes it)."""
    if spec.ellipsoidal_area_field is None:
        return "NULL::float8"
    return f"t.{quote_identifier(spec.ellipsoidal_area_field)}"


def overlap_report(
    engine: Engine, project: ProjectGeometry, geometry: str = "full"
) -> dict[str, Any]:
    """The report of ``project`` against every protected layer (JSON-ready dict), each layer's
    overlap drawn as ``geometry`` says (:data:`GEOMETRY_MODES`; the areas never depend on it)."""
    if geometry not in GEOMETRY_MODES:
        raise InvalidInputError(f"geometry 应为 {'、'.join(GEOMETRY_MODES)} 之一 (bad geometry).")
    params: dict[str, Any] = {
        "wkb": shapely.to_wkb(project.geom),
        "min_area_m2": MIN_OVERLAP_M2,
        "m2_per_mu": M2_PER_MU,
    }
    params |= {f"layer_{n}": key for n, key in enumerate(PROTECTED_LAYERS)}
    params["as_of_layers"] = list(AS_OF_LAYERS)
    if geometry == "display":
        params["display_tolerance"] = DISPLAY_TOLERANCE_DEG
    with reading(engine) as conn:
        row = conn.execute(text(overlap_sql(geometry=geometry)), params).one()
    project_m2 = float(row.project_area_m2)
    # orjson: the features of a large project are thousands of objects (the standard
    # library's parser took a tenth of the request); the values are PostgreSQL's own
    # (finite float8, int ids, text), which orjson reads exactly
    measured = {entry["layer"]: entry for entry in orjson.loads(row.layers)}
    district = _district_coverage(row, project_m2)
    loaded = {entry["layer"]: entry for entry in orjson.loads(row.coverage)}
    layers = [
        _layer_entry(key, measured.get(key), project_m2, _coverage(key, loaded[key], district))
        for key in PROTECTED_LAYERS
    ]
    report = {
        "project_name": project.name,
        "checked_at": dt.datetime.now(CHINA_TIME).isoformat(timespec="seconds"),
        "data_as_of": _as_of(row.as_of or {}),
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
    # one statement per plot (at most MAX_PLOTS, see layers.project_geometry): a multi-plot
    # file has a handful, and each plot's figures are those of a report of its own
    # (the per-plot table shows figures only: no drawing)
    report["plots"] = [plot_summary(overlap_report(engine, plot, "none")) for plot in project.plots]
    return report


def plot_summary(report: dict[str, Any]) -> dict[str, Any]:
    """A plot's figures for the per-plot table: area, per-layer overlap and verdict."""
    return {
        "name": report["project_name"],
        "area_m2": report["project_area_m2"],
        "area_mu": report["project_area_mu"],
        "layers": [
            {
                key: entry[key]
                for key in ("layer", "name", "area_m2", "area_mu", "net_area_m2", "net_area_mu")
            }
            for entry in report["layers"]
        ],
        "verdict": {"status": report["verdict"]["status"], "label": report["verdict"]["label"]},
    }


def _as_of(loaded: dict[str, str]) -> list[dict[str, Any]]:
    """Each layer's last load (None: never loaded through the loader), in registry order."""
    return [
        {"layer": key, "name": LAYERS[key].name_zh, "loaded_at": loaded.get(key)}
        for key in AS_OF_LAYERS
    ]


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
    features = measured["features"] if measured else []  # 亩 already beside m² (overlap.sql)
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
        "geometry": _fragment(measured["geometry"] if measured else None),
        "coverage": coverage,
        "finding": _finding(area, coverage),
    }


def _fragment(geojson: str | None) -> orjson.Fragment | None:
    return None if geojson is None else orjson.Fragment(geojson)


def _mu(m2: float | None) -> float | None:
    return None if m2 is None else m2_to_mu(m2)


#: Snapping vertices: the widest view served (degrees, about 2 km here: zoom 16 and closer)
#: and the most vertices sent for one view.
SNAP_VIEW_DEGREES = 0.03
SNAP_MAX_VERTICES = 20_000


def snap_vertices(engine: Engine, bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    """Vertices of parcels, 永久基本农田 and 生态保护红线 in ``bbox`` (west, south, east, north)
    for snapping while drawing; ``truncated`` when the view holds more than are sent."""
    west, south, east, north = bbox
    if not (west < east and south < north):
        raise InvalidInputError("bbox 应为 西,南,东,北 且 西<东、南<北 (bad bbox).")
    if east - west > SNAP_VIEW_DEGREES or north - south > SNAP_VIEW_DEGREES:
        raise InvalidInputError(
            f"吸附范围过大（超过 {SNAP_VIEW_DEGREES}°）(view too large for snapping).",
            hint="放大地图（16 级及以上）后再吸附。",
        )
    params = {"west": west, "south": south, "east": east, "north": north}
    with reading(engine) as conn:
        rows = conn.execute(query("overlap_vertices"), {**params, "limit": SNAP_MAX_VERTICES})
        vertices = [(round(r.lon, 9), round(r.lat, 9)) for r in rows]
    return {
        "vertices": vertices[:SNAP_MAX_VERTICES],
        "truncated": len(vertices) > SNAP_MAX_VERTICES,
    }


def report_json(report: dict[str, Any]) -> bytes:
    """The report as JSON bytes, its GeoJSON fragments written in as the database produced them."""
    return orjson.dumps(report)


def report_document(report: dict[str, Any]) -> dict[str, Any]:
    """The report as plain JSON values (geometries parsed), for storing it as a record."""
    return orjson.loads(report_json(report))
