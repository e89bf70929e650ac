"""Lists load with their exact figures; malformed or inconsistent lists are refused, each
problem named once by its area, line and field."""

import copy
from pathlib import Path

import pytest
import yaml

from gis.baseline import load_baseline, parse_baseline
from gis.errors import BaselineError
from gis.lines import LINE_TYPES, Reference
from layers.settings import REPO_ROOT

ZENGDU = REPO_ROOT / "data" / "baselines" / "zengdu.yaml"
TEST_LISTS = REPO_ROOT / "tests" / "data" / "lists"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(ZENGDU.read_text(encoding="utf-8"))


def _target(area, type_, **fields):
    return area.find(type_, **fields).target


def _line(raw_area: dict, type_: str, **fields) -> dict:
    """The raw line of ``type_`` with ``fields`` in a parsed-YAML area (not by position: the
    list's order may change)."""
    return next(
        line
        for line in raw_area["lines"]
        if line["type"] == type_ and all(line.get(k) == v for k, v in fields.items())
    )


def _number(raw_area: dict, type_: str, **fields) -> int:
    """The 1-based position of that line, as error messages count them."""
    return raw_area["lines"].index(_line(raw_area, type_, **fields)) + 1


def test_annex3_figures_exactly() -> None:
    b = load_baseline(ZENGDU)
    district, (yun, li) = b.district, b.units
    assert (district.code, district.name) == ("421303", "曾都区")
    assert (yun.name, li.name) == ("涢水片区", "㵐水片区")
    areas = (district, yun, li)
    assert tuple(_target(a, "reservoir_count", scale="中型") for a in areas) == (3, 2, 1)
    assert tuple(_target(a, "reservoir_count", scale="小型") for a in areas) == (91, 66, 25)
    for layer, figures in {
        "farmland": (60.77, 31.26, 29.51),
        "basic_farmland": (46.63, 24.76, 21.87),
        "eco_redline": (15.11, 13.72, 1.39),
    }.items():
        assert tuple(_target(a, "area_at_least", layer=layer) for a in areas) == figures
        assert {a.find("area_at_least", layer=layer).unit for a in areas} == {"万亩"}
    assert _target(district, "drinking_sources") == 100
    rates = {line.title(): line.target for line in district.lines if line.type == "group_rate"}
    assert rates == {"国控断面优良率": 100, "省控断面优良率": 100, "市控断面优良率": 90}

    def sections(area):
        return {(s.name, s.control_level) for s in area.find("section_class").sections}

    assert sections(yun) == {("涢水大桥", "国控"), ("洛阳揭家垄村", "国控"), ("浪河出境", "市控")}
    assert sections(li) == {
        ("漂水河大桥", "省控"),
        ("漂水河出境", "市控"),
        ("浆溪店河出境", "市控"),
    }
    assert sections(district) == sections(yun) | sections(li)
    assert {d.line for d in b.discrepancies} == {"永久基本农田", "断面", "生态保护红线"}


def test_every_line_type_is_a_module_of_its_own() -> None:
    assert set(LINE_TYPES) >= {
        "reservoir_count",
        "section_class",
        "group_rate",
        "group_mean_class",
        "worse_than_v",
        "drinking_sources",
        "area_at_least",
        "occupation",
        "three_lines",
        "dam_appraisal",
        "trophic_state",
    }


@pytest.mark.parametrize("name", sorted(p.name for p in TEST_LISTS.glob("*.yaml")))
def test_lists_of_other_shapes_load(name: str) -> None:
    assert load_baseline(TEST_LISTS / name).district.code == "T001"


def test_a_district_only_list_with_a_reference_target() -> None:
    b = load_baseline(TEST_LISTS / "district_reference.yaml")
    assert b.units == ()
    line = b.district.find("area_at_least", layer="basic_farmland")
    assert line.target == Reference(
        reference="省下达指标", text="永久基本农田保护面积控制在省下达指标内"
    )
    assert line.by_reference


