"""Coverage arithmetic of the overlap report (no database): an empty layer covers nothing, a
wall-to-wall layer covers what its features cover, slivers under 1 m² are edge noise."""

import pytest

from layers.overlap import _coverage, _finding, _shares

PROJECT_M2 = 10_000.0


def _district(covered_m2: float) -> dict:
    return {"district_loaded": True, **_shares(covered_m2, PROJECT_M2), "outside_geometry": None}


def test_an_empty_layer_covers_nothing_even_inside_the_district() -> None:
    coverage = _coverage(
        "water_source_zones", {"loaded": False, "covered_m2": None}, _district(PROJECT_M2)
    )
    assert (coverage["basis"], coverage["loaded"], coverage["extent"]) == (
        "district",
        False,
        "none",
    )
    assert coverage["uncovered_m2"] == PROJECT_M2
    assert _finding(0.0, coverage)["label"] == "无法判定（超出数据范围）：图层未导入"


def test_declared_layers_take_the_district_and_parcels_their_own_cover() -> None:
    district = _district(6_000.0)
    red = _coverage("eco_redline", {"loaded": True, "covered_m2": None}, district)
    assert red["covered_share"] == pytest.approx(0.6) and red["extent"] == "partial"
    farmland = _coverage("farmland", {"loaded": True, "covered_m2": 2_500.0}, district)
    assert farmland["basis"] == "features"
    assert farmland["covered_share"] == pytest.approx(0.25)
    assert _finding(0.0, farmland) == {
        "status": "partial",
        "label": "数据范围内不涉及；其余 75.00% 无法判定（超出数据范围）",
    }


def test_an_uncovered_sliver_under_one_square_metre_is_edge_noise() -> None:
    assert _shares(PROJECT_M2 - 0.5, PROJECT_M2)["extent"] == "full"
    assert _shares(PROJECT_M2 - 2.0, PROJECT_M2)["extent"] == "partial"
    assert _shares(0.5, PROJECT_M2)["extent"] == "none"
