"""The optional 天地图 basemap (Tianditu, the national basemap, aligned with CGCS2000).

Only when ``WATERSHED_TIANDITU_TOKEN`` is set; otherwise the map has no basemap at all (a
plain background), which is what a network with no internet needs. The Web Mercator (``_w``)
services are used, the projection Leaflet draws in. Never a GCJ-02 basemap (AMap, Tencent):
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
