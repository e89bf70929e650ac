"""Where am I, geofencing and what is here (issue 18 point 4), in Chromium with a fake position.

The positions are the fixture's features (tests/webmap/fixture_data.py); which feature holds
a point is worked out here with shapely from those constants, not read from the page.
"""

import pytest
from pyproj import Geod
from shapely.geometry import Point, box

from tests.webmap.conftest import (
    download_area,
    estimate_area,
    new_context,
    screenshot,
    set_view,
    wait_ready,
)
from tests.webmap.fixture_data import BASIC_FARMLAND_BOXES, REDLINE_BOX

WSZ_BOX = (113.26, 31.775, 113.28, 31.795)  # 先觉庙水库一级保护区 (fixture_data._features)
OUTSIDE = (31.73, 113.45)  # lat, lon: in 㵐水片区, in no protected polygon
IN_REDLINE = (31.78, 113.42)
IN_REDLINE_2 = (31.79, 113.43)
IN_JB001 = (31.645, 113.305)
IN_JB002 = (31.665, 113.442)
IN_WSZ = (31.785, 113.27)
GEOD = Geod(a=6378137.0, f=1 / 298.257222101)  # CGCS2000


def south_of(b, metres: float) -> tuple[float, float]:
    """A point ``metres`` due south of the middle of box ``b``'s south edge (lat, lon)."""
    lon = (b[0] + b[2]) / 2
    _, lat, _ = GEOD.fwd(lon, b[1], 180, metres)
    return lat, lon


def south_of_redline(metres: float) -> tuple[float, float]:
    return south_of(REDLINE_BOX, metres)


def holds(b, latlon) -> bool:
    return box(*b).contains(Point(latlon[1], latlon[0]))


def test_the_positions_are_where_the_tests_say():
    assert holds(REDLINE_BOX, IN_REDLINE) and holds(REDLINE_BOX, IN_REDLINE_2)
    assert holds(BASIC_FARMLAND_BOXES["JB-001"], IN_JB001)
    assert holds(BASIC_FARMLAND_BOXES["JB-002"], IN_JB002)
    assert holds(WSZ_BOX, IN_WSZ)
    protected = [REDLINE_BOX, WSZ_BOX, *BASIC_FARMLAND_BOXES.values()]
    assert not any(holds(b, OUTSIDE) for b in protected)


def locating_context(browser, server, at, **kw):
    context = new_context(browser, server, **kw)
    context.grant_permissions(["geolocation"], origin=server.base_url)
    move(context, at)
    return context


def move(context, latlon, accuracy=8):
    context.set_geolocation({"latitude": latlon[0], "longitude": latlon[1], "accuracy": accuracy})


def checks(page) -> int:
    return page.evaluate("WS.geo.state().checks")


def moved_and_checked(page, context, latlon) -> None:
    """Move the fake position and wait until the page has checked the new one."""
    before = checks(page)
    move(context, latlon)
    page.wait_for_function(f"WS.geo.state().checks > {before}", timeout=20_000)


def banner_text(page) -> str:
    el = page.locator("#ws-geofence")
    return el.inner_text() if el.count() and el.is_visible() else ""


@pytest.fixture
def geo_page(browser, server):
    context = locating_context(browser, server, OUTSIDE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.base_url + "/")
    wait_ready(page)
    yield page, context, errors
    context.close()


