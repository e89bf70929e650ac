"""The map's layers, one per spatial layer of the registry, in the order people read them.

Python decides *which* layers there are, their panes (stacking order) and URLs; names,
styles, order and popup fields come from each layer's card (``layers/registry.py``), and
``static/js/ws-layers.js`` fills them from the API once the page is up. A spatial layer whose
card gives no ``map_order`` is still shown (after the others), never silently left out.
"""

from dataclasses import dataclass
from typing import ClassVar

from folium.map import Layer
from folium.plugins import VectorGridProtobuf
from folium.template import Template

from layers.registry import MAP_LAYERS, SPATIAL_LAYERS, LayerSpec
from webmap.assets import VECTORGRID_JS

# Vector tiles are drawn from this zoom on: below it parcels are a few pixels wide and a tile
# carries thousands of them. At 2·10^5 parcels a z12 tile with the popup fields is 406 KB
# gzipped (bench/bench_tiles.py) and a tablet shows about a dozen: z13 quarters that.
TILE_MIN_ZOOM = 13
PANE_Z_BASE = 402  # above Leaflet's overlayPane (400), below markers (600) and popups (700)


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
            "code_field": spec.code_field,  # how people name a feature (ws-geo.js)
            "location_field": spec.location_field,
            "pane": self.pane,
            "geojson_url": self.geojson_url,
            "tiles_url": self.tiles_url,
            "collection": self.collection,
            "popup_fields": [list(f) for f in spec.popup_fields],
        }


def ordered_specs() -> list[LayerSpec]:
    """The registry's spatial layers in the cards' map order (any without one last)."""
    listed = [SPATIAL_LAYERS[k] for k in MAP_LAYERS]
    rest = [s for k, s in SPATIAL_LAYERS.items() if k not in MAP_LAYERS]
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
            fields = ["id", *(f.column for f in spec.popup_fields)]
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
