"""The map and the workbook render a list they have never seen (issue 15): ids, labels, a pooled
group, a 劣Ⅴ count and a target by reference, written into a list file of its own for the map
fixture's district; no code names any of these lines.

The fixture's 2024 classes (tests/webmap/fixture_data.py): 涢水大桥 (国控, target Ⅲ) Ⅴ,
洛阳揭家垄村 (国控) Ⅱ, 漂水河大桥 (省控) Ⅲ: 国控+省控 达标率 2 of 3 = 66.67 % < 100 → 不达标;
none of them 劣Ⅴ → 0 ≤ 0 → 达标; 耕地 by reference → measured, 待定（参照指标）.
"""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from api.workbooks import CHECKS_HEADER, STATUS_FILLS
from tests.webmap.conftest import Server, new_context, open_map, screenshot, serve

LIST = {
    "name": "陌生清单（地图测试）",
    "source": "tests",
    "district": {
        "code": "421303",
        "name": "曾都区",
        "lines": [
            {
                "type": "group_rate",
                "id": "新线甲",
                "label": "国省控断面合并达标率（新）",
                "members": {"control_levels": ["国控", "省控"]},
                "metric": "达标率",
                "target": 100,
            },
            {
                "type": "worse_than_v",
                "id": "新线乙",
                "label": "国省控劣Ⅴ类断面（新）",
                "members": {"control_levels": ["国控", "省控"]},
                "target": 0,
            },
            {
                "type": "area_at_least",
                "id": "新线丙",
                "label": "耕地保有量（参照）",
                "layer": "farmland",
                "unit": "公顷",
                "target": {"reference": "省下达指标", "text": "耕地保有量不低于省下达指标"},
            },
        ],
    },
}
EXPECTED = {
    "新线甲": ("国省控断面合并达标率（新）", "fail", "不达标"),
    "新线乙": ("国省控劣Ⅴ类断面（新）", "pass", "达标"),
    "新线丙": ("耕地保有量（参照）", "pending", "待定（参照指标）"),
}


@pytest.fixture(scope="module")
def strange_server(map_database, tmp_path_factory) -> Iterator[Server]:
    """The app with only the list above, in force."""
    engine, settings = map_database
    data_dir = tmp_path_factory.mktemp("strange-lists")
    (data_dir / "baselines").mkdir()
    text = yaml.safe_dump(LIST, allow_unicode=True, sort_keys=False)
    Path(data_dir / "baselines" / "strange.yaml").write_text(text, encoding="utf-8")
    own = settings.model_copy(update={"data_dir": data_dir, "baseline": "strange"})
    with serve(engine, own, token_name="webmap-test-lists") as running:
        yield running


def test_the_panel_and_the_workbook_render_an_unseen_list(browser, strange_server) -> None:
    context = new_context(browser, strange_server)
    try:
        page = open_map(context, strange_server)
        assert "陌生清单（地图测试）" in page.inner_text("#ws-checks-title")
        unit = page.locator('.ws-unit[data-unit="421303"]')
        assert unit.locator(".ws-line").count() == len(EXPECTED)
        for key, (label, status, status_label) in EXPECTED.items():
            line = unit.locator(f'.ws-line[data-line="{key}"]')
            assert line.get_attribute("data-status") == status, key
            text = line.inner_text()
            assert label in text and status_label in text, text
        pooled = unit.locator('.ws-line[data-line="新线甲"]').inner_text()
        assert "实测 66.67% / 目标 ≥ 100%" in pooled, pooled  # the target as the list states it
        pending = unit.locator('.ws-line[data-line="新线丙"]').inner_text()
        assert "公顷" in pending and "参照指标：耕地保有量不低于省下达指标" in pending, pending
        # Every status of the panel's counts is one the page knows how to colour.
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('[data-line=\"新线丙\"] .ws-status-icon'))"
            ".backgroundColor"
        )
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        screenshot(page, "checks-unseen-list")

        response = context.request.get(strange_server.base_url + "/api/checks.xlsx")
        assert response.ok, response.text()
        sheet = load_workbook(io.BytesIO(response.body()))["底线核查"]
        rows = list(sheet.iter_rows())
        values = [tuple(c.value for c in row) for row in rows]
        assert values[0][0] == "陌生清单（地图测试）"
        header = values.index(CHECKS_HEADER)
        body = rows[header + 1 :]
        col = {name: i for i, name in enumerate(CHECKS_HEADER)}
        shown = {
            row[col["底线"]].value: (row[col["结论"]].value, row[col["结论"]].fill) for row in body
        }
        area = next(row for row in body if row[col["底线"]].value == "耕地保有量（参照）")
        assert area[col["单位"]].value == "公顷"
        assert area[col["实测"]].value == pytest.approx(0.27)  # Σ TBDLMJ 900 + 1800 m²
        assert area[col["实测"]].number_format == "#,##0.00"  # rounded as people are shown
        assert {label: s for label, (s, _) in shown.items()} == {
            label: status_label for label, _, status_label in EXPECTED.values()
        }
        fill = shown["耕地保有量（参照）"][1].start_color.rgb
        assert fill.endswith(STATUS_FILLS["pending"])
    finally:
        context.close()