def test_entering_and_leaving_protected_land_warns_once_per_entry(geo_page):
    page, context, errors = geo_page
    page.click("#ws-geo-toggle")
    page.wait_for_function("WS.geo.state().checks >= 1", timeout=20_000)
    assert page.get_attribute("#ws-geo-toggle", "aria-pressed") == "true"
    assert page.inner_text("#ws-geo-accuracy").startswith("精度 ±8 米")
    # the dot and its accuracy circle, the map following the position
    assert page.evaluate("WS.map.getCenter().distanceTo(L.latLng(31.73, 113.45))") < 1
    assert page.locator(".leaflet-ws-position-pane path").count() == 2
    assert banner_text(page) == "" and page.evaluate("WS.geo.state().beeps") == 0

    moved_and_checked(page, context, IN_REDLINE)
    text = banner_text(page)
    assert "生态保护红线" in text and "HX-01 大洪山水源涵养生态保护红线" in text
    assert page.evaluate("WS.geo.state().beeps") == 1
    screenshot(page, "geofence-redline")
    # another fix in the same polygon: no new warning
    moved_and_checked(page, context, IN_REDLINE_2)
    assert "HX-01" in banner_text(page)
    assert page.evaluate("WS.geo.state().beeps") == 1
    # out: the banner goes, a quieter notice names what was left
    moved_and_checked(page, context, OUTSIDE)
    assert banner_text(page) == ""
    assert "已离开 生态保护红线 HX-01" in page.inner_text("#ws-geo-notice")
    assert page.evaluate("WS.geo.state().beeps") == 1
    # 永久基本农田 comes as vector tiles: read from the decoded z16 tile, named by 图斑编号, 坐落
    moved_and_checked(page, context, IN_JB002)
    text = banner_text(page)
    assert "永久基本农田" in text and "JB-002（何店镇）" in text
    assert page.evaluate("WS.geo.state().beeps") == 2
    moved_and_checked(page, context, IN_WSZ)
    assert "饮用水水源保护区：先觉庙水库一级保护区" in banner_text(page)
    assert "JB-002" not in banner_text(page)
    assert page.evaluate("WS.geo.state().beeps") == 3
    # follow off: the position moves, the map stays; on again: the map comes to the position
    page.click("#ws-geo-follow")
    assert page.get_attribute("#ws-geo-follow", "aria-pressed") == "false"
    centre = page.evaluate("[WS.map.getCenter().lat, WS.map.getCenter().lng]")
    moved_and_checked(page, context, OUTSIDE)
    assert page.evaluate("[WS.map.getCenter().lat, WS.map.getCenter().lng]") == centre
    page.click("#ws-geo-follow")
    assert page.evaluate("WS.map.getCenter().distanceTo(L.latLng(31.73, 113.45))") < 1
    # stop: no dot, no banner
    page.click("#ws-geo-toggle")
    assert page.locator(".leaflet-ws-position-pane path").count() == 0
    assert banner_text(page) == ""
    assert errors == []


def test_a_position_jittering_across_an_edge_does_not_warn_again(geo_page):
    page, context, errors = geo_page
    page.click("#ws-geo-toggle")
    page.wait_for_function("WS.geo.state().checks >= 1", timeout=20_000)
    moved_and_checked(page, context, IN_REDLINE)
    assert page.evaluate("WS.geo.state().beeps") == 1
    # 3 m out with an 8 m fix: still taken as inside (no notice), and back in: no new warning
    moved_and_checked(page, context, south_of_redline(3))
    assert "HX-01" in banner_text(page)
    assert page.locator("#ws-geo-notice").count() == 0
    moved_and_checked(page, context, IN_REDLINE)
    assert page.evaluate("WS.geo.state().beeps") == 1
    # 11 m out, beyond the 8 m accuracy: left
    moved_and_checked(page, context, south_of_redline(11))
    assert banner_text(page) == ""
    assert "已离开 生态保护红线 HX-01" in page.inner_text("#ws-geo-notice")
    # coming back to 3 m outside is not an entry
    moved_and_checked(page, context, south_of_redline(3))
    assert banner_text(page) == "" and page.evaluate("WS.geo.state().beeps") == 1
    # the same from a vector tile (永久基本农田): distances in tile units turned into metres
    jb002 = BASIC_FARMLAND_BOXES["JB-002"]
    moved_and_checked(page, context, IN_JB002)
    assert "JB-002" in banner_text(page) and page.evaluate("WS.geo.state().beeps") == 2
    moved_and_checked(page, context, south_of(jb002, 6))  # within the 8 m accuracy
    assert "JB-002" in banner_text(page)
    moved_and_checked(page, context, south_of(jb002, 11))  # beyond it
    assert banner_text(page) == ""
    assert "已离开 永久基本农田 JB-002" in page.inner_text("#ws-geo-notice")
    assert errors == []


def test_a_refused_permission_is_said_and_stops_locating(browser, server):
    context = new_context(browser, server)  # geolocation not granted
    page = context.new_page()
    page.goto(server.base_url + "/")
    wait_ready(page)
    page.click("#ws-geo-toggle")
    page.wait_for_function("document.getElementById('ws-toast').textContent.includes('未获准')")
    assert page.evaluate("WS.geo.state().watching") is False
    assert page.get_attribute("#ws-geo-toggle", "aria-pressed") == "false"
    context.close()


def tap_and_hold(page, latlon) -> None:
    """A long press (a right click with a mouse) on the map at ``latlon``."""
    x, y = page.evaluate(
        """([lat, lon]) => {
            const p = WS.map.latLngToContainerPoint([lat, lon]);
            const r = WS.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        list(latlon),
    )
    before = page.evaluate("Number(document.body.dataset.hereShown || 0)")
    page.mouse.click(x, y, button="right")
    page.wait_for_function(f"Number(document.body.dataset.hereShown || 0) > {before}")


def here_list(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.ws-here-list li')]
            .map(li => [li.dataset.layer, li.textContent]))"""
    )


