"""The map in a real browser (Debian's Chromium through Playwright) against the real app."""

import io
import json
import math
import re
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from pyproj import Geod
from shapely.geometry import box, shape
from sqlalchemy import delete, select

from layers.db import session_scope
from layers.models import AuditEntry, SavedCheck
from layers.registry import SPATIAL_LAYERS
from tests.webmap.conftest import (
    new_context,
    open_map,
    screenshot,
    set_view,
    wait_ready,
)
from tests.webmap.fixture_data import (
    DISTRICT_BOX,
    EXPECTED_LABELS,
    FARMLAND_BOXES,
    LAYER_COUNTS,
    REDLINE_BOX,
    TILE_VIEW,
)

# CGCS2000 ellipsoid, independent of gis/area.py.
GEOD = Geod(a=6378137.0, f=1 / 298.257222101)
M2_PER_MU = 10000 / 15
LAYOUTS = {
    "desktop-1366x768": (1366, 768),
    "tablet-portrait-768x1024": (768, 1024),
    "tablet-landscape-1024x768": (1024, 768),
}
TOUCH_TARGETS = (
    "#ws-panel-toggle",
    ".ws-tab-btn",
    "#ws-year",
    "#ws-month",
    ".ws-line",
    ".leaflet-control-zoom-in",
    ".leaflet-control-zoom-out",
    "#ws-geo-toggle",
    ".leaflet-control-layers-toggle",
    ".ws-legend summary",
    ".ws-marker",
)


def geodesic_m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def pane_count(page, key: str) -> int:
    """Features drawn in a layer's pane: SVG paths with a shape, and marker icons."""
    return page.evaluate(
        """key => {
            const pane = WS.map.getPane('ws-' + key);
            const paths = [...pane.querySelectorAll('path')].filter(p => (p.getAttribute('d') || '').length > 4);
            return paths.length + pane.querySelectorAll('.leaflet-marker-icon').length;
        }""",
        key,
    )


def test_page_loads_with_no_console_error_and_no_request_off_the_server(browser, server):
    context = new_context(browser, server)
    requests, foreign, problems = [], [], []

    def route(r):
        requests.append(r.request.url)
        if urlsplit(r.request.url).netloc != f"{server.host}:{server.port}":
            foreign.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(server.base_url + "/")
    wait_ready(page)
    set_view(page, *TILE_VIEW)
    page.wait_for_load_state("networkidle")
    page.evaluate("WS.sections.open('ZD-01')")
    page.wait_for_selector(".ws-charts svg")
    context.close()
    print(f"\n{len(requests)} requests, all to {server.base_url}")
    assert foreign == []
    assert problems == []
    assert any("/tiles/WebMercatorQuad/" in u for u in requests)
    assert any(u.endswith("/api/layers/sections.geojson") for u in requests)


def test_first_load_is_under_one_megabyte_and_interactive(browser, server):
    context = new_context(browser, server)
    page = context.new_page()
    sizes = []
    page.on("requestfinished", lambda r: sizes.append((r.url, r.sizes())))
    page.goto(server.base_url + "/")
    wait_ready(page)
    page.wait_for_load_state("networkidle")
    ready_ms = page.evaluate("WS.state.readyAt")
    dom_ms = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    context.close()
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for _, s in sizes)
    biggest = sorted(sizes, key=lambda x: -x[1]["responseBodySize"])[:5]
    print(f"\nfirst load: {len(sizes)} responses, {total} bytes ({total / 1024:.0f} KiB)")
    for url, s in biggest:
        print(f"  {s['responseBodySize']:>8} {urlsplit(url).path}")
    print(
        f"time to interactive (map, layers, classes and panel ready): {ready_ms:.0f} ms; "
        f"DOMContentLoaded {dom_ms:.0f} ms"
    )
    assert total < 1_000_000


def _click_at(page, lat: float, lon: float) -> None:
    point = page.evaluate("ll => WS.map.latLngToContainerPoint(ll)", [lat, lon])
    origin = page.locator(".folium-map").bounding_box()
    page.mouse.click(origin["x"] + point["x"], origin["y"] + point["y"])


# The topmost element at a map position, and the layer pane it belongs to ("" if none).
_PANE_AT = """([lat, lon]) => {
    const p = WS.map.latLngToContainerPoint([lat, lon]);
    const r = WS.map.getContainer().getBoundingClientRect();
    const top = document.elementFromPoint(r.left + p.x, r.top + p.y);
    const pane = top && top.closest('.leaflet-pane[class*="ws-"]');
    const name = pane && [...pane.classList].find(c => c.startsWith('leaflet-ws-'));
    return name ? name.slice('leaflet-'.length).replace(/-pane$/, '') : '';
}"""


def _click_feature(page, key: str, lat: float, lon: float) -> None:
    """One click on ``key``'s feature at (lat, lon), once it is the topmost thing there.

    Tiles and GeoJSON arrive in any order, so a click sent as soon as *some* feature is drawn can
    land on the layer beneath (a 流域片区 polygon instead of a parcel). Waiting until the
    element under the pointer belongs to the expected pane makes the click say what it means.
    """
    page.wait_for_function(
        f"([lat, lon, pane]) => ({_PANE_AT})([lat, lon]) === pane", arg=[lat, lon, f"ws-{key}"]
    )
    _click_at(page, lat, lon)


