"""The map over the demonstration dataset says 示例数据 where people look (issue 16, defect
10); the map over other data shows no such banner."""

from tests.webmap.conftest import new_context, open_map


def test_the_demo_map_shows_a_banner_naming_the_synthetic_layers(browser, demo_server):
    context = new_context(browser, demo_server)
    try:
        page = open_map(context, demo_server)
        banner = page.locator("#ws-demo-banner")
        assert banner.is_visible()
        text = banner.inner_text()
        assert text.startswith("示例数据") and "耕地" in text and "synthetic" in text
        box = banner.bounding_box()
        assert box["y"] <= 1 and box["height"] > 10  # at the top, over the map
    finally:
        context.close()


def test_the_fixture_map_has_no_demo_banner(browser, server):
    context = new_context(browser, server)
    try:
        page = open_map(context, server)
        assert page.locator("#ws-demo-banner").count() == 0
    finally:
        context.close()
