"""The layer registry (图层目录): one entry per layer key.

The CLI, the ETL, the API and the map read layers from here: table, model, geometry
type, Chinese display name, map style, whether the overlap check protects it, and
whether the map fetches it whole (GeoJSON) or as vector tiles.
"""

from dataclasses import dataclass, field
from typing import Literal

from gis.compliance import FARMLAND_CODES
from gis.errors import NotFoundError
from layers import models
from layers.models.base import Base, in_list


@dataclass(frozen=True)
class LayerSpec:
    key: str
    model: type[Base]
    geometry_type: str | None  # None: attribute-only table (samples)
    name_zh: str
    style: dict[str, object] = field(default_factory=dict)
    protected: bool = False  # counted by the red-line overlap check
    delivery: Literal["geojson", "tiles", "none"] = "geojson"
    label_field: str | None = "name"
    # SQL condition (constant text from code, never user input) restricting which rows the
    # overlap check counts, e.g. 耕地 = the 0101/0102/0103 parcels of 地类图斑.
    overlap_filter: str | None = None
    # Column of a feature's declared net area (三调 TBDLMJ: parcel area less 田坎 and other
    # deductions, DOMAIN.md §4). The overlap report then also gives the net figure, each
    # piece scaled by declared ÷ ellipsoidal feature area: the rule the area checks use.
    net_area_field: str | None = None

    @property
    def table(self) -> str:
        return self.model.__tablename__


def _polygon_style(colour: str, fill_opacity: float = 0.35, weight: float = 1) -> dict[str, object]:
    return {"color": colour, "fillColor": colour, "weight": weight, "fillOpacity": fill_opacity}


_SPECS = (
    LayerSpec(
        "district",
        models.District,
        "MULTIPOLYGON",
        "曾都区界",
        {"color": "#333333", "weight": 2.5, "fillOpacity": 0},
    ),
    LayerSpec(
        "units",
        models.Unit,
        "MULTIPOLYGON",
        "流域片区",
        {"color": "#6a3d9a", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.03},
    ),
    LayerSpec("rivers", models.River, "MULTILINESTRING", "河流", {"color": "#1f78b4", "weight": 2}),
    LayerSpec(
        "reservoirs",
        models.Reservoir,
        "POINT",
        "水库",
        {"color": "#08519c", "fillColor": "#6baed6", "radius": 6},
    ),
    LayerSpec(
        "sections", models.Section, "POINT", "水质监测断面", {"color": "#222222", "radius": 8}
    ),
    LayerSpec("samples", models.Sample, None, "水质监测数据", delivery="none", label_field=None),
    LayerSpec(
        "water_source_zones",
        models.WaterSourceZone,
        "MULTIPOLYGON",
        "饮用水水源保护区",
        _polygon_style("#00bcd4"),
        protected=True,
    ),
    LayerSpec(
        "farmland",
        models.LandParcel,
        "MULTIPOLYGON",
        "耕地（地类图斑）",
        _polygon_style("#d9c36a", 0.5, 0.3),
        protected=True,
        delivery="tiles",
        label_field="dlmc",
        overlap_filter=in_list("dlbm", FARMLAND_CODES),
        net_area_field="tbdlmj",
    ),
    LayerSpec(
        "basic_farmland",
        models.BasicFarmland,
        "MULTIPOLYGON",
        "永久基本农田",
        _polygon_style("#f0a30a", 0.45, 0.5),
        protected=True,
        delivery="tiles",
        label_field="yjjbnttbbh",
    ),
    LayerSpec(
        "eco_redline",
        models.EcoRedline,
        "MULTIPOLYGON",
        "生态保护红线",
        _polygon_style("#2ca25f", 0.4, 1.5),
        protected=True,
    ),
    LayerSpec(
        "urban_boundary",
        models.UrbanBoundary,
        "MULTIPOLYGON",
        "城镇开发边界",
        {"color": "#e7298a", "weight": 2, "fillOpacity": 0.08},
        protected=True,
    ),
    LayerSpec(
        "projects", models.Project, "MULTIPOLYGON", "拟建项目", _polygon_style("#d7301f", 0.3, 2)
    ),
)

LAYERS: dict[str, LayerSpec] = {spec.key: spec for spec in _SPECS}
SPATIAL_LAYERS: dict[str, LayerSpec] = {k: s for k, s in LAYERS.items() if s.geometry_type}
PROTECTED_LAYERS: tuple[str, ...] = tuple(k for k, s in LAYERS.items() if s.protected)


def get_layer(key: str) -> LayerSpec:
    """The spec of ``key``, or a NotFoundError listing the valid keys."""
    try:
        return LAYERS[key]
    except KeyError:
        raise NotFoundError(
            f"未知图层 '{key}' (unknown layer).", hint=f"可用图层：{', '.join(LAYERS)}"
        ) from None