def test_every_layer_in_the_control_renders_features(map_page):
    labels = map_page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label",
        "ls => ls.map(l => [l.querySelector('[data-layer]').dataset.layer, l.querySelector('input').checked])",
    )
    assert sorted(k for k, _ in labels if k != "records") == sorted(SPATIAL_LAYERS)  # + 巡查记录
    assert all(checked for _, checked in labels)
    for key, spec in SPATIAL_LAYERS.items():
        if spec.delivery == "geojson":
            assert pane_count(map_page, key) == LAYER_COUNTS[key], key
    _click_feature(map_page, "eco_redline", 31.78, 113.42)  # the red line's middle: its popup
    popup = map_page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "生态保护红线" in popup.inner_text() and "红线类型" in popup.inner_text()
    assert "大洪山水源涵养生态保护红线" in popup.inner_text()
    map_page.evaluate("WS.map.closePopup()")
    set_view(map_page, *TILE_VIEW)
    map_page.wait_for_load_state("networkidle")
    for key, spec in SPATIAL_LAYERS.items():
        if spec.delivery == "tiles":
            # every tile in view drawn, not just one (the parcel clicked below may be in another)
            map_page.wait_for_function(
                """key => WS.map.getPane('ws-' + key).querySelectorAll('path').length > 0
                    && !WS.layers[key].isLoading()""",
                arg=key,
            )
            assert pane_count(map_page, key) >= 1, key
    _click_feature(map_page, "farmland", 31.6425, 113.3225)  # a parcel from the tiles
    popup = map_page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "农村宅基地" in popup.inner_text() and "0702" in popup.inner_text()


def test_a_projects_popup_shows_its_status(map_page):
    """The fixture's project has no status: 拟建, which the list does not count."""
    set_view(map_page, 31.7025, 113.3625, 16)
    _click_at(map_page, 31.7025, 113.3625)
    popup = map_page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "示例厂房项目" in text and "项目状态" in text and "拟建" in text


def test_sections_are_coloured_by_class_and_their_popup_shows_it(map_page):
    for code, label in EXPECTED_LABELS.items():
        grade = map_page.get_attribute(f'.ws-dot[data-code="{code}"]', "data-grade")
        assert map_page.evaluate("g => WS.config().grades[g].label", int(grade)) == label, code
    assert map_page.get_attribute('.ws-dot[data-code="ZD-05"]', "data-grade") == ""
    map_page.click('.ws-dot[data-code="ZD-01"]')
    popup = map_page.locator(".ws-popup-section")
    popup.wait_for()
    assert popup.locator(".ws-class-chip").inner_text() == "Ⅴ类"
    text = popup.inner_text()
    assert "涢水大桥" in text and "目标 Ⅲ类" in text and "不达标" in text
    assert "氨氮（超标 0.80 倍）" in text and "总磷（超标 0.25 倍）" in text
    map_page.wait_for_selector(".ws-charts svg")
    charts = popup.locator(".ws-chart-svg")
    assert charts.count() == 2
    assert charts.nth(0).locator("circle").count() == 12  # twelve monthly samples of 2024
    assert "氨氮" in charts.nth(0).text_content()
    screenshot(map_page, "section-popup-desktop")
    map_page.evaluate("WS.map.closePopup()")
    map_page.click('.ws-dot[data-code="ZD-02"]')
    map_page.wait_for_function(
        "document.querySelector('.ws-popup-section h3').innerText.includes('洛阳揭家垄村')"
    )
    assert map_page.locator(".ws-popup-section .ws-class-chip").inner_text() == "Ⅱ类"
    assert "达标" in map_page.locator(".ws-popup-section .ws-status").inner_text()
    assert "优良" in map_page.locator(".ws-popup-section .ws-good").inner_text()
    assert "12 次监测 · 12 个月" in map_page.locator(".ws-popup-section").inner_text()


