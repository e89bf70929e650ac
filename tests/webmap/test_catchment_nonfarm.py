"""耕地非农化候选 on the map: an overlay offered with a land-cover raster, drawn as candidates
(hatched, dashed purple: never a status colour), with a popup naming the parcel by BSM and
坐落, a box that says they are candidates for a field check, and the Excel link.

The land cover is written here: 住宅用地 (7) on the pixels whose centre lies west of
113.31°E, over the fixture's 0101 parcel WM0000, 耕地 (1) east of it, over the 0103 parcel
WM0001. The shares themselves are checked against hand-counted pixels in
tests/rasters/test_nonfarm.py; here, what the map shows of them.
"""

from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from pyproj import Transformer
from sqlalchemy import text

from etl.rasters import load_raster
from tests.rasters.conftest import write_tif
from tests.webmap.conftest import open_map, screenshot, set_view
from tests.webmap.fixture_data import FARMLAND_BOXES

RES = 10.0
EDGE_LON = 113.31  # the shared edge of the 0101 and 0103 boxes


def test_no_overlay_without_a_landcover_raster(map_page) -> None:
    """Runs first in the module, before the land cover is loaded."""
    labels = map_page.locator(".leaflet-control-layers-overlays").inner_text()
    assert "非农化" not in labels
    assert map_page.evaluate("WS.nonfarm.layer") is None


@pytest.fixture(scope="module")
def landcover(map_database, tmp_path_factory) -> Iterator[None]:
    engine, settings = map_database
    to_gk = Transformer.from_crs(4490, 4547, always_xy=True)
    to_lonlat = Transformer.from_crs(4547, 4490, always_xy=True)
    xmin, ymin = 113.295, 31.635
    xmax, ymax = 113.330, 31.655
    xs, ys = to_gk.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    left, top = min(xs), max(ys)
    width, height = int((max(xs) - left) / RES) + 1, int((top - min(ys)) / RES) + 1
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    lon, _ = to_lonlat.transform(left + (cols + 0.5) * RES, top - (rows + 0.5) * RES)
    cover = np.where(lon < EDGE_LON, 7, 1).astype("uint8")
    path = write_tif(
        tmp_path_factory.mktemp("lc") / "lc.tif", cover, res=RES, origin=(left, top), nodata=0
    )
    load_raster(engine, path, "landcover", settings=settings)
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rasters WHERE kind = 'landcover'"))


@pytest.fixture
def nonfarm_page(landcover, context, server):
    return open_map(context, server)


def test_candidates_overlay_popup_and_excel(nonfarm_page, server) -> None:
    page = nonfarm_page
    label = page.locator(
        ".leaflet-control-layers-overlays label", has_text="耕地非农化候选（需实地核查）"
    )
    assert label.count() == 1
    assert not page.evaluate("WS.map.hasLayer(WS.nonfarm.layer)")  # off until asked for
    page.evaluate("WS.map.addLayer(WS.nonfarm.layer)")
    page.wait_for_selector(".ws-nonfarm-info [data-count]")
    info = page.locator(".ws-nonfarm-info")
    assert info.locator("[data-count]").inner_text() == "1"
    assert "不是违法认定" in info.inner_text() and "共筛查 2 块耕地" in info.inner_text()
    # the drawn candidate: WM0000 only, hatched and dashed purple, not a verdict's red
    drawn = page.evaluate(
        """() => WS.nonfarm.layer.getLayers().map((l) => {
            const el = l.getElement(), style = getComputedStyle(el);
            return {bsm: l.feature.properties.bsm, share: l.feature.properties.nonfarm_share,
                    fill: style.fill, stroke: style.stroke, dash: el.getAttribute('stroke-dasharray')};
        })"""
    )
    assert [d["bsm"] for d in drawn] == ["WM0000"]
    [candidate] = drawn
    assert "ws-nonfarm-hatch" in candidate["fill"] and candidate["dash"] == "5 3"
    assert candidate["stroke"] == "rgb(106, 27, 154)"
    assert candidate["share"] > 0.9  # 住宅用地 over the whole parcel but its eastern edge
    # its popup: BSM, 坐落, the share, and that it is a candidate
    box = FARMLAND_BOXES["0101"]
    set_view(page, (box[1] + box[3]) / 2, (box[0] + box[2]) / 2, 16)
    page.evaluate("WS.nonfarm.layer.getLayers()[0].openPopup()")
    popup = page.locator(".ws-popup-nonfarm[data-bsm='WM0000']")
    popup.wait_for()
    text_ = popup.inner_text()
    assert "WM0000" in text_ and "何店镇" in text_ and "需实地核查" in text_
    assert f"{100 * candidate['share']:.2f}%" in text_
    screenshot(page, "nonfarm-candidates")
    # the Excel link downloads the same list
    href = info.locator("a.ws-nonfarm-xlsx").get_attribute("href")
    book = httpx.get(server.base_url + href, headers={"Authorization": f"Bearer {server.token}"})
    assert book.status_code == 200 and book.content[:2] == b"PK"  # a zip: an .xlsx
    # switched off: the box goes too
    page.evaluate("WS.map.removeLayer(WS.nonfarm.layer)")
    page.wait_for_function("!document.querySelector('.ws-nonfarm-info')")
