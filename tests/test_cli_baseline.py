"""`watershed baseline list | show | validate` and `watershed check --list` as people run them:
every list of data/baselines/ with its state, a list's lines as the list words them, a file
validated (exit 1 naming each problem once), and checked against the loaded data."""

import importlib
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from api.cli.common import console, err_console
from layers.settings import REPO_ROOT

baseline_module = importlib.import_module("api.cli.baseline")
check_module = importlib.import_module("api.cli.check")
LISTS = REPO_ROOT / "tests" / "data" / "lists"
ZENGDU = REPO_ROOT / "data" / "baselines" / "zengdu.yaml"


@pytest.fixture
def wide(monkeypatch) -> None:
    monkeypatch.setattr(console, "width", 400)
    monkeypatch.setattr(err_console, "width", 400)


@pytest.fixture
def lists_dir(tmp_path: Path, settings, monkeypatch, wide):
    """A data dir holding the shipped list, a test list and a broken one; its settings in
    force for the commands."""
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    shutil.copy(ZENGDU, baselines / "zengdu.yaml")
    shutil.copy(LISTS / "pooled_wanha.yaml", baselines / "pooled.yaml")
    (baselines / "broken.yaml").write_text("name: 坏清单\ndistrict: {code: X}\n", encoding="utf-8")
    own = settings.model_copy(update={"data_dir": tmp_path})
    monkeypatch.setattr(baseline_module, "get_settings", lambda: own)
    return baselines


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_list_names_every_list_and_its_state(lists_dir) -> None:
    result = invoke("baseline", "list")
    assert result.exit_code == 0, result.output
    rows = {r.split("│")[1].strip(): r for r in result.output.splitlines() if r.count("│") > 5}
    assert "曾都区（421303）" in rows["zengdu（在用）"] and "有效" in rows["zengdu（在用）"]
    assert "测试甲区（T001）" in rows["pooled"] and "│ 2 " in rows["pooled"]
    assert "无效" in rows["broken"]


def test_show_words_each_line_as_the_list_does(lists_dir) -> None:
    result = invoke("baseline", "show", "pooled")
    assert result.exit_code == 0, result.output
    assert "耕地保有量" in result.output and "≥ 0.04 万公顷" in result.output
    assert "≥ 1.2 km²" in result.output and "≤ 0 个" in result.output
    shown = invoke("baseline", "show")  # the list in force
    assert "耕地保护红线（不少于）" in shown.output and "≥ 60.77 万亩" in shown.output
    missing = invoke("baseline", "show", "nosuch")
    assert missing.exit_code == 1 and "找不到底线清单文件" in missing.output


def test_validate_a_good_file(wide) -> None:
    result = invoke("baseline", "validate", str(LISTS / "levels_sources_rivermean.yaml"))
    assert result.exit_code == 0, result.output
    assert (
        "有效：测试清单三（国省控达标率、水源地、河流均值）（2 个片区，4 条底线）" in result.output
    )


def test_validate_names_each_problem_once_and_exits_1(tmp_path: Path, wide) -> None:
    raw = yaml.safe_load((LISTS / "pooled_wanha.yaml").read_text(encoding="utf-8"))
    raw["units"][0]["lines"][0]["unit"] = "平方英里"
    raw["district"]["lines"].append({"type": "water_colour", "target": 1})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = invoke("baseline", "validate", str(path))
    assert result.exit_code == 1
    out = result.output
    assert "无效" in out
    assert "片区 1（东片） 第1条底线（area_at_least） 字段 unit：取值 '平方英里' 不可用" in out
    assert "全区（测试甲区） 第5条底线（water_colour）：未知的底线类型 'water_colour'" in out
    assert out.count("平方英里") == 1 and "Tuple should have at least 1 item" not in out


def test_validate_with_data_checks_the_fit(demo_settings, monkeypatch, wide) -> None:
    monkeypatch.setattr(baseline_module, "get_settings", lambda: demo_settings)
    fits = invoke("baseline", "validate", "--data", str(ZENGDU))
    assert fits.exit_code == 0, fits.output
    assert "按名称匹配" in fits.output  # the shipped list names its sections by name only
    other = invoke("baseline", "validate", "--data", str(LISTS / "pooled_wanha.yaml"))
    assert other.exit_code == 1
    assert "全区编码 T001（测试甲区）不在已导入的区界中（已导入：421303）" in other.output


def test_check_takes_the_list_by_name(demo_settings, tmp_path: Path, monkeypatch, wide) -> None:
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    shutil.copy(ZENGDU, baselines / "zengdu.yaml")
    shutil.copy(LISTS / "pooled_wanha.yaml", baselines / "pooled.yaml")
    own = demo_settings.model_copy(update={"data_dir": tmp_path})
    monkeypatch.setattr(check_module, "get_settings", lambda: own)
    result = invoke("check", "--list", "zengdu", "--period", "2025", "--unit", "㵐水片区")
    assert result.exit_code == 0, result.output
    assert "曾都区流域治理单元底线管控清单 核查结果" in result.output
    refused = invoke("check", "--list", "pooled", "--period", "2025")
    assert refused.exit_code == 1 and "与已导入的数据不符" in refused.output
    bad_name = invoke("check", "--list", "../zengdu")
    assert bad_name.exit_code == 1 and "清单名称 '../zengdu' 无效" in bad_name.output