def test_period_selector_updates_classes_and_the_panel(map_page):
    line = '.ws-unit[data-unit="421303"] .ws-line[data-line="section_class"]'
    assert "涢水大桥" in map_page.locator(line).first.inner_text()
    assert map_page.locator(line).first.get_attribute("data-status") == "fail"
    map_page.select_option("#ws-year", "2023")
    wait_ready(map_page)
    # 2023 holds one December sample at the 国控 涢水大桥: 数据不足 (a 国控 year needs twelve
    # months), hatched apart from 无数据 grey, in the panel and the popup — never 达标.
    assert map_page.get_attribute('.ws-dot[data-code="ZD-01"]', "data-grade") == ""
    assert map_page.locator('.ws-insufficient .ws-dot[data-code="ZD-01"]').count() == 1
    assert map_page.locator('.ws-nodata .ws-dot[data-code="ZD-02"]').count() == 1
    assert map_page.get_attribute('.ws-dot[data-code="ZD-02"]', "data-grade") == ""
    assert map_page.locator(line).first.get_attribute("data-status") == "insufficient"
    assert "2023年" in map_page.inner_text("#ws-checks-title")
    map_page.click('.ws-dot[data-code="ZD-01"]')
    popup = map_page.locator(".ws-popup-section")
    popup.wait_for()
    assert popup.locator(".ws-class-chip").inner_text() == "数据不足"
    assert "1 次监测" in popup.inner_text() and "12个月" in popup.inner_text()
    assert "数据不足（样本数不够）" in map_page.inner_text(".ws-legend")
    screenshot(map_page, "section-popup-insufficient")
    map_page.evaluate("WS.map.closePopup()")
    map_page.select_option("#ws-year", "2024")
    map_page.select_option("#ws-month", "02")
    wait_ready(map_page)
    assert "2024年2月" in map_page.inner_text("#ws-checks-title")
    assert map_page.get_attribute('.ws-dot[data-code="ZD-01"]', "data-grade") == "5"


def test_compliance_panel_shows_failures_and_zooms_to_their_evidence(map_page):
    fails = map_page.locator('.ws-line[data-status="fail"]')
    texts = [fails.nth(i).inner_text() for i in range(fails.count())]
    assert any("断面水质 · 涢水大桥" in t and "实测 Ⅴ类 / 目标 Ⅲ类" in t for t in texts)
    assert any("永久基本农田占用" in t for t in texts)
    assert all("不达标" in t for t in texts)
    map_page.check("#ws-only-problems")
    assert map_page.locator('.ws-line[data-status="pass"]').count() == 0
    # a section line: the section is outlined and its popup opens
    map_page.locator(
        '.ws-unit[data-unit="421303"] .ws-line[data-line="section_class"]'
    ).first.click()
    map_page.wait_for_selector(".ws-popup-section")
    assert "涢水大桥" in map_page.inner_text(".ws-popup-section h3")
    assert map_page.evaluate("WS.map.getPane('ws-highlight').querySelectorAll('path').length") >= 1
    # an occupation line: parcels from the vector-tile layers, fetched by id from /ogc
    with map_page.expect_response(
        lambda r: "/ogc/collections/" in r.url and "/items" in r.url
    ) as items:
        # the occupation line, not its 非粮化 finding (same line, another part)
        map_page.locator(
            '.ws-unit[data-unit="421303-02"] .ws-line[data-line="occupation:basic_farmland"]',
            has_text="永久基本农田占用",
        ).click()
    assert items.value.ok
    map_page.wait_for_function(
        "WS.map.getPane('ws-highlight').querySelectorAll('path').length >= 2"
    )
    assert map_page.evaluate("WS.map.getZoom()") >= 13
    # The fit runs once the parcels fetched from /ogc are outlined: wait for it, don't race it.
    map_page.wait_for_function("WS.map.getBounds().contains([31.665, 113.447])")
    map_page.wait_for_function(
        "WS.map.getPane('ws-basic_farmland').querySelectorAll('path').length > 0"
    )
    map_page.wait_for_load_state("networkidle")
    screenshot(map_page, "compliance-evidence-desktop")


def test_compliance_panel_names_features_by_code_with_units_and_as_of(map_page):
    line = map_page.locator(
        '.ws-unit[data-unit="421303-02"] .ws-line[data-line="occupation:basic_farmland"]',
        has_text="永久基本农田占用",
    )
    text = line.inner_text()
    # The 0702 parcel by its BSM and 坐落, the patch by its number; never "farmland#12".
    assert re.search(r"WM\d{4}（何店镇）", text), text
    assert "#" not in text
    assert re.search(r"占用 [\d,]+\.\d{2} 亩（应为 0）", text), text
    assert "数据时点：永久基本农田：" in text
    reservoirs = map_page.locator(
        '.ws-unit[data-unit="421303"] .ws-line[data-line="reservoir_count:小型"]'
    )
    assert re.search(r"实测 \d+ 座 / 目标 = \d+ 座", reservoirs.inner_text())
    # Every status has its own colour; the ones that are no verdict never look like 达标.
    colours = map_page.evaluate(
        """() => Object.keys(WS.config().statuses).map((s) => {
             const el = document.createElement("span");
             el.className = "ws-status-icon ws-status-" + s;
             document.body.appendChild(el);
             const colour = getComputedStyle(el).backgroundColor;
             el.remove();
             return colour;
           })"""
    )
    # 8: pass, warn, fail, review, insufficient, undetermined, pending (待定（参照指标）), nodata
    assert len(colours) == 8 and len(set(colours)) == 8, colours


def _expected_overlap(project) -> tuple[float, float]:
    overlap = project.intersection(box(*REDLINE_BOX))
    return geodesic_m2(overlap), geodesic_m2(project)


def _shown(page, layer: str, field: str) -> float:
    return number(
        page.inner_text(f'.ws-overlap-table tr[data-layer="{layer}"] td[data-field="{field}"]')
    )


