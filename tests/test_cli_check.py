"""`watershed check` as people read it, on the demonstration data: Chinese units, rounded
figures, statuses by their labels, features by the bureau's codes, the as-of of land lines."""

import importlib
import re

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.common import console

check_module = importlib.import_module("api.cli.check")  # api.cli.check is also the function


@pytest.fixture
def output(demo_settings, monkeypatch) -> str:
    monkeypatch.setattr(check_module, "get_settings", lambda: demo_settings)
    monkeypatch.setattr(console, "width", 400)
    result = CliRunner().invoke(app, ["check", "--period", "2025"])
    assert result.exit_code == 0, result.output
    return result.output


def test_table_for_people(output) -> None:
    lines = {}
    for row in output.splitlines():
        cells = [c.strip() for c in row.split("│")]
        if len(cells) > 10:
            lines[(cells[1], cells[2], cells[3])] = cells[1:-1]
    appraisal = lines[("㵐水片区", "水库大坝安全鉴定", "逾期未鉴定水库")]
    assert appraisal[5] == "座" and appraisal[7] == "不达标"
    assert appraisal[8] == "SK421303070"  # the planted overdue reservoir, by its SKBM
    farmland = lines[("㵐水片区", "耕地保护红线（不少于）", "")]  # the list's own label
    assert farmland[5] == "万亩" and re.fullmatch(r"\d+\.\d{4}", farmland[4])
    assert "年度" in farmland[9] and "导入" in farmland[9]  # as-of: survey year, load date
    house = lines[("㵐水片区", "永久基本农田占用", "")]
    assert house[5] == "亩" and re.fullmatch(r"\d+\.\d{2}", house[4])
    assert not re.search(r"\b(count|class)\b|[a-z_]+#\d+", output)
    # Lines and their subjects as the list words them: no line key or layer key for people.
    assert not re.search(r"\b(farmland|eco_redline|area_at_least|occupation)\b", output)
