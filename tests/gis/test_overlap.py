"""The red-line verdict is a pure rule (gis/overlap.py): layer entries and each layer's rule in,
冲突 / 需审查 / 不涉及 / 无法判定 out, with no database and no registry."""

import pytest

from gis.area import m2_to_mu
from gis.crs import parse_crs
from gis.errors import CrsError
from gis.overlap import OverlapRule, finding, shares, verdict

PROJECT_M2 = 20_000.0
RULES = {
    "red": OverlapRule("prohibited", "红线内禁止建设。"),
    "land": OverlapRule("restricted", "占用须补偿。", "features"),
    "town": OverlapRule("informational", "仅供参考。"),
}
NAMES = {"red": "某红线", "land": "某耕地", "town": "某边界"}


def entry(key: str, area_m2: float, covered_m2: float = PROJECT_M2) -> dict:
    coverage = {"basis": RULES[key].coverage, "loaded": True, **shares(covered_m2, PROJECT_M2)}
    return {
        "layer": key,
        "name": NAMES[key],
        "area_m2": area_m2,
        "area_mu": m2_to_mu(area_m2),
        "net_area_mu": None,
        "share": area_m2 / PROJECT_M2,
        "coverage": coverage,
        "finding": finding(area_m2, coverage),
    }


def district(covered_m2: float = PROJECT_M2) -> dict:
    return {"district_loaded": True, **shares(covered_m2, PROJECT_M2), "outside_geometry": None}


def test_prohibited_overlap_is_a_conflict_with_the_rules_advice():
    layers = [entry("red", 500.0), entry("land", 0.0), entry("town", 0.0)]
    result = verdict(layers, district(), RULES)
    assert (result["status"], result["label"]) == ("conflict", "冲突")
    (reason,) = result["reasons"]
    # 500 m² = 0.75 亩 (1 亩 = 2000/3 m²), 2.50 % of 20 000 m².
    assert reason["text"] == "涉及某红线 0.75 亩（500.0 m²，占项目 2.50%）。红线内禁止建设。"


def test_restricted_overlap_needs_review_and_informational_never_weighs():
    assert verdict([entry("land", 100.0), entry("town", 0.0)], district(), RULES)["status"] == (
        "review"
    )
    touched_town = verdict([entry("land", 0.0), entry("town", 9_000.0)], district(), RULES)
    assert touched_town["status"] == "clear"
    # The layers named as not touched are those that weigh: not the informational one.
    assert touched_town["summary"] == "项目未压占某耕地。"


def test_uncovered_part_is_undetermined_never_clear():
    # Parcels cover 19 000 of 20 000 m²: nothing touched where there are data, 5 % unknown.
    result = verdict([entry("land", 0.0, 19_000.0)], district(), RULES)
    assert result["status"] == "undetermined"
    assert "5.00%" in result["summary"]


def test_project_wholly_outside_the_district_is_undetermined():
    result = verdict([entry("red", 0.0, 0.0)], district(0.0), RULES)
    assert result["status"] == "undetermined"
    assert result["summary"].startswith("项目全部位于行政区界（数据范围）之外")


def test_a_layer_without_a_rule_is_refused_not_ignored():
    with pytest.raises(KeyError):
        verdict([entry("red", 10.0) | {"layer": "unknown"}], district(), RULES)


def test_old_names_still_answer_from_layers():
    from layers import overlap, project_geometry

    assert overlap._shares is shares and overlap._finding is finding
    assert project_geometry.parse_crs is parse_crs


@pytest.mark.parametrize(
    ("text", "epsg"),
    [
        ("4526", 4526),
        (4490, 4490),
        ("EPSG:4547", 4547),
        ("urn:ogc:def:crs:EPSG::4490", 4490),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
    ],
)
def test_parse_crs(text, epsg):
    assert parse_crs(text) == epsg


@pytest.mark.parametrize("text", ["EPSG:99999", "4978", "web mercator"])
def test_parse_crs_refuses(text):
    with pytest.raises(CrsError):
        parse_crs(text)