def test_drawing_a_polygon_over_the_red_line_reports_its_areas(map_page):
    map_page.click("#ws-tab-btn-redline")
    set_view(map_page, 31.79, 113.44, 14)
    map_page.click("#ws-draw")
    for lat, lon in ((31.785, 113.432), (31.785, 113.447), (31.795, 113.447), (31.795, 113.432)):
        _click_at(map_page, lat, lon)
        map_page.wait_for_timeout(150)
    with map_page.expect_response(lambda r: "geometry=none" in r.url) as figures:
        map_page.click('#ws-draw-bar [data-draw="finish"]')
    # the figures come without geometry; the overlap to draw follows (simplified for display)
    assert all(layer["geometry"] is None for layer in figures.value.json()["layers"])
    map_page.wait_for_selector(".ws-verdict")
    report = map_page.evaluate("WS.redline.report()")
    project = shape(report["project_geometry"])
    redline_m2, project_m2 = _expected_overlap(project)
    assert 0.3 < redline_m2 / project_m2 < 0.7  # the outline drawn straddles the red line's edge
    assert _shown(map_page, "eco_redline", "area_mu") == pytest.approx(
        redline_m2 / M2_PER_MU, abs=0.006
    )
    assert _shown(map_page, "eco_redline", "area_m2") == pytest.approx(redline_m2, abs=1)
    assert number(map_page.inner_text('[data-field="project_area_mu"]')) == pytest.approx(
        project_m2 / M2_PER_MU, abs=0.006
    )
    assert map_page.get_attribute(".ws-verdict", "data-verdict") == "conflict"
    assert "冲突" in map_page.inner_text(".ws-verdict")
    map_page.wait_for_selector('#ws-redline-report[data-drawing="done"]')
    drawn = map_page.evaluate(
        "WS.redline.report().layers.find(l => l.layer === 'eco_redline').geometry"
    )
    assert geodesic_m2(shape(drawn)) == pytest.approx(redline_m2, rel=1e-3)
    assert map_page.evaluate("WS.map.getPane('ws-highlight').querySelectorAll('path').length") >= 2
    screenshot(map_page, "redline-draw-desktop")


def _pixel(page, lat: float, lon: float) -> tuple[float, float]:
    point = page.evaluate("ll => WS.map.latLngToContainerPoint(ll)", [lat, lon])
    origin = page.locator(".folium-map").bounding_box()
    return origin["x"] + point["x"], origin["y"] + point["y"]


def _wait_for_handle(page, lat: float, lon: float) -> None:
    """Until the view has settled (a report refits it) and the vertex handle at (lat, lon) is
    what lies under the pointer there."""
    page.wait_for_function(
        """([lat, lon]) => {
            const p = WS.map.latLngToContainerPoint([lat, lon]);
            const r = WS.map.getContainer().getBoundingClientRect();
            const e = document.elementFromPoint(r.left + p.x, r.top + p.y);
            return !!e && e.classList.contains("leaflet-editing-icon");
        }""",
        arg=[lat, lon],
        polling=100,
    )


def _live_mu(page, where: str) -> float:
    return number(page.inner_text(f'{where} [data-field="live_area_mu"]'))


def _geodesic_mu(lonlats) -> float:
    area, _ = Geod(a=6378137.0, rf=298.257222101).polygon_area_perimeter(
        *zip(*lonlats, strict=True)
    )
    return abs(area) / M2_PER_MU


