"""The section popup's 汇水区溯源: the tree of sections (clickable), the catchment's areas and
land, the bracketing of a failing section, the catchment drawn on the map, and a plain
statement where a section has no catchment.

The catchments are written here (boxes around the fixture's sections), not delineated: the
delineation has its own tests (tests/gis, tests/rasters). Expected figures come from the
boxes with pyproj.Geod, not from the API.
"""

from collections.abc import Iterator

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import text

from layers.sql import query
from tests.webmap.conftest import screenshot
from tests.webmap.fixture_data import FARMLAND_BOXES, REDLINE_BOX

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid to well under a millimetre here
M2_PER_MU = 10000 / 15
C05 = box(113.30, 31.80, 113.36, 31.84)
C02 = box(113.21, 31.74, 113.36, 31.84)
C03 = box(113.38, 31.68, 113.46, 31.80)
C01 = box(113.21, 31.61, 113.47, 31.84)
# section: (downstream, incremental, catchment); ZD-01 fails in 2024 (Ⅴ), ZD-02 Ⅱ and ZD-03
# Ⅲ pass, ZD-05 has no samples (无数据).
TREE = {
    "ZD-05": ("ZD-02", C05, C05),
    "ZD-02": ("ZD-01", C02.difference(C05), C02),
    "ZD-03": ("ZD-01", C03, C03),
    "ZD-01": (None, C01.difference(C02).difference(C03), C01),
}
NOT_DELINEATED = "距最近河道 1245 m，超过 150 m，未划定集水区"


def area_m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


@pytest.fixture(scope="module")
def catchments(map_database) -> Iterator[None]:
    engine, _ = map_database
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM catchments"))
        for code, (down, incremental, whole) in TREE.items():
            params = {
                "code": code,
                "downstream": down,
                "snap": 10.0,
                "reason": None,
                "sha256": "0" * 64,
                "incremental": shapely.to_wkb(incremental),
                "catchment": shapely.to_wkb(whole),
            }
            conn.execute(query("catchments_insert"), params)
        conn.execute(
            query("catchments_insert"),
            {
                "code": "ZD-04",
                "downstream": None,
                "snap": None,
                "reason": NOT_DELINEATED,
                "sha256": "0" * 64,
                "incremental": None,
                "catchment": None,
            },
        )
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM catchments"))


def _open(page, code: str):
    page.evaluate(f"WS.sections.open('{code}')")
    popup = page.locator(f".ws-popup-section[data-code='{code}']")
    popup.wait_for()
    page.wait_for_function(
        f"!document.querySelector(\".ws-popup-section[data-code='{code}'] .ws-catchment\")"
        ".innerText.includes('正在读取')"
    )
    return popup


def test_failing_section_shows_its_tree_land_and_bracket(catchments, map_page) -> None:
    page = map_page
    assert page.evaluate("WS.state.period") == "2024"
    popup = _open(page, "ZD-01")
    part = popup.locator(".ws-catchment")
    area = part.locator(".ws-catchment-area").inner_text()
    assert f"集水面积 {area_m2(C01) / 1e6:,.2f} km²" in area
    assert f"区间集水面积 {area_m2(TREE['ZD-01'][1]) / 1e6:,.2f} km²" in area
    assert "下游断面：无" in part.inner_text()
    # the tree: the two direct upstream sections, ZD-05 further up, each with its verdict
    assert part.locator("li.ws-direct").count() == 2
    rows = {
        li.get_attribute("data-upstream"): li.inner_text()
        for li in part.locator(".ws-upstream li").all()
    }
    assert set(rows) == {"ZD-02", "ZD-03", "ZD-05"}
    assert "洛阳揭家垄村" in rows["ZD-02"] and "Ⅱ类 达标" in rows["ZD-02"]
    assert "Ⅲ类 达标" in rows["ZD-03"]
    assert "无数据" in rows["ZD-05"] and "更上游" in rows["ZD-05"]
    # bracketing: nothing above fails, two pass, one cannot be judged
    bracket = part.locator(".ws-bracket")
    assert "达标的上游断面与本断面之间" in bracket.inner_text()
    assert bracket.locator("[data-list='failing']").inner_text().endswith("无")
    passing = bracket.locator("[data-list='passing']").inner_text()
    assert "洛阳揭家垄村" in passing and "漂水河大桥" in passing
    assert "浪河出境" in bracket.locator("[data-list='unknown']").inner_text()
    # land: 耕地 (0101 + 0103 boxes) and 生态保护红线 in the catchment, 亩 and share
    whole = area_m2(C01)
    farmland = sum(area_m2(box(*FARMLAND_BOXES[c])) for c in ("0101", "0103"))
    redline = area_m2(box(*REDLINE_BOX))
    for key, m2 in (("farmland", farmland), ("eco_redline", redline)):
        cells = part.locator(f"tr[data-land='{key}'] td").all_inner_texts()
        assert f"{m2 / M2_PER_MU:,.0f} 亩" in cells[0], (key, cells)
        assert f"{100 * m2 / whole:.2f}%" in cells[0], (key, cells)
    # every text of the part at least 12 px
    smallest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.ws-catchment, .ws-catchment *')]"
        ".filter((el) => el.innerText && el.innerText.trim())"
        ".map((el) => parseFloat(getComputedStyle(el).fontSize)))"
    )
    assert smallest >= 12
    screenshot(page, "section-popup-catchment")


def test_show_catchment_draws_it_and_upstream_links_open_their_popup(catchments, map_page):
    page = map_page
    popup = _open(page, "ZD-01")
    popup.locator("button.ws-catchment-show").click()
    page.wait_for_function(
        "WS.sections.catchmentLayer && WS.sections.catchmentLayer.getLayers().length === 2"
    )
    bounds = page.evaluate("WS.sections.catchmentLayer.getBounds().toBBoxString()")
    assert [float(v) for v in bounds.split(",")] == pytest.approx(C01.bounds, abs=1e-6)
    assert popup.locator("button.ws-catchment-show").inner_text() == "隐藏汇水区"
    screenshot(page, "section-catchment-drawn")
    popup.locator("button[data-section='ZD-02']").first.click()
    child = page.locator(".ws-popup-section[data-code='ZD-02']")
    child.wait_for()
    page.wait_for_function("WS.sections.catchmentLayer === null")  # gone with its popup
    page.wait_for_selector(".ws-popup-section[data-code='ZD-02'] .ws-catchment-area")
    assert child.locator("button[data-section='ZD-01']").inner_text() == "涢水大桥"
    assert child.locator(".ws-bracket").count() == 0  # ZD-02 passes: no bracketing


def test_sections_without_a_catchment_say_why(catchments, map_page) -> None:
    page = map_page
    lake = _open(page, "ZD-04").locator(".ws-catchment")
    assert "无汇水区数据" in lake.inner_text() and NOT_DELINEATED in lake.inner_text()
    assert lake.locator("button.ws-catchment-show").count() == 0
    other = _open(page, "ZD-06").locator(".ws-catchment").inner_text()
    assert "无汇水区数据" in other
    assert "尚未导入 DEM" in other or "尚未划定集水区" in other
