"""Tablet comfort, the rest of issue 18 point 6: chart text in popups at least 12 px on screen,
the map refitting when the panel hides or shows, and the period selector and sign-out within
thumb reach (the bottom third) on portrait tablets."""

import pytest

from tests.webmap.conftest import new_context, open_map, screenshot, set_view

PORTRAITS = {"tablet-portrait-800x1280": (800, 1280), "tablet-portrait-768x1024": (768, 1024)}


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (768, 1024)])
def test_chart_text_in_popups_is_at_least_12_px(browser, server, width, height):
    context = new_context(browser, server, width=width, height=height)
    page = open_map(context, server)
    page.evaluate("WS.sections.open('ZD-01')")
    page.wait_for_selector(".ws-charts svg text")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.ws-charts svg')].flatMap(svg => {
            // an SVG's text is drawn at its font size times the viewBox's scale
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(t => ({
                css: parseFloat(getComputedStyle(t).fontSize),
                shown: parseFloat(getComputedStyle(t).fontSize) * scale,
                text: t.textContent,
            }));
        })"""
    )
    assert len(sizes) > 10
    small = [s for s in sizes if s["css"] < 12 or s["shown"] < 12 - 1e-6]
    assert small == [], small[:3]
    screenshot(page, f"chart-popup-{width}x{height}")
    context.close()


def view(page) -> dict:
    return page.evaluate(
        """() => {
            const c = WS.map.getCenter(), b = WS.map.getBounds(), s = WS.map.getSize();
            const box = WS.map.getContainer().getBoundingClientRect();
            return {lat: c.lat, lng: c.lng, zoom: WS.map.getZoom(),
                    bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
                    size: [s.x, s.y], box: [Math.round(box.width), Math.round(box.height)]};
        }"""
    )


def pixels_apart(page, a: dict, b: dict) -> float:
    """How far apart two views' centres are, in screen pixels at a's zoom."""
    return page.evaluate(
        """([a, b, z]) => WS.map.project(L.latLng(a), z).distanceTo(WS.map.project(L.latLng(b), z))""",
        [[a["lat"], a["lng"]], [b["lat"], b["lng"]], a["zoom"]],
    )


def toggle_panel(page) -> dict:
    before = page.evaluate("Number(document.body.dataset.refits || 0)")
    page.click("#ws-panel-toggle")
    page.wait_for_function(f"Number(document.body.dataset.refits || 0) > {before}")
    return view(page)


def contains(outer, inner, slack=1e-9) -> bool:
    return (
        outer[0] <= inner[0] + slack
        and outer[1] <= inner[1] + slack
        and outer[2] >= inner[2] - slack
        and outer[3] >= inner[3] - slack
    )


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (800, 1280)])
def test_the_view_refits_when_the_panel_hides_or_shows(browser, server, width, height):
    context = new_context(browser, server, width=width, height=height)
    page = open_map(context, server)
    set_view(page, 31.725, 113.35, 13)
    start = view(page)
    hidden = toggle_panel(page)
    # the map took its new size and still shows all it showed, around the same centre
    assert hidden["size"] == hidden["box"] and hidden["size"] != start["size"]
    assert hidden["zoom"] == start["zoom"]
    assert pixels_apart(page, hidden, start) < 1  # Leaflet rounds the view to whole pixels
    assert contains(hidden["bounds"], start["bounds"])
    # shown again without moving the map: the very view it had
    shown = toggle_panel(page)
    assert shown["size"] == start["size"] == shown["box"]
    assert shown["zoom"] == start["zoom"]
    assert pixels_apart(page, shown, start) < 1
    # moved while hidden: shown again, it fits what was in view
    toggle_panel(page)
    set_view(page, 31.70, 113.30, 14)
    moved = view(page)
    refitted = toggle_panel(page)
    assert contains(refitted["bounds"], moved["bounds"])
    assert refitted["zoom"] in (moved["zoom"], moved["zoom"] - 1)
    context.close()


@pytest.mark.parametrize("name", PORTRAITS)
def test_period_and_sign_out_are_within_thumb_reach_in_portrait(browser, server, name):
    width, height = PORTRAITS[name]
    context = new_context(browser, server, width=width, height=height, has_touch=True)
    page = open_map(context, server)
    controls = {
        "year": "#ws-year",
        "month": "#ws-month",
        "sign-out": "#ws-user form button[type=submit]",
    }
    for label, selector in controls.items():
        box = page.locator(selector).bounding_box()
        assert box is not None, label
        assert box["y"] >= height * 2 / 3, (label, box)  # the bottom third
        assert box["y"] + box["height"] <= height, (label, box)  # on screen
        assert box["height"] >= 44, (label, box)  # a touch target
        # nothing covers it: a tap there reaches the control
        centre = page.evaluate(
            """([sel, x, y]) => document.elementFromPoint(x, y)?.closest(sel) !== null""",
            [selector, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert centre, label
    # the map and the panel end above the bar; with the panel hidden the map reaches it
    bar_top = min(page.locator(s).bounding_box()["y"] for s in controls.values())
    map_box = page.locator(".folium-map").bounding_box()
    panel_box = page.locator("#ws-panel").bounding_box()
    assert map_box["y"] + map_box["height"] <= panel_box["y"] + 1
    assert panel_box["y"] + panel_box["height"] <= bar_top
    screenshot(page, f"{name}-panel")
    page.click("#ws-panel-toggle")
    page.wait_for_function("Number(document.body.dataset.refits || 0) >= 1")
    map_box = page.locator(".folium-map").bounding_box()
    assert bar_top - 16 <= map_box["y"] + map_box["height"] <= bar_top
    screenshot(page, f"{name}-map")
    context.close()


def test_the_sign_in_page_has_no_empty_bottom_bar_in_portrait(browser, server):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.base_url + "/signin")
    assert page.evaluate("getComputedStyle(document.body, '::after').content") in ("none", "normal")
    context.close()
