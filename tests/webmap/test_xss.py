"""Names filed by a bureau are data, never markup: a feature named like an HTML tag shows as
text in the map's tooltip and popups and in tipg's HTML pages, and runs no script.

Its own database (a copy of the map fixture with hostile names), so the other map tests keep
their exact names and the checks cache never sees these.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.conftest import fresh_database
from tests.webmap.conftest import Server, new_context, open_map, serve, set_view
from tests.webmap.fixture_data import TILE_VIEW, insert_fixture

PAYLOAD = "<img src=x onerror=window.__xss=1>"
SVG_PAYLOAD = '<svg onload="window.__xss=2">'


@pytest.fixture(scope="module")
def hostile_server(engine, settings) -> Iterator[Server]:
    own, own_settings = fresh_database(engine, settings, "webmap_xss")
    insert_fixture(own)
    with own.begin() as conn:
        conn.execute(text("UPDATE sections SET name = :n WHERE code = 'ZD-03'"), {"n": PAYLOAD})
        conn.execute(text("UPDATE eco_redline SET name = :n"), {"n": PAYLOAD})
        conn.execute(
            text("UPDATE farmland SET dlmc = :n, zldwmc = :z WHERE dlbm = '0702'"),
            {"n": PAYLOAD, "z": SVG_PAYLOAD},
        )
    try:
        with serve(own, own_settings) as running:
            yield running
    finally:
        own.dispose()


def _ran(page) -> bool:
    return page.evaluate("window.__xss !== undefined")


def test_a_section_named_like_a_tag_shows_as_text_in_its_label_and_popup(browser, hostile_server):
    context = new_context(browser, hostile_server)
    try:
        page = open_map(context, hostile_server)
        # The section's name is a permanent label (touch screens have no hover) from z12.
        lat, lon = page.evaluate(
            "() => { const s = WS.sections.all().find((e) => e.code === 'ZD-03');"
            " const p = s.marker.getLatLng(); return [p.lat, p.lng]; }"
        )
        page.evaluate("([a, o]) => WS.map.setView([a, o], 14, {animate: false})", [lat, lon])
        label = page.locator(".ws-label-sections", has_text="onerror")
        label.first.wait_for()
        assert label.first.inner_text() == PAYLOAD  # the name, literally
        assert page.locator(".ws-label-sections img").count() == 0
        page.wait_for_timeout(300)  # an <img src=x> would have failed and fired by now
        assert not _ran(page)
        page.evaluate("WS.sections.open('ZD-03')")
        popup = page.locator(".ws-popup-section h3")
        popup.wait_for()
        assert PAYLOAD in popup.inner_text()
        assert page.locator(".leaflet-popup-content img").count() == 0
        page.wait_for_timeout(300)
        assert not _ran(page)
    finally:
        context.close()


def test_tile_and_geojson_popups_show_hostile_attributes_as_text(browser, hostile_server):
    context = new_context(browser, hostile_server)
    try:
        page = open_map(context, hostile_server)
        for key, props in (
            ("eco_redline", {"name": PAYLOAD, "redline_type": "水源涵养"}),
            ("farmland", {"dlmc": PAYLOAD, "dlbm": "0702", "zldwmc": SVG_PAYLOAD}),
        ):
            html = page.evaluate("([k, p]) => WS.featurePopup(k, p)", [key, props])
            page.evaluate("WS.map.closePopup()")
            page.evaluate(
                "h => L.popup().setLatLng(WS.map.getCenter()).setContent(h).openOn(WS.map)", html
            )
            content = page.locator(".leaflet-popup-content").last
            content.wait_for()
            assert PAYLOAD in content.inner_text()
            assert content.locator("img, svg").count() == 0
        set_view(page, *TILE_VIEW)
        page.wait_for_timeout(300)
        assert not _ran(page)
    finally:
        context.close()


def test_tipg_html_item_page_escapes_feature_properties(browser, hostile_server):
    context = new_context(browser, hostile_server)
    try:
        page = context.new_page()
        url = f"{hostile_server.base_url}/ogc/collections/public.sections/items?f=html"
        response = page.goto(url)
        assert response.status == 200
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert not _ran(page)
        assert PAYLOAD in page.inner_text("body")
        items = context.request.get(url.replace("f=html", "f=geojson")).json()
        (item,) = [f["id"] for f in items["features"] if f["properties"]["code"] == "ZD-03"]
        response = page.goto(
            f"{hostile_server.base_url}/ogc/collections/public.sections/items/{item}?f=html"
        )
        assert response.status == 200
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert not _ran(page)
        assert PAYLOAD in page.inner_text("body")
        assert "<img src=x" not in page.content()  # serialised DOM: text nodes come back escaped
    finally:
        context.close()
