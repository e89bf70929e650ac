"""The map over the demonstration dataset: the compliance panel shows exactly the planted
problems (data/shapefiles/README.md), the first load stays within budget, screenshots."""

from collections import Counter

from tests.test_demo_checks import EXPECTED_FINDINGS
from tests.webmap.conftest import new_context, screenshot, set_view, wait_ready

BUDGET_BYTES = 1_000_000


def test_panel_shows_the_planted_problems(browser, demo_server) -> None:
    context = new_context(browser, demo_server)
    page = context.new_page()
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()))
    page.goto(demo_server.base_url + "/")
    wait_ready(page)
    page.wait_for_load_state("networkidle")
    ready_ms = page.evaluate("WS.state.readyAt")
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    print(f"\n示例数据首屏：{len(sizes)} 个请求，{total:,} 字节；可交互 {ready_ms:.0f} ms")
    assert total < BUDGET_BYTES

    shown = Counter()
    for unit in page.locator(".ws-unit").all():
        code = unit.get_attribute("data-unit")
        for line in unit.locator(".ws-line").all():
            status = line.get_attribute("data-status")
            if status != "pass":
                shown[(code, line.get_attribute("data-line"), status)] += 1
    expected = Counter(
        (unit, line, status) for (unit, line, _), status in EXPECTED_FINDINGS.items()
    )
    assert shown == expected
    failing = page.locator('.ws-line[data-status="fail"]')
    texts = [failing.nth(i).inner_text() for i in range(failing.count())]
    assert all("不达标" in t for t in texts)
    assert any("浆溪店河出境" in t and "Ⅳ" in t for t in texts)
    screenshot(page, "demo-desktop-1366x768")
    context.close()

    tablet = new_context(browser, demo_server, width=768, height=1024, has_touch=True)
    page = tablet.new_page()
    page.goto(demo_server.base_url + "/")
    wait_ready(page)
    screenshot(page, "demo-tablet-768x1024")
    tablet.close()


def test_bloom_risk_reservoir_popup_shows_its_trophic_state(
    browser, demo_server, demo_engine
) -> None:
    from sqlalchemy import text

    with demo_engine.connect() as conn:
        code, lon, lat = conn.execute(
            text("SELECT code, ST_X(geom), ST_Y(geom) FROM reservoirs WHERE name = '白云湖库区'")
        ).one()
    context = new_context(browser, demo_server)
    page = context.new_page()
    page.goto(demo_server.base_url + "/")
    wait_ready(page)
    set_view(page, lat, lon, 15)  # at district scale the reservoir markers overlap
    page.click(f'.ws-dot[data-layer="reservoirs"][data-code="{code}"]')
    # The 2025 TLI(Σ) of 白云湖库心 is 42.33, 中营养 (data/shapefiles/README.md).
    page.wait_for_function(
        "document.querySelector('.ws-trophic') && "
        "document.querySelector('.ws-trophic').innerText.includes('TLI')"
    )
    text_ = page.inner_text(".ws-trophic")
    assert "中营养" in text_ and "42.3" in text_
    context.close()
