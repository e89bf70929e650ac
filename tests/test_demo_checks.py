"""End to end: the committed demonstration dataset, loaded through the loader, evaluated
against annex 3. The evaluation must find exactly the planted problems documented in
data/shapefiles/README.md — no more, no fewer — with their figures. The README's figures are
measured on the shapefiles with pyproj.Geod (etl.demo.report), independently of the SQL."""

import pytest

from gis.area import m2_to_mu
from gis.baseline import load_baseline
from layers.checks import evaluate
from layers.settings import REPO_ROOT
from tests.conftest import demo_figures

YUN, LI, DISTRICT = "421303-01", "421303-02", "421303"
FARMLAND = "area_at_least:farmland"
ON_BASIC, IN_RED = "occupation:basic_farmland", "occupation:eco_redline"
SMALL, MEDIUM = "reservoir_count:小型", "reservoir_count:中型"
SOURCES = "drinking_sources:县级及以上集中式饮用水水源地"


ZENGDU = load_baseline(REPO_ROOT / "data" / "baselines" / "zengdu.yaml")


def group(unit: str, label: str) -> str:
    """The key of the area's group line with this label (a group's key spells out its
    members, so each area's differs)."""
    return ZENGDU.unit(unit).find("group_rate", label=label).key()


GUO, SHI = "国控断面优良率", "市控断面优良率"


# (unit code, line, part) -> status, for every line that is not 达标.
EXPECTED_FINDINGS = {
    (LI, FARMLAND, None): "fail",  # planted 1: 29.30 < 29.51 万亩
    (DISTRICT, FARMLAND, None): "warn",  # consequence: 60.935 is within 0.5% of 60.77
    (LI, ON_BASIC, None): "fail",  # planted 2: 0702 parcel on basic farmland
    (YUN, ON_BASIC, None): "fail",  # planted 2: the logistics park
    (DISTRICT, ON_BASIC, None): "fail",
    (YUN, IN_RED, None): "fail",  # planted 3: the wind farm
    (DISTRICT, IN_RED, None): "fail",
    (YUN, "three_lines", None): "fail",  # planted 4: urban boundary over basic farmland
    (DISTRICT, "three_lines", None): "fail",
    (LI, "section_class", "浆溪店河出境"): "fail",  # planted 5
    (DISTRICT, "section_class", "浆溪店河出境"): "fail",
    (LI, group(LI, SHI), None): "fail",  # planted 5 seen as a group
    (DISTRICT, group(DISTRICT, SHI), None): "fail",
    (LI, "dam_appraisal", None): "fail",  # planted 6
    (DISTRICT, "dam_appraisal", None): "fail",
    # No verdict (README, 数据不足): the 国控 section lacks 2025-01, so 2025 has no class and
    # the 国控 优良率 cannot be 达标 while it has none.
    (YUN, "section_class", "洛阳揭家垄村"): "insufficient",
    (DISTRICT, "section_class", "洛阳揭家垄村"): "insufficient",
    (YUN, group(YUN, GUO), None): "insufficient",
    (DISTRICT, group(DISTRICT, GUO), None): "insufficient",
}


@pytest.fixture(scope="module")
def results(demo_engine, demo_settings):
    baseline = load_baseline(demo_settings.baseline_path)
    found = evaluate(demo_engine, baseline, demo_settings, period="2025")
    keyed = {(r.unit_code, r.line, r.part): r for r in found}
    assert len(keyed) == len(found)  # every result has a key of its own
    return keyed


def test_exactly_the_planted_problems(results) -> None:
    findings = {key: r.status for key, r in results.items() if r.status != "pass"}
    assert findings == EXPECTED_FINDINGS
    assert len(results) == 50  # every line of the list, district and both units


def test_areas_agree_with_pyproj_geod_on_the_files(results) -> None:
    for unit in demo_figures()["units"]:
        for line in ("farmland", "basic_farmland", "eco_redline"):
            measured = results[(unit["code"], f"area_at_least:{line}", None)]
            assert measured.detail["area_m2"] == pytest.approx(unit[line]["m2"], rel=1e-4), line
            assert measured.measured == pytest.approx(unit[line]["wanmu"], abs=5e-5)
    short = results[(LI, FARMLAND, None)]
    assert (short.target, short.measured, short.margin) == (29.51, 29.3, pytest.approx(-0.21))


