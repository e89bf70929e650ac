"""The annex-3 list loads with the exact figures; inconsistent or malformed lists are refused."""

import copy
from pathlib import Path

import pytest
import yaml

from gis.baseline import load_baseline, parse_baseline
from gis.errors import BaselineError
from layers.settings import REPO_ROOT

ZENGDU = REPO_ROOT / "data" / "baselines" / "zengdu.yaml"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(ZENGDU.read_text(encoding="utf-8"))


def test_annex3_figures_exactly() -> None:
    b = load_baseline(ZENGDU)
    district, (yun, li) = b.district, b.units
    assert (district.code, district.name) == ("421303", "曾都区")
    assert (yun.name, li.name) == ("涢水片区", "㵐水片区")
    rows = {
        "reservoirs_medium": (3, 2, 1),
        "reservoirs_small": (91, 66, 25),
        "farmland_wanmu": (60.77, 31.26, 29.51),
        "basic_farmland_wanmu": (46.63, 24.76, 21.87),
        "eco_redline_wanmu": (15.11, 13.72, 1.39),
    }
    for line, figures in rows.items():
        assert tuple(getattr(a.lines, line) for a in (district, yun, li)) == figures, line
    assert district.lines.drinking_water_good_rate == 100
    assert b.good_rate_targets == {"国控": 100, "省控": 100, "市控": 90}

    def sections(area):
        return {(s.name, s.control_level) for s in area.lines.sections}

    assert sections(yun) == {("涢水大桥", "国控"), ("洛阳揭家垄村", "国控"), ("浪河出境", "市控")}
    assert sections(li) == {
        ("漂水河大桥", "省控"),
        ("漂水河出境", "市控"),
        ("浆溪店河出境", "市控"),
    }
    assert sections(district) == sections(yun) | sections(li)
    assert {d.line for d in b.discrepancies} == {
        "basic_farmland_wanmu",
        "sections",
        "eco_redline_wanmu",
    }


def test_parts_not_summing_name_the_line(raw: dict) -> None:
    raw["units"][1]["lines"]["farmland_wanmu"] = 29.0
    with pytest.raises(BaselineError) as err:
        parse_baseline(raw)
    message = str(err.value)
    assert "farmland_wanmu" in message and "29.0" in message and "60.77" in message


def test_every_problem_is_reported_at_once(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    bad["units"][0]["lines"]["reservoirs_small"] = 65
    bad["units"][0]["lines"]["sections"].append({"name": "涢水大桥", "control_level": "国控"})
    bad["units"][1]["lines"]["sections"][0]["control_level"] = "乡控"
    with pytest.raises(BaselineError) as err:
        parse_baseline(bad)
    message = str(err.value)
    assert "reservoirs_small" in message
    assert "'涢水大桥' 重复列出" in message
    assert "'乡控' 未知" in message


def test_malformed_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("district: [unclosed\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="不是合法的 YAML"):
        load_baseline(path)


def test_wrong_shape_names_the_field(raw: dict) -> None:
    raw["units"][0]["lines"]["farmland_wanmu"] = "很多"
    raw["district"]["lines"]["unknown_line"] = 1
    with pytest.raises(BaselineError) as err:
        parse_baseline(raw)
    message = str(err.value)
    assert "units.0.lines.farmland_wanmu" in message
    assert "district.lines.unknown_line" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="找不到"):
        load_baseline(tmp_path / "none.yaml")


def test_an_edited_list_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(ZENGDU.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_baseline(path) is load_baseline(path)  # unchanged: parsed once
    edited = ZENGDU.read_text(encoding="utf-8").replace(
        "name: 曾都区流域治理单元底线管控清单", "name: 修订清单"
    )
    path.write_text(edited, encoding="utf-8")
    assert load_baseline(path).name == "修订清单"
