"""The map's layers, one per spatial layer of the registry, in the order people read them.

Python decides *which* layers there are, their names, panes (stacking order), styles and how
each is fetched (whole GeoJSON or vector tiles from ``/ogc``); ``static/js/ws-layers.js`` fills
them from the API once the page is up. A registry layer missing from :data:`DISPLAY_ORDER`
is still shown (after the listed ones), never silently left out.
"""

from dataclasses import dataclass
from typing import ClassVar

from folium.map import Layer
from folium.plugins import VectorGridProtobuf
from folium.template import Template

from layers.registry import SPATIAL_LAYERS, LayerSpec
from webmap.assets import VECTORGRID_JS

# Top of the layer control first; the first listed is drawn on top.
DISPLAY_ORDER = (
    "sections",
    "reservoirs",
    "rivers",
    "projects",
    "water_source_zones",
    "eco_redline",
    "urban_boundary",
    "basic_farmland",
    "farmland",
    "units",
    "district",
)
# Vector tiles are drawn from this zoom on: below it parcels are a few pixels wide and a tile
# carries thousands of them. At 2·10^5 parcels a z12 tile with the popup fields is 406 KB
# gzipped (bench/bench_tiles.py) and a tablet shows about a dozen: z13 quarters that.
TILE_MIN_ZOOM = 13
PANE_Z_BASE = 402  # above Leaflet's overlayPane (400), below markers (600) and popups (700)

# Attributes shown in a feature's popup: (column, Chinese label, format). Sections and
# reservoirs have popups of their own (ws-sections.js, ws-layers.js).
POPUP_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "district": (("name", "名称", "text"), ("code", "行政区划代码", "text")),
    "units": (("name", "片区", "text"), ("code", "编码", "text")),
    "rivers": (("name", "河流", "text"), ("alias", "别名", "text")),
    "water_source_zones": (
        ("name", "名称", "text"),
        ("level", "保护级别", "text"),
        ("source_name", "水源地", "text"),
    ),
    "farmland": (
        ("dlmc", "地类名称", "text"),
        ("dlbm", "地类编码", "text"),
        ("bsm", "标识码", "text"),
        ("zldwmc", "坐落单位", "text"),
        ("tbdlmj", "图斑地类面积", "area_m2"),
        ("tbmj", "图斑面积", "area_m2"),
    ),
    "basic_farmland": (
        ("yjjbnttbbh", "图斑编号", "text"),
        ("dlmc", "地类名称", "text"),
        ("dlbm", "地类编码", "text"),
        ("zldwmc", "坐落单位", "text"),
        ("yjjbntmj", "永久基本农田面积", "area_m2"),
    ),
    "eco_redline": (
        ("name", "红线名称", "text"),
        ("code", "红线编码", "text"),
        ("redline_type", "红线类型", "text"),
        ("area_m2", "面积", "area_m2"),
    ),
    "urban_boundary": (("name", "名称", "text"),),
    "projects": (
        ("name", "项目名称", "text"),
        ("status", "项目状态", "text"),  # only 已批/在建/已建 count as occupation in the list
        ("approval_no", "批准文号", "text"),
        ("approved_on", "批准日期", "text"),
        ("kind", "类型", "text"),
        ("submitted_by", "提交人", "text"),
        ("submitted_at", "提交时间", "datetime"),
    ),
}


@dataclass(frozen=True)
class MapLayer:
    """One registry layer as the page shows it."""

    spec: LayerSpec
    pane: str
    z_index: int
    geojson_url: str | None
    tiles_url: str | None
    collection: str

    @property
    def key(self) -> str:
        return self.spec.key

    def config(self) -> dict[str, object]:
        """What the browser needs to know about the layer (``WS.config.layers``)."""
        spec = self.spec
        return {
            "key": spec.key,
            "name": spec.name_zh,
            "delivery": spec.delivery,
            "geometry_type": spec.geometry_type,
            "style": dict(spec.style),
            "protected": spec.protected,
            "label_field": spec.label_field,
            "pane": self.pane,
            "geojson_url": self.geojson_url,
            "tiles_url": self.tiles_url,
            "collection": self.collection,
            "popup_fields": [list(f) for f in POPUP_FIELDS.get(spec.key, ())],
        }


def ordered_specs() -> list[LayerSpec]:
    """The registry's spatial layers in display order (unlisted ones last, registry order)."""
    listed = [SPATIAL_LAYERS[k] for k in DISPLAY_ORDER if k in SPATIAL_LAYERS]
    rest = [s for k, s in SPATIAL_LAYERS.items() if k not in DISPLAY_ORDER]
    return listed + rest


def map_layers(tiles_template: str, collection_of) -> list[MapLayer]:
    """Every spatial registry layer with its pane and URLs.

    ``tiles_template`` has ``{collection}`` plus Leaflet's ``{z}/{x}/{y}``;
    ``collection_of(table)`` gives the OGC collection id of a table.
    """
    specs = ordered_specs()
    result = []
    for rank, spec in enumerate(specs):
        collection = collection_of(spec.table)
        tiles = None
        if spec.delivery == "tiles":
            fields = ["id", *(f[0] for f in POPUP_FIELDS.get(spec.key, ()))]
            tiles = tiles_template.replace("{collection}", collection)
            tiles += "?properties=" + ",".join(dict.fromkeys(fields))
        result.append(
            MapLayer(
                spec=spec,
                pane=f"ws-{spec.key}",
                z_index=PANE_Z_BASE + 2 * (len(specs) - rank),
                geojson_url=f"/api/layers/{spec.key}.geojson"
                if spec.delivery == "geojson"
                else None,
                tiles_url=tiles,
                collection=collection,
            )
        )
    return result


class GeoJsonLayer(Layer):
    """An empty ``L.geoJSON`` layer that ``ws-layers.js`` styles and fills from the API."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = WS.geoJsonLayer({{ this.key|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: MapLayer, show: bool = True):
        super().__init__(name=_control_label(layer), overlay=True, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.key = layer.key


class VectorTileLayer(VectorGridProtobuf):
    """Leaflet.VectorGrid over tipg's MVT tiles, served from our own copy of the plugin."""

    default_js: ClassVar[list[tuple[str, str]]] = [("vectorGrid", VECTORGRID_JS)]

    def __init__(self, layer: MapLayer, show: bool = True):
        options = f"WS.tileOptions({_js_string(layer.key)})"
        super().__init__(layer.tiles_url, name=_control_label(layer), options=options, show=show)


def _js_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _control_label(layer: MapLayer) -> str:
    """The layer control's label: a colour swatch and the Chinese name (HTML)."""
    style = layer.spec.style
    colour = str(style.get("fillColor") or style.get("color") or "#888888")
    suffix = f"<small>（{TILE_MIN_ZOOM}级以上显示）</small>" if layer.tiles_url else ""
    return (
        f'<span class="ws-swatch" style="background:{colour}" data-layer="{layer.key}"></span>'
        f"{layer.spec.name_zh}{suffix}"
    )


def folium_layer(layer: MapLayer) -> Layer:
    """The folium element for ``layer``: vector tiles or a GeoJSON layer."""
    if layer.tiles_url:
        return VectorTileLayer(layer)
    return GeoJsonLayer(layer)