# Inside the red line, 11 m south of 两河口水库 (113.42, 31.80): within a fingertip at z16.
NEAR_RESERVOIR = (31.7999, 113.42)


def test_a_long_press_lists_every_layer_at_the_point(geo_page):
    page, _, errors = geo_page
    set_view(page, *NEAR_RESERVOIR, 16)
    tap_and_hold(page, NEAR_RESERVOIR)
    assert page.get_attribute(".ws-here", "data-source") == "server"
    listed = here_list(page)
    assert set(listed) == {"eco_redline", "reservoirs", "units", "district"}
    assert "HX-01 大洪山水源涵养生态保护红线" in listed["eco_redline"]
    assert "LHK 两河口水库" in listed["reservoirs"] and "约 11 米" in listed["reservoirs"]
    assert "421303-02 㵐水片区" in listed["units"]
    assert "421303 曾都区" in listed["district"]
    assert "此处 4 个图层有要素" in page.inner_text(".ws-here h3")
    # tapping one's own position lists what is there too
    page.click("#ws-geo-toggle")
    page.wait_for_function("WS.geo.state().checks >= 1", timeout=20_000)
    before = page.evaluate("Number(document.body.dataset.hereShown || 0)")
    page.evaluate("WS.map.closePopup()")
    page.locator(".leaflet-ws-position-pane path.leaflet-interactive").click(force=True)
    page.wait_for_function(f"Number(document.body.dataset.hereShown || 0) > {before}")
    # the popup of the position itself (its coordinates), not of the long press before
    page.wait_for_function(
        "() => (document.querySelector('.ws-here') || {}).textContent?.includes('113.450000, 31.730000')"
    )
    assert set(here_list(page)) == {"units", "district"}  # OUTSIDE: no protected land
    assert errors == []


def test_offline_the_warning_comes_from_the_data_on_the_device(tls_browser, tls_server):
    context = locating_context(tls_browser, tls_server, IN_JB001)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(tls_server.base_url + "/")
    wait_ready(page)
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=30_000)
    # the office: keep 涢水片区 (holds JB-001 and the water-source zone) on the device
    estimate_area(page, "421303-01")
    download_area(page, "421303-01")
    # the field: no network at all
    context.set_offline(True)
    page.reload()
    wait_ready(page)
    assert page.evaluate("navigator.onLine") is False
    page.click("#ws-geo-toggle")
    page.wait_for_function("WS.geo.state().checks >= 1", timeout=20_000)
    text = banner_text(page)
    assert "永久基本农田" in text and "JB-001（何店镇）" in text  # from the cached z16 tile
    assert page.evaluate("WS.geo.state().beeps") == 1
    moved_and_checked(page, context, IN_WSZ)
    assert "先觉庙水库一级保护区" in banner_text(page)
    assert "已离开 永久基本农田 JB-001" in page.inner_text("#ws-geo-notice")
    moved_and_checked(page, context, IN_REDLINE)  # GeoJSON layers are kept whole
    assert "HX-01 大洪山水源涵养生态保护红线" in banner_text(page)
    assert page.evaluate("WS.geo.state().beeps") == 3
    # 㵐水片区 was not downloaded: its tiles are not here, so no verdict, and said so
    moved_and_checked(page, context, IN_JB002)
    text = banner_text(page)
    assert "永久基本农田：无法判断是否在其范围内（离线，未缓存）" in text
    assert "JB-002" not in text
    # the next fix in the same tile does not ask again (nor count another miss)
    badge = page.inner_text("#ws-offline")
    moved_and_checked(page, context, (IN_JB002[0], IN_JB002[1] + 0.0001))
    assert "无法判断" in banner_text(page)
    assert page.inner_text("#ws-offline") == badge
    # the long press offline lists what the device holds
    set_view(page, *IN_JB001, 16)
    tap_and_hold(page, IN_JB001)
    assert page.get_attribute(".ws-here", "data-source") == "device"
    listed = here_list(page)
    assert set(listed) >= {"basic_farmland", "farmland", "units", "district"}
    assert "JB-001（何店镇）" in listed["basic_farmland"]
    assert "WM0000" in listed["farmland"]
    assert "离线" in page.inner_text(".ws-here")
    assert errors == []
    context.close()
