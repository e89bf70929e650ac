"""The map page (地图页面): a Folium map built from the layer registry, with our own assets.

:func:`build_page` returns the whole HTML document. The map holds one layer per spatial
registry layer (:mod:`webmap.layers`), a layer control, basemaps (the registered rasters;
天地图 with a key) and the application shell (:class:`AppShell`: header, compliance panel, red-line tool). Data are not
in the page: the browser fetches them from the API, so the page is the same for everyone
but the signed-in state, and small.
"""

import html
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import folium
from folium.elements import JSCSSMixin
from folium.map import CustomPane
from folium.template import Template

from gis.area import M2_PER_MU
from gis.compliance import FARMLAND_CODES, STATUS_LABELS
from gis.water_quality import GRADE_COLOURS, GRADE_LABELS
from webmap import assets
from webmap.basemap import add_raster_basemaps, add_tianditu
from webmap.layers import TILE_MIN_ZOOM, MapLayer, folium_layer, map_layers

PLATFORM = "流域底线管控平台"
TITLE = PLATFORM  # without a district (no list in force, no data)
# Before the district boundary has loaded (then the map fits to it): the list's ``map_center``
# or the district layer's centre (api/routes/webmap.py); this only when neither is known.
DEFAULT_CENTER = (31.0, 112.3)  # Hubei
DEFAULT_ZOOM = 10


def platform_title(district: str | None) -> str:
    """The platform's name for a district, e.g. 曾都区流域底线管控平台."""
    return f"{district}{PLATFORM}" if district else PLATFORM


MIN_ZOOM, MAX_ZOOM = 6, 20


@dataclass(frozen=True)
class PageOptions:
    """What the page depends on; hashable, so a built page can be cached per value."""

    tiles_template: str  # with {collection} and {z}/{x}/{y}
    collection_prefix: str  # OGC collection id = prefix + table
    items_template: str  # with {collection}: OGC items of a collection
    tianditu_token: str | None = None
    read_requires_token: bool = True
    signed_in: bool = False
    role: str | None = None
    rasters: tuple[str, ...] = ()  # registered raster kinds, offered as basemaps
    title: str = TITLE  # platform_title() of the district in the list in force
    center: tuple[float, float] = DEFAULT_CENTER  # (lat, lon) before the district has loaded
    zoom: int = DEFAULT_ZOOM


class AppShell(JSCSSMixin):
    """Header, side panel and the boot call of ``static/js`` (added last, after the layers)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="application/json" id="ws-config">{{ this.config|tojson }}</script>
        {{ this.markup }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        WS.start({{ this._parent.get_name() }}, { {%- for key, name in this.layer_vars %}
            {{ key|tojson }}: {{ name }}, {%- endfor %} }, {{ this.control }});
        {% endmacro %}
        """
    )
    default_js = assets.APP_JS_LINKS
    default_css = assets.APP_CSS_LINKS

    def __init__(self, config: dict, layer_vars: list[tuple[str, str]], control: str):
        super().__init__()
        self._name = "AppShell"
        self.config = config
        self.layer_vars = layer_vars
        self.control = control
        shell = files("webmap.templates").joinpath("shell.html").read_text(encoding="utf-8")
        # The title comes from the list in force (a district's name is data: escape it).
        self.markup = shell.replace(
            "{{ title }}", html.escape(config["title"].removesuffix("平台"))
        )


NONFARM_ENDPOINT = "/api/rasters/landcover/nonfarm"


def page_config(layers: list[MapLayer], options: PageOptions) -> dict:
    """Everything ``static/js`` needs from the server, as JSON (``WS.config``)."""
    return {
        "title": options.title,
        "layers": [layer.config() for layer in layers],
        "grades": {g: {"label": GRADE_LABELS[g], "colour": GRADE_COLOURS[g]} for g in GRADE_LABELS},
        "statuses": dict(STATUS_LABELS),
        "farmlandCodes": list(FARMLAND_CODES),
        "m2PerMu": M2_PER_MU,
        "tileMinZoom": TILE_MIN_ZOOM,
        "rasters": list(options.rasters),
        "center": list(options.center),
        "zoom": options.zoom,
        "user": {
            "signedIn": options.signed_in,
            "role": options.role,
            "readRequiresToken": options.read_requires_token,
        },
        "endpoints": {
            "sections": "/api/sections",
            "catchments": "/api/catchments",
            "checks": "/api/checks",
            "checksXlsx": "/api/checks.xlsx",
            "overlap": "/api/overlap",
            "overlapXlsx": "/map/overlap.xlsx",
            "reservoirTrophic": "/api/reservoirs/{code}/trophic",
            "here": "/api/here",
            "ogcItems": options.items_template,
            "signin": "/signin",
            "signout": "/signout",
            # 非农化 candidates need a land-cover raster (ws-nonfarm.js offers them then only)
            **({"nonfarm": NONFARM_ENDPOINT} if "landcover" in options.rasters else {}),
        },
    }


def _map(options: PageOptions) -> folium.Map:
    fmap = folium.Map(
        location=options.center,
        zoom_start=options.zoom,
        tiles=None,
        control_scale=False,  # metric only: added by ws-ui.js
        # The map's own zoom range: without it Leaflet takes the vector tiles' minZoom as the
        # map's, and the district could not be seen whole.
        minZoom=MIN_ZOOM,
        maxZoom=MAX_ZOOM,
    )
    assets.local_assets(fmap, assets.MAP_JS, assets.MAP_CSS)
    fmap.get_root().title = options.title
    return fmap


@lru_cache(maxsize=16)
def build_page(options: PageOptions) -> str:
    """The map page's HTML for ``options`` (cached: building it takes a few milliseconds)."""
    fmap = _map(options)
    if options.tianditu_token:
        add_tianditu(fmap, options.tianditu_token)
    add_raster_basemaps(fmap, options.rasters, default=not options.tianditu_token)
    layers = map_layers(options.tiles_template, lambda table: options.collection_prefix + table)
    for layer in layers:
        CustomPane(layer.pane, z_index=layer.z_index, pointer_events=False).add_to(fmap)
    layer_vars = []
    for layer in layers:
        element = folium_layer(layer).add_to(fmap)
        layer_vars.append((layer.key, element.get_name()))
    control = folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    AppShell(page_config(layers, options), layer_vars, control.get_name()).add_to(fmap)
    return _with_head_extras(fmap.get_root().render())


def _with_head_extras(html: str) -> str:
    """Language, an inline favicon (no request for /favicon.ico) and what makes the page an
    installable app (manifest, theme colour, the icon iPadOS puts on the home screen)."""
    html = html.replace("<html>", '<html lang="zh-CN">', 1)
    head = (
        f'<link rel="icon" href="{assets.FAVICON}" type="image/svg+xml"/>\n'
        f'<link rel="manifest" href="{assets.MANIFEST}"/>\n'
        f'<meta name="theme-color" content="{assets.THEME_COLOUR}"/>\n'
        f'<link rel="apple-touch-icon" href="{assets.ICON_192}"/>\n'
        '<meta name="mobile-web-app-capable" content="yes"/>\n'
        '<meta name="apple-mobile-web-app-capable" content="yes"/>\n'
        f'<meta name="apple-mobile-web-app-title" content="流域底线"/>\n'
    )
    return html.replace("<head>", "<head>\n" + head, 1)