def test_drawing_shows_the_area_live_snaps_and_edits_with_undo(map_page):
    """Live 亩 while drawing; a click 5 px off the red line's corner lands on it; a vertex dragged
    after drawing is re-analysed, and 撤销修改 brings the first figures back."""
    map_page.click("#ws-tab-btn-redline")
    corner_lon, corner_lat = REDLINE_BOX[2], REDLINE_BOX[3]
    set_view(map_page, corner_lat, corner_lon, 17)
    map_page.click("#ws-draw")
    map_page.wait_for_function("() => WS.redline.snapCount() > 0", polling=100)
    p1, p2, p4 = (113.4385, 31.7995), (113.4415, 31.7995), (113.4385, 31.8010)
    for lon, lat in (p1, p2):
        _click_at(map_page, lat, lon)
        map_page.wait_for_timeout(150)
    x, y = _pixel(map_page, corner_lat, corner_lon)
    map_page.mouse.click(x + 4, y - 3)  # near the red line's north-east corner: snaps to it
    map_page.wait_for_timeout(150)
    # the clicked vertices are where the pixels are (about 1 m apart at zoom 17); the snapped
    # one is the red line's corner exactly
    triangle = map_page.evaluate("WS.redline.drawing()")
    assert triangle[2] == [corner_lon, corner_lat]
    assert triangle[0] == pytest.approx(p1, abs=2e-5) and triangle[1] == pytest.approx(p2, abs=2e-5)
    assert _live_mu(map_page, "#ws-draw-bar") == pytest.approx(_geodesic_mu(triangle), abs=0.01)
    _click_at(map_page, p4[1], p4[0])
    map_page.wait_for_timeout(150)
    outline = map_page.evaluate("WS.redline.drawing()")
    assert len(outline) == 4
    assert _live_mu(map_page, "#ws-draw-bar") == pytest.approx(_geodesic_mu(outline), abs=0.01)
    map_page.click('#ws-draw-bar [data-draw="finish"]')
    map_page.wait_for_selector(".ws-verdict")
    report = map_page.evaluate("WS.redline.report()")
    assert [corner_lon, corner_lat] in report["project_geometry"]["coordinates"][0][0]
    first_m2 = report["project_area_m2"]
    assert first_m2 / M2_PER_MU == pytest.approx(_geodesic_mu(outline), rel=1e-4)
    assert _live_mu(map_page, "#ws-sketch-bar") == pytest.approx(first_m2 / M2_PER_MU, abs=0.01)

    map_page.wait_for_selector('#ws-redline-report[data-drawing="done"]')
    view = map_page.evaluate("[WS.map.getCenter().lat, WS.map.getCenter().lng]")
    # drag the north-west vertex 40 px west: the outline grows and is analysed again. The
    # drag goes through Leaflet.draw's own vertex handle (setLatLng, then its drag events),
    # not synthetic mouse events, which raced the map's refit after the report.
    map_page.evaluate(
        """([lat, lon]) => {
            const handler = WS.redline.sketch().editing._verticesHandlers[0];
            const near = (m) => WS.map.distance(m.getLatLng(), [lat, lon]);
            const marker = handler._markers.reduce((a, b) => (near(a) <= near(b) ? a : b));
            const point = WS.map.latLngToContainerPoint(marker.getLatLng()).subtract([40, 0]);
            const moved = WS.map.containerPointToLatLng(point);
            marker.fire("dragstart");
            marker.setLatLng(moved);
            marker.fire("drag", { latlng: moved });
            marker.fire("dragend");
        }""",
        [p4[1], p4[0]],
    )
    map_page.wait_for_function(
        "a => WS.redline.report() && WS.redline.report().project_area_m2 > a + 1", arg=first_m2
    )
    # a re-analysis keeps the view the user is editing in (only a new outline refits it)
    assert map_page.evaluate("[WS.map.getCenter().lat, WS.map.getCenter().lng]") == view
    edited = map_page.evaluate("WS.redline.sketch().getLatLngs()[0].map(p => [p.lng, p.lat])")
    edited_m2 = map_page.evaluate("WS.redline.report().project_area_m2")
    assert edited_m2 / M2_PER_MU == pytest.approx(_geodesic_mu(edited), rel=1e-4)
    assert _live_mu(map_page, "#ws-sketch-bar") == pytest.approx(edited_m2 / M2_PER_MU, abs=0.01)
    map_page.click("#ws-sketch-undo")
    map_page.wait_for_function(
        "a => Math.abs(WS.redline.report().project_area_m2 - a) < 0.01", arg=first_m2
    )
    assert map_page.is_disabled("#ws-sketch-undo")
    screenshot(map_page, "redline-draw-edit-desktop")


def test_the_newest_outline_wins_when_answers_come_out_of_order(map_page):
    """Two outlines sent one after the other (a vertex dragged while the first was being
    analysed): the first one's answer, held back until the second's has arrived, is dropped,
    never shown over the newer figures; so is the drawing fetched for the first."""
    map_page.click("#ws-tab-btn-redline")
    small, large = box(113.435, 31.785, 113.440, 31.790), box(113.430, 31.780, 113.450, 31.795)
    map_page.evaluate(
        """() => {
            const fetchNow = window.fetch;
            let release;
            const gate = new Promise((resolve) => (release = resolve));
            let figures = 0;
            window.__answered = 0;
            window.fetch = async (url, options) => {
                const check = String(url).includes("/api/overlap") && !/geometry=display/.test(url);
                const n = check && options && options.method === "POST" ? ++figures : 0;
                const response = await fetchNow(url, options);
                if (n === 1) await gate;  // the first outline's answer waits for the second's
                if (n === 2) setTimeout(release, 0);
                if (n) window.__answered++;
                return response;
            };
        }"""
    )
    map_page.evaluate(
        """([a, b]) => {
            WS.redline.submit({ geojson: a });
            WS.redline.submit({ geojson: b });
        }""",
        [small.__geo_interface__, large.__geo_interface__],
    )
    map_page.wait_for_function("window.__answered === 2")
    map_page.wait_for_selector('#ws-redline-report[data-drawing="done"]')
    shown = map_page.evaluate("WS.redline.report().project_area_m2")
    assert shown == pytest.approx(geodesic_m2(large), rel=1e-6)
    assert number(map_page.inner_text('[data-field="project_area_m2"]')) == pytest.approx(
        geodesic_m2(large), abs=1
    )
    red = map_page.evaluate("WS.redline.report().layers.find(l => l.layer === 'eco_redline')")
    assert geodesic_m2(shape(red["geometry"])) == pytest.approx(
        geodesic_m2(large.intersection(box(*REDLINE_BOX))), rel=1e-3
    )