def test_occupation_and_overlap_figures(results) -> None:
    overlaps = demo_figures()["overlaps"]
    on_basic = results[(YUN, ON_BASIC, None)].detail["area_m2"]
    assert on_basic == pytest.approx(
        sum(o["m2"] for o in overlaps["projects_on_basic_farmland"]), rel=1e-4
    )
    house = results[(LI, ON_BASIC, None)]
    (planted,) = overlaps["construction_on_basic_farmland"]
    assert house.detail["area_m2"] == pytest.approx(planted["m2"], rel=1e-4)
    assert house.measured == pytest.approx(planted["mu"], abs=1e-3)
    (dlbm,) = {o["dlbm"] for o in house.detail["occupations"]}
    assert dlbm == "0702"
    wind = results[(YUN, IN_RED, None)]
    assert wind.detail["area_m2"] == pytest.approx(
        overlaps["projects_in_eco_redline"][0]["m2"], rel=1e-4
    )
    assert {e.name for e in wind.evidence if e.layer == "projects"} == {"曾都区西部山地风电场项目"}
    # The planted house is the only non-耕地 parcel under 永久基本农田: no 非粮化 anywhere.
    for unit in (YUN, LI, DISTRICT):
        assert results[(unit, ON_BASIC, "nonfood")].measured == 0
    three = results[(YUN, "three_lines", None)]

    assert three.measured == pytest.approx(82.8743, abs=1e-3)
    assert m2_to_mu(three.detail["area_m2"]) == pytest.approx(82.8743, abs=1e-3)
    assert results[(DISTRICT, ON_BASIC, None)].measured == pytest.approx(
        62.7027 + 127.5490, abs=2e-3
    )


def test_section_and_reservoir_findings(results) -> None:
    section = results[(LI, "section_class", "浆溪店河出境")]
    assert section.measured == "Ⅳ"
    means = {i["key"]: i["value"] for i in section.detail["assessment"]["indicators"]}
    assert means["nh3n"] == pytest.approx(1.075, abs=5e-4)
    assert means["tp"] == pytest.approx(0.2086, abs=5e-5)
    # Both Ⅳ; 超标倍数 氨氮 (1.075 − 1)/1 = 0.075 > 总磷 (0.2086 − 0.2)/0.2 = 0.043.
    main = [p["key"] for p in section.detail["assessment"]["main_pollutants"]]
    assert main == ["nh3n", "tp"]
    short = results[(YUN, "section_class", "洛阳揭家垄村")]
    (readme,) = [s for s in demo_figures()["sections"] if s["name"] == "洛阳揭家垄村"]
    assert short.detail["month_count"] == readme["annual_rule"]["2025"]["months"] == 11
    assert short.measured is None and short.detail["sample_count"] == readme["samples"]["2025"]
    assert results[(YUN, group(YUN, GUO), None)].detail["lacking"] == ["洛阳揭家垄村"]
    assert results[(LI, group(LI, SHI), None)].measured == 50.0
    assert results[(DISTRICT, group(DISTRICT, SHI), None)].measured == pytest.approx(66.67)
    overdue = results[(LI, "dam_appraisal", None)]
    assert [e.name for e in overdue.evidence] == ["黄家垱水库"]
    assert overdue.detail["overdue"][0]["due"] == "2024-05-16"
    # No other reservoir is 6 years past its last appraisal (预警); results kept, no 三类坝.
    district = results[(DISTRICT, "dam_appraisal", None)]
    assert district.detail["due"] == [] and district.detail["unsafe"] == []
    measured_on_files = demo_figures()["reservoirs"]["results"]  # AQLB counted in the .dbf
    assert district.detail["results"] == {**measured_on_files, "三类坝": 0, "未填": 0}
    assert [e.code for e in overdue.evidence] == ["SK421303070"]
    assert results[(YUN, SMALL, None)].measured == 66
    drinking = results[(DISTRICT, SOURCES, None)]
    assert [e.name for e in drinking.evidence] == ["先觉庙库心"]  # 县级; the others are 乡镇级
    assert {s["name"] for s in drinking.detail["not_counted"]} == {
        "漳河郑家河水库",
        "白果河水库库心",
    }
    assert results[(LI, MEDIUM, None)].measured == 1
