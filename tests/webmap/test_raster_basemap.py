"""The relief basemap: offered from the registered DEM, the default without a 天地图 key, and
its tiles drawn on the map by the browser."""

import json

from tests.webmap.conftest import screenshot, set_view
from webmap.page import PageOptions, build_page

OPTIONS = PageOptions(
    tiles_template="/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{x}/{y}",
    collection_prefix="public.",
    items_template="/ogc/collections/{collection}/items",
)
RELIEF = "/api/rasters/dem/tiles/{z}/{x}/{y}.png"


def _added(html: str, url: str) -> bool:
    """Whether the tile layer of ``url`` is added to the map at start (the shown base layer)."""
    name = html.split(url, 1)[0].rsplit("var ", 1)[1].split(" ", 1)[0]
    return f"{name}.addTo(" in html


def test_relief_is_the_default_without_a_tianditu_key() -> None:
    html = build_page(PageOptions(**{**OPTIONS.__dict__, "rasters": ("dem", "landcover")}))
    assert _added(html, RELIEF)
    assert not _added(html, "/api/rasters/landcover/tiles/{z}/{x}/{y}.png")
    for name in ("地形晕渲（DEM）", "土地覆盖"):  # names in the layer control, JSON-escaped
        assert json.dumps(name)[1:-1] in html


def test_with_a_tianditu_key_relief_is_offered_but_not_shown() -> None:
    html = build_page(
        PageOptions(**{**OPTIONS.__dict__, "rasters": ("dem",), "tianditu_token": "k"})
    )
    assert RELIEF in html and not _added(html, RELIEF)


def test_no_raster_no_raster_basemap() -> None:
    assert "/api/rasters/" not in build_page(OPTIONS)


def test_the_map_draws_relief_tiles(dem, map_page) -> None:
    set_view(map_page, 31.72, 113.35, 13)
    # Every relief tile in view loaded as a 256-pixel image (not only requested).
    map_page.wait_for_function(
        """() => {
            const tiles = [...document.querySelectorAll('img.leaflet-tile')]
                .filter((img) => img.src.includes('/api/rasters/dem/tiles/'));
            return tiles.length > 0
                && tiles.every((img) => img.complete && img.naturalWidth === 256);
        }""",
        timeout=30_000,
    )
    control = map_page.locator(".leaflet-control-layers-base label", has_text="地形晕渲")
    assert control.locator("input").is_checked()
    screenshot(map_page, "relief-basemap")