def test_a_dragged_vertex_snaps_to_the_red_line_corner(map_page):
    map_page.click("#ws-tab-btn-redline")
    corner_lon, corner_lat = REDLINE_BOX[2], REDLINE_BOX[3]
    set_view(map_page, corner_lat, corner_lon, 17)
    map_page.click("#ws-draw")
    map_page.wait_for_function("() => WS.redline.snapCount() > 0", polling=100)
    for lon, lat in ((113.4385, 31.7995), (113.4415, 31.7995)):
        _click_at(map_page, lat, lon)
        map_page.wait_for_timeout(150)
    x, y = _pixel(map_page, corner_lat, corner_lon)
    map_page.mouse.click(x - 40, y - 40)  # far from the corner: no snap
    map_page.wait_for_timeout(150)
    map_page.click('#ws-draw-bar [data-draw="finish"]')
    map_page.wait_for_selector(".ws-verdict")
    first = map_page.evaluate("WS.redline.report().project_area_m2")
    assert [corner_lon, corner_lat] not in map_page.evaluate(
        "WS.redline.report().project_geometry.coordinates[0][0]"
    )
    # the map fitted the outline: find the third vertex and the corner again
    lng, lat = map_page.evaluate("(p => [p.lng, p.lat])(WS.redline.sketch().getLatLngs()[0][2])")
    _wait_for_handle(map_page, lat, lng)
    vx, vy = _pixel(map_page, lat, lng)
    x, y = _pixel(map_page, corner_lat, corner_lon)
    map_page.wait_for_function("() => WS.redline.snapCount() > 0", polling=100)
    map_page.mouse.move(vx, vy)
    map_page.mouse.down()
    map_page.mouse.move(x + 4, y - 3, steps=5)  # dropped 5 px off the corner
    map_page.mouse.up()
    map_page.wait_for_function(
        "a => Math.abs(WS.redline.report().project_area_m2 - a) > 1", arg=first
    )
    ring = map_page.evaluate("WS.redline.report().project_geometry.coordinates[0][0]")
    assert [corner_lon, corner_lat] in ring


def test_a_boundary_point_txt_upload_shows_each_plot(map_page):
    """The ministry's 界址点 TXT through the map: one row per plot and the total."""
    from tests.etl.project_inputs import FOLDER, PLOTS

    map_page.click("#ws-tab-btn-redline")
    map_page.set_input_files("#ws-upload", str(FOLDER / "three_plots.txt"))
    map_page.wait_for_selector(".ws-plots")
    rows = map_page.eval_on_selector_all(
        ".ws-plots tbody tr th", "cells => cells.map(c => c.textContent.trim())"
    )
    assert rows == [*(name for name, _, _ in PLOTS), "合计"]
    assert "CGCS2000 3度带高斯-克吕格 38 带" in map_page.text_content(".ws-notes")