def test_targets_in_any_unit_of_area_sum_in_that_unit() -> None:
    b = load_baseline(TEST_LISTS / "pooled_wanha.yaml")
    farmland = b.district.find("area_at_least", layer="farmland")
    assert (farmland.unit, farmland.to_unit(4_000_000.0)) == ("万公顷", pytest.approx(0.04))
    raw = yaml.safe_load((TEST_LISTS / "pooled_wanha.yaml").read_text(encoding="utf-8"))
    raw["units"][1]["lines"][0]["target"] = 0.0160
    with pytest.raises(BaselineError, match=r"各片区之和 东片 0.025 \+ 西片 0.016 = 0.041"):
        parse_baseline(raw)


def test_parts_not_summing_name_the_line(raw: dict) -> None:
    _line(raw["units"][1], "area_at_least", layer="farmland")["target"] = 29.0
    with pytest.raises(BaselineError) as err:
        parse_baseline(raw)
    message = str(err.value)
    assert "耕地保护红线（不少于）" in message and "29" in message and "60.77" in message


def test_every_problem_is_reported_at_once(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    _line(bad["units"][0], "reservoir_count", scale="小型")["target"] = 65
    _line(bad["units"][0], "section_class")["sections"].append(
        {"name": "涢水大桥", "control_level": "国控"}
    )
    group = _line(bad["units"][1], "group_rate", label="省控断面优良率")
    group["members"]["control_levels"] = ["乡控"]
    n = _number(bad["units"][1], "group_rate", label="省控断面优良率")
    with pytest.raises(BaselineError) as err:
        parse_baseline(bad)
    message = str(err.value)
    assert f"片区 2（㵐水片区） 第{n}条底线（group_rate） 字段 members.control_levels" in message
    assert "'乡控' 未知" in message
    group["members"]["control_levels"] = ["省控"]
    with pytest.raises(BaselineError) as err:
        parse_baseline(bad)
    message = str(err.value)
    assert "小型水库数量：各片区之和 涢水片区 65 + 㵐水片区 25 = 90，与全区 91 不符" in message
    assert "'涢水大桥' 重复列出" in message


def _unit_farmland(r: dict) -> dict:
    return _line(r["units"][0], "area_at_least", layer="farmland")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["district"]["lines"].append({"type": "water_colour", "target": 1}),
            lambda r: (
                f"全区（曾都区） 第{len(r['district']['lines'])}条底线（water_colour）："
                "未知的底线类型 'water_colour'"
            ),
        ),
        (
            lambda r: _unit_farmland(r).update(unit="平方英里"),
            lambda r: (
                f"片区 1（涢水片区） 第{_number(r['units'][0], 'area_at_least', layer='farmland')}"
                "条底线（area_at_least） 字段 unit：取值 '平方英里' 不可用"
            ),
        ),
        (
            lambda r: _unit_farmland(r).update(target="很多"),
            lambda r: (
                f"片区 1（涢水片区） 第{_number(r['units'][0], 'area_at_least', layer='farmland')}"
                "条底线（area_at_least） 字段 target：取值 '很多' 应为数字"
            ),
        ),
        (
            lambda r: r["district"]["lines"][0].update(colour="blue"),
            lambda r: "全区（曾都区） 第1条底线（reservoir_count） 字段 colour：不认识的字段",
        ),
        (
            lambda r: _line(r["district"], "section_class")["sections"][0].pop("name"),
            lambda r: (
                f"全区（曾都区） 第{_number(r['district'], 'section_class')}条底线"
                "（section_class） 字段 sections[1]：断面须给出 code 或 name"
            ),
        ),
    ],
)
def test_wrong_shape_names_the_line_and_field_once(raw: dict, change, expected) -> None:
    change(raw)
    expected = expected(raw)
    with pytest.raises(BaselineError) as err:
        parse_baseline(raw)
    message = str(err.value)
    assert expected in message
    assert "；" not in message  # one problem, said once
    assert "Tuple should have at least 1 item" not in message


def test_malformed_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("district: [unclosed\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="不是合法的 YAML"):
        load_baseline(path)


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
