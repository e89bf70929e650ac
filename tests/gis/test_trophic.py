"""TLI(Σ) trophic state index (gis.trophic), checked against hand arithmetic."""

import math

import pytest

from gis.errors import InvalidInputError
from gis.trophic import partial_index, trophic_grade, trophic_state

# Hand-computed partials for chla = 10 mg/m³, TP = 0.05, TN = 1.0, CODMn = 4 mg/L, SD = 1.0 m:
#   TLI(chla)  = 10 (2.5 + 1.086 ln 10)     = 10 (2.5 + 1.086 × 2.302585)    ≈ 50.0061
#   TLI(TP)    = 10 (9.436 + 1.624 ln 0.05) = 10 (9.436 + 1.624 × −2.995732) ≈ 45.7093
#   TLI(TN)    = 10 (5.453 + 1.694 ln 1)    = 54.53
#   TLI(SD)    = 10 (5.118 − 1.94 ln 1)     = 51.18
#   TLI(CODMn) = 10 (0.109 + 2.661 ln 4)    = 10 (0.109 + 2.661 × 1.386294)  ≈ 37.9793
HAND = {
    "chla": 10 * (2.5 + 1.086 * math.log(10)),
    "tp": 10 * (9.436 + 1.624 * math.log(0.05)),
    "tn": 54.53,
    "sd": 51.18,
    "codmn": 10 * (0.109 + 2.661 * math.log(4)),
}
WEIGHTS = {"chla": 0.2663, "tp": 0.1879, "tn": 0.1790, "sd": 0.1834, "codmn": 0.1834}
SAMPLE = {"chla": 10, "tp": 0.05, "tn": 1.0, "sd": 1.0, "codmn": 4}


def test_partials_by_hand():
    state = trophic_state(SAMPLE)
    assert state.partials == pytest.approx(HAND)
    assert state.partials == pytest.approx(
        {"chla": 50.0061, "tp": 45.7093, "tn": 54.53, "sd": 51.18, "codmn": 37.9793}, abs=1e-4
    )


def test_full_index_by_hand():
    # Σ W·TLI = 0.2663 × 50.0061 + 0.1879 × 45.7093 + 0.1790 × 54.53 + 0.1834 × 51.18
    #         + 0.1834 × 37.9793 ≈ 13.3166 + 8.5888 + 9.7609 + 9.3864 + 6.9654 ≈ 48.0181
    state = trophic_state(SAMPLE)
    assert state.weights == pytest.approx(WEIGHTS)  # already sum to 1
    assert state.index == pytest.approx(sum(WEIGHTS[k] * HAND[k] for k in HAND))
    assert state.index == pytest.approx(48.0181, abs=1e-4)
    assert state.grade == "中营养"
    assert not state.eutrophic


def test_missing_parameter_renormalises_weights():
    # Without SD the weights are divided by 1 − 0.1834 = 0.8166:
    #   chla 0.2663 / 0.8166 ≈ 0.32611, TP ≈ 0.23010, TN ≈ 0.21920, CODMn ≈ 0.22459
    # Index ≈ 0.32611 × 50.0061 + 0.23010 × 45.7093 + 0.21920 × 54.53 + 0.22459 × 37.9793
    #       ≈ 16.3074 + 10.5178 + 11.9530 + 8.5297 ≈ 47.3079
    values = {k: v for k, v in SAMPLE.items() if k != "sd"}
    state = trophic_state(values)
    expected_weights = {k: WEIGHTS[k] / 0.8166 for k in values}
    assert state.weights == pytest.approx(expected_weights)
    assert math.fsum(state.weights.values()) == pytest.approx(1.0)
    assert state.index == pytest.approx(sum(expected_weights[k] * HAND[k] for k in values))
    assert state.index == pytest.approx(47.3079, abs=1e-4)
    assert set(state.partials) == {"chla", "tp", "tn", "codmn"}


def test_none_means_not_measured():
    assert trophic_state({**SAMPLE, "sd": None}) == trophic_state(
        {k: v for k, v in SAMPLE.items() if k != "sd"}
    )


def test_single_parameter_is_its_own_partial():
    # chla = 1 mg/m³ → 10 (2.5 + 0) = 25 → 贫营养, weight 1.
    state = trophic_state({"chla": 1})
    assert state.index == pytest.approx(25.0)
    assert state.weights == {"chla": 1.0}
    assert state.grade == "贫营养"


def test_eutrophic_example():
    # chla 50: 10 (2.5 + 1.086 ln 50) = 10 (2.5 + 1.086 × 3.912023) ≈ 67.4846 → 中度富营养
    state = trophic_state({"chla": 50})
    assert state.index == pytest.approx(67.4846, abs=1e-4)
    assert state.grade == "中度富营养"
    assert state.eutrophic


@pytest.mark.parametrize(
    ("index", "grade"),
    [
        (-5.0, "贫营养"),
        (29.999, "贫营养"),
        (30.0, "中营养"),
        (50.0, "中营养"),
        (50.001, "轻度富营养"),
        (60.0, "轻度富营养"),
        (60.001, "中度富营养"),
        (70.0, "中度富营养"),
        (70.001, "重度富营养"),
    ],
)
def test_grade_boundaries(index, grade):
    assert trophic_grade(index) == grade


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"chla": None},
        {"chla": 0},
        {"tp": -0.1},
        {"sd": math.nan},
        {"tn": "1.0"},
        {"chla": 10, "secchi": 1.0},
    ],
)
def test_bad_input_is_refused(values):
    with pytest.raises(InvalidInputError):
        trophic_state(values)


def test_partial_index_unknown_key():
    with pytest.raises(InvalidInputError, match="unknown TLI parameter"):
        partial_index("do", 8.0)


def test_to_dict():
    as_dict = trophic_state(SAMPLE).to_dict()
    assert as_dict["grade"] == "中营养"
    assert as_dict["eutrophic"] is False
    assert [p["key"] for p in as_dict["parameters"]] == ["chla", "tp", "tn", "sd", "codmn"]
    assert as_dict["parameters"][0]["name"] == "叶绿素a"
    assert as_dict["parameters"][3]["unit"] == "m"