def test_uploading_a_file_reports_areas_and_downloads_the_report(map_page, tmp_path):
    outline = box(113.43, 31.78, 113.45, 31.79)
    path = tmp_path / "拟建项目.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": "测试项目"},
        "geometry": outline.__geo_interface__,
    }
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8"
    )
    map_page.click("#ws-tab-btn-redline")
    map_page.set_input_files("#ws-upload", str(path))
    map_page.wait_for_selector(".ws-verdict")
    redline_m2, project_m2 = _expected_overlap(outline)
    assert _shown(map_page, "eco_redline", "area_mu") == pytest.approx(
        redline_m2 / M2_PER_MU, abs=0.006
    )
    assert _shown(map_page, "eco_redline", "share") == pytest.approx(
        100 * redline_m2 / project_m2, abs=0.006
    )
    assert _shown(map_page, "basic_farmland", "area_mu") == 0
    assert number(map_page.inner_text('[data-field="project_area_mu"]')) == pytest.approx(
        project_m2 / M2_PER_MU, abs=0.006
    )
    assert "大洪山水源涵养生态保护红线" in map_page.text_content(".ws-overlap-table")
    assert "测试项目" in map_page.inner_text(".ws-project-name")
    with map_page.expect_download() as download:
        map_page.click("#ws-download-json")
    saved = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert saved["project_area_m2"] == pytest.approx(project_m2, rel=1e-4)
    with map_page.expect_download() as download:
        map_page.click("#ws-download-xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book.sheetnames == ["压占汇总", "涉及要素", "界址点坐标"]
    # the filed report of an unsaved upload: PDF and the printable page in a new window
    with map_page.expect_download() as download:
        map_page.click("#ws-download-pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    with map_page.context.expect_page() as popup:
        map_page.click("#ws-print-report")
    printable = popup.value
    printable.wait_for_selector("svg.report-map")
    text = printable.inner_text("body")
    assert "测试项目（未保存）" in text and "界址点坐标表" in text and "图例" in text
    printable.close()
    screenshot(map_page, "redline-upload-desktop")


def test_a_project_outside_the_district_is_undetermined_in_red(map_page, tmp_path):
    """60 km east of the fixture's district: no data cover it, so 无法判定, never 不涉及."""
    east = Geod(ellps="GRS80").fwd(DISTRICT_BOX[2], 31.70, 90.0, 60_000.0)[0]
    outline = box(east, 31.70, east + 0.01, 31.71)
    path = tmp_path / "界外项目.geojson"
    path.write_text(json.dumps(outline.__geo_interface__), encoding="utf-8")
    map_page.click("#ws-tab-btn-redline")
    map_page.set_input_files("#ws-upload", str(path))
    map_page.wait_for_selector(".ws-verdict")
    assert map_page.get_attribute(".ws-verdict", "data-verdict") == "undetermined"
    assert "无法判定" in map_page.inner_text(".ws-verdict")
    assert "不涉及" not in map_page.inner_text("#ws-redline-report")
    colour = map_page.eval_on_selector(".ws-verdict", "e => getComputedStyle(e).borderLeftColor")
    assert colour == map_page.eval_on_selector(".ws-out", "e => getComputedStyle(e).color")
    findings = map_page.eval_on_selector_all(
        '[data-field="finding"]', "els => els.map(e => e.dataset.finding)"
    )
    assert findings and set(findings) == {"undetermined"}
    assert "0.00%" in map_page.inner_text(".ws-coverage")
    screenshot(map_page, "redline-outside-district")


def test_farmland_overlap_is_also_shown_net_of_field_ridges(map_page, tmp_path):
    """水田 WM0000 declares TBDLMJ 900 m²: the panel shows 耕地 net of 田坎 beside the gross
    overlap, the piece scaled by declared ÷ ellipsoidal parcel area."""
    paddy = box(*FARMLAND_BOXES["0101"])
    outline = box(113.302, 31.642, 113.308, 31.648)  # inside the 水田 parcel
    path = tmp_path / "耕地项目.geojson"
    path.write_text(json.dumps(outline.__geo_interface__), encoding="utf-8")
    map_page.click("#ws-tab-btn-redline")
    map_page.set_input_files("#ws-upload", str(path))
    map_page.wait_for_selector(".ws-verdict")
    gross_m2 = geodesic_m2(outline)
    net_m2 = gross_m2 * 900.0 / geodesic_m2(paddy)
    assert _shown(map_page, "farmland", "area_m2") == pytest.approx(gross_m2, abs=1)
    shown = map_page.inner_text('tr[data-sub-layer="farmland"] [data-field="net_area_mu"]')
    assert number(shown) == pytest.approx(net_m2 / M2_PER_MU, abs=0.006)
    assert map_page.locator('tr[data-sub-layer="eco_redline"] .ws-net').count() == 0
    screenshot(map_page, "redline-farmland-net-desktop")


def test_sign_in_screen_takes_the_token_and_keeps_it_in_a_cookie(browser, server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(server.base_url + "/")
    assert page.url.endswith("/signin")
    page.fill("#token", "not-a-token")
    page.click("form button[type=submit]")
    assert "令牌无效" in page.inner_text(".ws-error")
    page.fill("#token", server.token)
    page.click("form button[type=submit]")
    page.wait_for_url(server.base_url + "/")
    wait_ready(page)
    cookie = next(c for c in context.cookies() if c["name"] == "watershed_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.locator('.ws-line[data-status="fail"]').count() > 0
    page.click("#ws-user button[type=submit]")  # 退出登录 (the first is 平板扫码登录)
    page.wait_for_url("**/signin")
    context.close()


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layouts_at_desktop_and_tablet_sizes(browser, server, name):
    width, height = LAYOUTS[name]
    context = new_context(browser, server, width, height)
    page = open_map(context, server)
    screenshot(page, name)
    map_box = page.locator(".folium-map").bounding_box()
    panel = page.locator("#ws-panel").bounding_box()
    assert map_box["width"] >= 0.5 * width and map_box["height"] >= 0.4 * height
    if width < height:  # portrait: the panel is a sheet under the map
        assert panel["y"] >= map_box["y"] + map_box["height"] - 1
    else:
        assert panel["x"] + panel["width"] <= map_box["x"] + 1
    if name.startswith("tablet"):
        for selector in TOUCH_TARGETS:
            target = page.locator(selector).first
            b = target.bounding_box()
            assert b and b["width"] >= 44 and b["height"] >= 44, (name, selector, b)
    context.close()


def test_reservoir_popup_shows_scale_appraisal_and_bloom_risk(map_page):
    map_page.click('.ws-dot[data-layer="reservoirs"][data-code="LHK"]')
    popup = map_page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "两河口水库" in text and "小型" in text and "320.00 万m³" in text
    assert "大坝安全鉴定逾期" in text  # from the checks' overdue-appraisal evidence
    assert "水华风险水库" in text and "营养状态" in text
    map_page.evaluate("WS.map.closePopup()")
    map_page.click('.ws-dot[data-layer="reservoirs"][data-code="XM"]')
    map_page.wait_for_function(
        "document.querySelector('.leaflet-popup-content h3').innerText === '新庙水库'"
    )
    assert "逾期" not in map_page.inner_text(".leaflet-popup-content")


def test_trophic_state_from_fewer_parameters_is_flagged(map_page):
    # 先觉庙水库's lake section (ZD-04) has 总磷 and 总氮 only: TLI from two of five parameters.
    set_view(map_page, 31.78, 113.27, 15)
    map_page.click('.ws-dot[data-layer="reservoirs"][data-code="XJM"]')
    map_page.wait_for_function(
        "document.querySelector('.ws-trophic') && "
        "document.querySelector('.ws-trophic').innerText.includes('TLI')"
    )
    text = map_page.inner_text(".ws-trophic")
    assert "参数不全" in text and "缺叶绿素a、透明度、高锰酸盐指数" in text


def test_an_analyst_saves_the_report_as_a_project(browser, server, map_engine, tmp_path):
    path = tmp_path / "project.geojson"
    path.write_text(
        json.dumps(box(113.43, 31.78, 113.45, 31.79).__geo_interface__), encoding="utf-8"
    )
    context = new_context(browser, server, token=server.analyst_token)
    page = open_map(context, server)
    page.click("#ws-tab-btn-redline")
    page.set_input_files("#ws-upload", str(path))
    page.wait_for_selector(".ws-verdict")
    page.once("dialog", lambda dialog: dialog.accept("地图测试项目"))
    page.click("#ws-save-project")
    page.wait_for_selector(".ws-project-name")
    project_id = page.evaluate("WS.redline.report().id")
    try:
        assert "地图测试项目" in page.inner_text(".ws-project-name")
        assert f"编号 {project_id}" in page.inner_text(".ws-project-name")
        # a saved check is not a project of the register: the projects layer does not grow
        assert page.evaluate("WS.layers.projects.getLayers().length") == LAYER_COUNTS["projects"]
        with (
            page.expect_response(f"**/api/overlap/{project_id}.xlsx") as response,
            page.expect_download(),
        ):
            page.click("#ws-download-xlsx")
        assert response.value.ok
        with (
            page.expect_response(f"**/api/overlap/{project_id}.pdf") as response,
            page.expect_download() as download,
        ):
            page.click("#ws-download-pdf")
        assert response.value.ok and download.value.path().read_bytes().startswith(b"%PDF")
        # a saved check is 拟建 and says it does not count in the list
        assert page.inner_text('[data-field="project_status"]') == "拟建"
        assert "拟建项目不计入底线清单" in page.inner_text(".ws-project-status")
        # the list of saved checks: 打开 / 重命名 / 删除
        item = f'#ws-saved-checks [data-saved-id="{project_id}"]'
        page.wait_for_selector(item)
        assert "地图测试项目" in page.inner_text(item) and "拟建" in page.inner_text(item)
        page.click("#ws-redline-clear")
        page.click(f'{item} [data-saved-action="open"]')
        page.wait_for_function(f"WS.redline.report() && WS.redline.report().id === {project_id}")
        assert "地图测试项目" in page.inner_text(".ws-project-name")
        page.once("dialog", lambda dialog: dialog.accept("改名的测试项目"))
        page.click(f'{item} [data-saved-action="rename"]')
        page.wait_for_function(
            f"document.querySelector('{item} .ws-saved-name').textContent === '改名的测试项目'"
        )
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f'{item} [data-saved-action="delete"]')
        page.wait_for_selector(item, state="detached")
        with session_scope(map_engine) as session:
            assert session.get(SavedCheck, project_id) is None
            actions = session.scalars(
                select(AuditEntry.action).where(AuditEntry.target == f"saved_checks/{project_id}")
            ).all()
        assert sorted(actions) == ["overlap.delete", "overlap.rename", "overlap.save"]
    finally:
        context.close()
        with session_scope(map_engine) as session:
            target = f"saved_checks/{project_id}"
            session.execute(delete(AuditEntry).where(AuditEntry.target == target))
            session.execute(delete(SavedCheck).where(SavedCheck.id == project_id))


def _tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The WebMercatorQuad tile holding (lat, lon) at zoom z (the slippy-map formula)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_a_parcel_click_waits_for_the_tile_under_the_pointer(context, server):
    """The flaky case made certain: the parcel's own tile arrives 1.5 s after the others, so
    a click sent once *some* farmland is drawn lands on the 流域片区 beneath. The click helper
    waits until the parcel is the topmost element there; the popup is the parcel's."""
    lat, lon = 31.6425, 113.3225
    x, y = _tile_of(lat, lon, TILE_VIEW[2])
    late = f"public.farmland/tiles/WebMercatorQuad/{TILE_VIEW[2]}/{x}/{y}"
    context.add_init_script(
        f"""(() => {{
            const late = {json.dumps(late)};
            const plain = window.fetch;
            window.fetch = (url, opts) => String(url).includes(late)
                ? new Promise(r => setTimeout(r, 1500)).then(() => plain(url, opts))
                : plain(url, opts);
        }})();"""
    )
    page = open_map(context, server)
    set_view(page, *TILE_VIEW)
    page.wait_for_function("WS.map.getPane('ws-farmland').querySelectorAll('path').length > 0")
    _click_feature(page, "farmland", lat, lon)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "农村宅基地" in popup.inner_text() and "0702" in popup.inner_text()
