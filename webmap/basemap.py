"""Basemaps: our own rasters, and the optional 天地图 (Tianditu, aligned with CGCS2000).

The platform's own basemaps are tiles of its registered rasters (:mod:`api.routes.rasters`):
地形晕渲 (the DEM's relief), 土地覆盖 and 正射影像. They come from our server, so they work
with no internet and a field tablet can cache them; the relief is the default when no
天地图 token is set. 天地图 only when ``WATERSHED_TIANDITU_TOKEN`` is set, its Web Mercator
(``_w``) services, the projection Leaflet draws in. Never a GCJ-02 basemap (AMap, Tencent):
its offset of hundreds of metres would misplace every CGCS2000 feature.
"""

from urllib.parse import quote

import folium

WMTS = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}"
)
ATTRIBUTION = "天地图 © 国家地理信息公共服务平台"
# (base layer, its labels, name in the layer control)
SERVICES = (("vec", "cva", "天地图 矢量"), ("img", "cia", "天地图 影像"))


#: Our raster basemaps in the layer control's order: kind, name. Tile URLs share one prefix.
RASTER_BASEMAPS = (("dem", "地形晕渲（DEM）"), ("landcover", "土地覆盖"), ("ortho", "正射影像"))
RASTER_TILES = "/api/rasters/{kind}/tiles/{{z}}/{{x}}/{{y}}.png"
RASTER_ATTRIBUTION = "本平台栅格数据"
#: Above these zooms Leaflet enlarges the tiles instead of asking for more. A z14 pixel is
#: about 8 m here: a DEM or a land-cover raster (10–30 m) has nothing finer to show, and an
#: offline area that stores them to z14 stays usable zoomed in. An orthophoto has detail to z18.
RASTER_MAX_NATIVE_ZOOM = {"dem": 14, "landcover": 14, "ortho": 18}
#: The basemaps an offline area (离线区域) stores, and from which zoom: the relief and the land
#: cover to their native zoom; not the orthophoto (tens of megabytes per km² at z18).
OFFLINE_BASEMAPS = ("dem", "landcover")
OFFLINE_BASEMAP_MIN_ZOOM = 10


def add_raster_basemaps(fmap: folium.Map, kinds: tuple[str, ...], default: bool) -> None:
    """One base layer per registered raster kind; the first shown when ``default``."""
    shown = default
    for kind, name in RASTER_BASEMAPS:
        if kind not in kinds:
            continue
        folium.TileLayer(
            tiles=RASTER_TILES.format(kind=kind),
            name=name,
            attr=RASTER_ATTRIBUTION,
            overlay=False,
            show=shown,
            max_zoom=20,
            max_native_zoom=RASTER_MAX_NATIVE_ZOOM[kind],
        ).add_to(fmap)
        shown = False


def tianditu_url(layer: str, token: str) -> str:
    return WMTS.format(layer=layer, token=quote(token, safe=""))


def add_tianditu(fmap: folium.Map, token: str) -> None:
    """Vector and imagery base layers (radio buttons), each with its label layer."""
    for n, (base, labels, name) in enumerate(SERVICES):
        group = folium.FeatureGroup(name=name, overlay=False, show=n == 0)
        for layer in (base, labels):
            folium.TileLayer(
                tiles=tianditu_url(layer, token),
                attr=ATTRIBUTION,
                subdomains="01234567",
                max_zoom=19,
                max_native_zoom=18,
            ).add_to(group)
        group.add_to(fmap)
