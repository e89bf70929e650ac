"""GB 3838-2002 classes and the 2011 evaluation rules (gis.water_quality).

Expected classes are written out by hand from GB 3838-2002 Table 1, not read from the module.
"""

import datetime as dt
import math

import pytest

from gis.errors import InvalidInputError
from gis.lab_values import Reading, parse_lab_value, period_mean
from gis.section_groups import good_rate, group_state
from gis.water_quality import (
    ALIASES,
    EVALUATED_KEYS,
    GRADE_COLOURS,
    GRADE_LABELS,
    INDICATOR_KEYS,
    INDICATORS,
    STATE_BY_GRADE,
    assess,
    assess_period,
    exceedance_multiple,
    grade_from_label,
    indicator_grade,
    indicator_key,
)

# (value, expected class) for each indicator: every limit, and just worse than it.
# Equal limits skip classes: COD Ⅰ = Ⅱ = 15, so 15.01 is already Ⅲ.
BOUNDARIES = {
    "ph": [(0, 6), (5.99, 6), (6, 1), (7, 1), (9, 1), (9.01, 6), (14, 6)],
    "do": [(7.5, 1), (7.49, 2), (6, 2), (5.99, 3), (5, 3), (4.99, 4), (3, 4), (2.99, 5), (2, 5),
           (1.99, 6), (0, 6)],
    "codmn": [(0, 1), (2, 1), (2.01, 2), (4, 2), (4.01, 3), (6, 3), (6.01, 4), (10, 4), (10.01, 5),
              (15, 5), (15.01, 6)],
    "cod": [(14, 1), (15, 1), (15.01, 3), (20, 3), (20.01, 4), (30, 4), (30.01, 5), (40, 5),
            (40.01, 6)],
    "bod5": [(3, 1), (3.01, 3), (4, 3), (4.01, 4), (6, 4), (6.01, 5), (10, 5), (10.01, 6)],
    "nh3n": [(0.15, 1), (0.151, 2), (0.5, 2), (0.501, 3), (1.0, 3), (1.001, 4), (1.5, 4),
             (1.501, 5), (2.0, 5), (2.001, 6)],
    "tn": [(0.2, 1), (0.201, 2), (0.5, 2), (0.501, 3), (1.0, 3), (1.001, 4), (1.5, 4), (1.501, 5),
           (2.0, 5), (2.001, 6)],
    "cu": [(0.01, 1), (0.011, 2), (1.0, 2), (1.001, 6)],
    "zn": [(0.05, 1), (0.051, 2), (1.0, 2), (1.001, 4), (2.0, 4), (2.001, 6)],
    "fluoride": [(1.0, 1), (1.001, 4), (1.5, 4), (1.501, 6)],
    "se": [(0.01, 1), (0.011, 4), (0.02, 4), (0.021, 6)],
    "as": [(0.05, 1), (0.051, 4), (0.1, 4), (0.101, 6)],
    "hg": [(0.00005, 1), (0.000051, 3), (0.0001, 3), (0.000101, 4), (0.001, 4), (0.00101, 6)],
    "cd": [(0.001, 1), (0.0011, 2), (0.005, 2), (0.0051, 5), (0.01, 5), (0.0101, 6)],
    "cr6": [(0.01, 1), (0.011, 2), (0.05, 2), (0.051, 5), (0.1, 5), (0.101, 6)],
    "pb": [(0.01, 1), (0.011, 3), (0.05, 3), (0.051, 5), (0.1, 5), (0.101, 6)],
    "cn": [(0.005, 1), (0.0051, 2), (0.05, 2), (0.051, 3), (0.2, 3), (0.201, 6)],
    "volatile_phenol": [(0.002, 1), (0.0021, 3), (0.005, 3), (0.0051, 4), (0.01, 4), (0.011, 5),
                        (0.1, 5), (0.101, 6)],
    "petroleum": [(0.05, 1), (0.051, 4), (0.5, 4), (0.501, 5), (1.0, 5), (1.001, 6)],
    "las": [(0.2, 1), (0.201, 4), (0.3, 4), (0.301, 6)],
    "sulfide": [(0.05, 1), (0.051, 2), (0.1, 2), (0.101, 3), (0.2, 3), (0.201, 4), (0.5, 4),
                (0.501, 5), (1.0, 5), (1.001, 6)],
    "fecal_coliform": [(200, 1), (201, 2), (2000, 2), (2001, 3), (10000, 3), (10001, 4),
                       (20000, 4), (20001, 5), (40000, 5), (40001, 6)],
}  # fmt: skip
TP_RIVER = [(0.02, 1), (0.021, 2), (0.1, 2), (0.101, 3), (0.2, 3), (0.201, 4), (0.3, 4),
            (0.301, 5), (0.4, 5), (0.401, 6)]  # fmt: skip
TP_LAKE = [(0.01, 1), (0.011, 2), (0.025, 2), (0.026, 3), (0.05, 3), (0.051, 4), (0.1, 4),
           (0.101, 5), (0.2, 5), (0.201, 6)]  # fmt: skip

SAME_IN_BOTH = [
    (key, value, grade, waterbody)
    for key, cases in BOUNDARIES.items()
    for value, grade in cases
    for waterbody in ("river", "lake")
]
TP_CASES = [("river", v, g) for v, g in TP_RIVER] + [("lake", v, g) for v, g in TP_LAKE]


@pytest.mark.parametrize(("key", "value", "grade", "waterbody"), SAME_IN_BOTH)
def test_class_boundaries(key, value, grade, waterbody):
    assert indicator_grade(key, value, waterbody) == grade


@pytest.mark.parametrize(("waterbody", "value", "grade"), TP_CASES)
def test_total_phosphorus_differs_for_lakes(waterbody, value, grade):
    assert indicator_grade("tp", value, waterbody) == grade


def test_every_indicator_with_a_limit_is_covered():
    table_2 = {"sulfate", "chloride", "nitrate", "fe", "mn"}
    assert set(BOUNDARIES) | {"tp", "temp", "chla", "sd"} | table_2 == set(INDICATOR_KEYS)
    # 23 rows of Table 1 (TP once) + water temperature + chlorophyll a and transparency (TLI)
    # + the five Table 2 drinking-source items.
    assert len(INDICATOR_KEYS) == 31


def test_evaluated_set_is_the_21_items_without_temp_tn_coliform():
    assert len(EVALUATED_KEYS) == 21
    assert not {"temp", "tn", "fecal_coliform"} & set(EVALUATED_KEYS)


def test_temperature_has_no_class():
    assert indicator_grade("temp", 18.5) is None


def test_trophic_parameters_are_recorded_without_class():
    assert indicator_grade("chla", 25.0, "lake") is None
    assert indicator_grade("sd", 0.8, "lake") is None
    assert indicator_key("叶绿素a") == "chla" and indicator_key("透明度") == "sd"
    with_trophic = assess({"do": 8.0, "tp": 0.02, "chla": 30.0, "sd": 0.5}, "lake")
    assert with_trophic.grade == assess({"do": 8.0, "tp": 0.02}, "lake").grade == 2
    assert indicator_grade("水温", -0.5) is None  # ice-cold water is a real reading


@pytest.mark.parametrize("value", [-0.01, math.nan, math.inf, "1.0", None, True])
def test_bad_values_are_refused(value):
    with pytest.raises(InvalidInputError):
        indicator_grade("nh3n", value)


def test_unknown_waterbody_is_refused():
    with pytest.raises(InvalidInputError, match="水体"):
        indicator_grade("tp", 0.1, "sea")
    with pytest.raises(InvalidInputError):
        assess({"do": 8}, waterbody="reservoir")


def test_indicator_table_metadata():
    assert INDICATORS["do"].name == "溶解氧"
    assert INDICATORS["fecal_coliform"].unit == "个/L"
    assert INDICATORS["ph"].unit == "无量纲"
    assert INDICATORS["temp"].unit == "℃"


@pytest.mark.parametrize(
    ("alias", "key"),
    [
        ("溶解氧", "do"),
        ("DO", "do"),
        ("高锰酸盐指数", "codmn"),
        ("CODMn", "codmn"),
        ("化学需氧量", "cod"),
        ("COD", "cod"),
        ("氨氮", "nh3n"),
        ("NH3-N", "nh3n"),
        ("NH₃-N", "nh3n"),
        ("总磷", "tp"),
        ("TP", "tp"),
        ("总氮", "tn"),
        ("TN", "tn"),
        ("pH", "ph"),
        ("PH值", "ph"),
        ("水温", "temp"),
        ("五日生化需氧量", "bod5"),
        ("BOD5", "bod5"),
        ("粪大肠菌群", "fecal_coliform"),
        ("阴离子表面活性剂", "las"),
        ("挥发酚", "volatile_phenol"),
        ("石油类", "petroleum"),
        ("六价铬", "cr6"),
        ("氰化物", "cn"),
        ("硫化物", "sulfide"),
        ("氟化物", "fluoride"),
        ("  nh3n ", "nh3n"),
        ("Fecal_Coliform", "fecal_coliform"),
        ("氨氮（mg/L）", "nh3n"),
        ("粪大肠菌群(个/L)", "fecal_coliform"),
        ("ＣＯＤ", "cod"),
    ],
)
def test_indicator_key_aliases(alias, key):
    assert indicator_key(alias) == key


def test_no_two_aliases_collide():
    # Matching folds case, width and spaces; no folded spelling may point at two keys.
    assert all(indicator_key(alias) == key for alias, key in ALIASES.items())


def test_unknown_indicator_names_it_in_both_languages():
    with pytest.raises(InvalidInputError, match="未知的水质指标") as err:
        indicator_key("浊度")
    assert "unknown water-quality indicator" in str(err.value)
    with pytest.raises(InvalidInputError, match="unknown"):
        assess({"do": 8, "turbidity": 10})


@pytest.mark.parametrize(
    ("label", "grade"),
    [("Ⅰ", 1), ("Ⅱ", 2), ("Ⅲ", 3), ("III", 3), ("iii", 3), ("3", 3), ("Ⅲ类", 3), ("Ⅳ", 4),
     ("IV", 4), ("Ⅴ", 5), ("V", 5), ("劣Ⅴ", 6), ("劣V", 6), ("劣5", 6), ("劣Ⅴ类", 6), (" Ⅱ ", 2),
     (4, 4), ("6", 6)],
)  # fmt: skip
def test_grade_from_label(label, grade):
    assert grade_from_label(label) == grade


@pytest.mark.parametrize("label", ["", "VI", "劣Ⅳ", "0", "7", "Ⅲ+", 0, True])
def test_grade_from_label_refuses_garbage(label):
    with pytest.raises(InvalidInputError):
        grade_from_label(label)


def test_labels_states_colours():
    assert [GRADE_LABELS[g] for g in range(1, 7)] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
    assert [STATE_BY_GRADE[g] for g in range(1, 7)] == [
        "优", "优", "良好", "轻度污染", "中度污染", "重度污染"
    ]  # fmt: skip
    assert GRADE_COLOURS[1] == GRADE_COLOURS[2] == "#1f78b4"
    assert [GRADE_COLOURS[g] for g in (3, 4, 5, 6)] == ["#33a02c", "#ffd92f", "#ff7f00", "#e31a1c"]


def test_excluded_indicators_do_not_change_the_class_but_are_reported():
    result = assess(
        {"ph": 7.5, "do": 8.0, "nh3n": 0.1, "tn": 5.0, "fecal_coliform": 1e6, "temp": 30.0}
    )
    assert result.grade == 1
    assert result.state == "优"
    assert result.indicator_grades == {"ph": 1, "do": 1, "nh3n": 1, "tn": 6, "fecal_coliform": 6}
    assert result.exceedances == {}
    assert result.main_pollutants == ()
    assert result.tn_grade is None  # rivers have no separate 总氮 class
    assert result.values["temp"] == 30.0


def test_full_river_sample_worked_by_hand():
    # By hand from Table 1 (river):
    #   pH 7.2 → Ⅰ; DO 4.2 (≥3, <5) → Ⅳ, no multiple
    #   CODMn 6.6 (≤10) → Ⅳ, (6.6 − 6) / 6 = 0.1
    #   COD 26 (≤30) → Ⅳ, (26 − 20) / 20 = 0.3
    #   BOD5 4.6 (≤6) → Ⅳ, (4.6 − 4) / 4 = 0.15
    #   NH3-N 2.3 (>2.0) → 劣Ⅴ, (2.3 − 1.0) / 1.0 = 1.3
    #   TP 0.35 (≤0.4) → Ⅴ, (0.35 − 0.2) / 0.2 = 0.75
    #   TN 3.0 → 劣Ⅴ and coliform 50000 → 劣Ⅴ, both excluded; temp recorded only.
    # Class = worst evaluated = 劣Ⅴ (NH3-N). Main pollutants: NH3-N (劣Ⅴ), TP (Ⅴ), then the
    # biggest multiple among the Ⅳ ones: COD 0.3 > BOD5 0.15 > CODMn 0.1 > DO (none) → COD.
    sample = {
        "水温": 18.5, "pH": 7.2, "溶解氧": 4.2, "高锰酸盐指数": 6.6, "COD": 26, "BOD5": 4.6,
        "氨氮": 2.3, "总磷": 0.35, "总氮": 3.0, "粪大肠菌群": 50000,
    }  # fmt: skip
    result = assess(sample)
    assert result.grade == 6
    assert result.label == "劣Ⅴ"
    assert result.state == "重度污染"
    assert result.main_pollutants == ("nh3n", "tp", "cod")
    assert result.exceedances == pytest.approx(
        {"codmn": 0.1, "cod": 0.3, "bod5": 0.15, "nh3n": 1.3, "tp": 0.75}, rel=1e-12
    )
    assert result.indicator_grades == {
        "ph": 1, "do": 4, "codmn": 4, "cod": 4, "bod5": 4, "nh3n": 6, "tp": 5, "tn": 6,
        "fecal_coliform": 6,
    }  # fmt: skip
    as_dict = result.to_dict()
    assert as_dict["class_name"] == "劣Ⅴ类"
    assert as_dict["waterbody_name"] == "河流"
    assert [p["name"] for p in as_dict["main_pollutants"]] == ["氨氮", "总磷", "化学需氧量"]
    assert as_dict["indicators"][0] == {
        "key": "temp", "name": "水温", "unit": "℃", "value": 18.5, "grade": None, "label": None,
        "evaluated": False, "exceedance": None,
    }  # fmt: skip


def test_lake_sample_has_separate_total_nitrogen_class():
    # Lake TP 0.06: > 0.05 (Ⅲ), ≤ 0.1 → Ⅳ, multiple (0.06 − 0.05) / 0.05 = 0.2.
    # The same TP in a river is Ⅲ (≤ 0.2). TN 1.2 (≤ 1.5) → Ⅳ, reported apart, not folded in.
    lake = assess({"do": 8, "codmn": 3, "tp": 0.06, "tn": 1.2}, waterbody="lake")
    assert lake.grade == 4
    assert lake.tn_grade == 4
    assert lake.exceedances == pytest.approx({"tp": 0.2})
    assert lake.main_pollutants == ("tp",)
    assert lake.to_dict()["tn_label"] == "Ⅳ"
    river = assess({"do": 8, "codmn": 3, "tp": 0.06, "tn": 1.2})
    assert (river.grade, river.tn_grade, river.main_pollutants) == (2, None, ())
    # Lake TN 2.5 is 劣Ⅴ on its own but the lake stays Ⅱ.
    assert assess({"do": 8, "codmn": 3, "tn": 2.5}, "lake").grade == 2


def test_do_and_ph_rank_after_indicators_with_a_multiple_in_the_same_class():
    # DO 2.5 → Ⅴ and COD 35 → Ⅴ ((35 − 20) / 20 = 0.75); pH 10 → 劣Ⅴ beats both.
    result = assess({"do": 2.5, "cod": 35, "ph": 10})
    assert result.grade == 6
    assert result.main_pollutants == ("ph", "cod", "do")
    assert set(result.exceedances) == {"cod"}


def test_main_pollutants_are_at_most_three():
    result = assess({"cod": 45, "bod5": 12, "nh3n": 2.5, "tp": 0.44, "codmn": 12})
    # All 劣Ⅴ except CODMn (Ⅴ). Multiples: COD (45 − 20) / 20 = 1.25, BOD5 (12 − 4) / 4 = 2.0,
    # NH3-N (2.5 − 1) / 1 = 1.5, TP (0.44 − 0.2) / 0.2 = 1.2.
    assert result.main_pollutants == ("bod5", "nh3n", "cod")


def test_equal_class_and_multiple_keep_table_order():
    # COD (60 − 20) / 20 = 2.0 and NH3-N (3 − 1) / 1 = 2.0, both 劣Ⅴ: COD comes first in Table 1.
    assert assess({"nh3n": 3.0, "cod": 60}).main_pollutants == ("cod", "nh3n")


def test_no_evaluated_indicator_is_an_error():
    with pytest.raises(InvalidInputError, match="没有可评价的指标"):
        assess({"temp": 20, "tn": 1.0, "fecal_coliform": 100})
    with pytest.raises(InvalidInputError, match="没有可评价的指标"):
        assess({})


def test_duplicate_indicator_via_alias_is_an_error():
    with pytest.raises(InvalidInputError, match="twice"):
        assess({"do": 8, "溶解氧": 7})


def test_exceedance_multiple_not_for_ph_do_temp():
    assert exceedance_multiple("ph", 10) is None
    assert exceedance_multiple("do", 1) is None
    assert exceedance_multiple("temp", 40) is None
    assert exceedance_multiple("nh3n", 1.0) is None  # exactly Ⅲ is not an exceedance
    assert exceedance_multiple("nh3n", 1.5) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("0.12", Reading(0.12, False, None)),
        (" 7.5 ", Reading(7.5, False, None)),
        ("３.２", Reading(3.2, False, None)),
        ("１２", Reading(12.0, False, None)),
        ("1e-4", Reading(0.0001, False, None)),
        ("-1.5", Reading(-1.5, False, None)),
        (0.3, Reading(0.3, False, None)),
        ("0.01L", Reading(0.005, True, 0.01)),
        ("0.01l", Reading(0.005, True, 0.01)),
        ("0.01 L", Reading(0.005, True, 0.01)),
        ("０．０１Ｌ", Reading(0.005, True, 0.01)),
        ("<0.01", Reading(0.005, True, 0.01)),
        ("＜0.01", Reading(0.005, True, 0.01)),
        ("< 0.05", Reading(0.025, True, 0.05)),
        ("ND", Reading(None, True, None)),
        ("nd", Reading(None, True, None)),
        ("未检出", Reading(None, True, None)),
    ],
)
def test_parse_lab_value(text, reading):
    assert parse_lab_value(text) == reading


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "  ", "0L", "<0", "L", "1,2", "nan", None])
def test_parse_lab_value_refuses_garbage(text):
    with pytest.raises(InvalidInputError, match="监测值"):
        parse_lab_value(text)


def test_period_mean_counts_below_detection_as_half_the_limit():
    # NH3-N: 0.30, 0.025L (→ 0.0125), 0.20 → (0.30 + 0.0125 + 0.20) / 3 = 0.5125 / 3
    readings = [parse_lab_value(t) for t in ("0.30", "0.025L", "0.20")]
    assert period_mean(readings) == pytest.approx(0.5125 / 3)
    # "ND" with the limit supplied by the caller: (0.02 / 2 + 0.04) / 2 = 0.025
    assert period_mean([(None, True, 0.02), (0.04, False, None)]) == pytest.approx(0.025)
    # The limit wins over any value carried by a below-detection reading.
    assert period_mean([(0.5, True, 0.01)]) == pytest.approx(0.005)


@pytest.mark.parametrize(
    "readings", [[], [(None, True, None)], [(None, False, None)], [(math.nan, False, None)]]
)
def test_period_mean_refuses_unusable_readings(readings):
    with pytest.raises(InvalidInputError):
        period_mean(readings)


def test_assess_period_means_then_classifies():
    # NH3-N monthly: 1.2, 0.9, 1.8 → mean 3.9 / 3 = 1.3 → Ⅳ (≤ 1.5), multiple 0.3.
    # TP: 0.05L (→ 0.025), 0.175 → mean 0.2 / 2 = 0.1 → Ⅱ (river).
    # DO: 6.5, 7.5 → 7.0 → Ⅱ.
    # One sample a month, so the mean of monthly means is the plain mean.
    days = [dt.date(2025, month, 10) for month in range(1, 8)]
    samples = [
        (day, *reading)
        for day, reading in zip(
            days,
            [
                ("氨氮", 1.2, False, None), ("氨氮", 0.9, False, None), ("NH3-N", 1.8, False, None),
                ("tp", *parse_lab_value("0.05L")), ("总磷", 0.175, False, None),
                ("do", 6.5, False, None), ("溶解氧", 7.5, False, None),
            ],
            strict=True,
        )
    ]  # fmt: skip
    result = assess_period(samples)
    assert result.values == pytest.approx({"do": 7.0, "nh3n": 1.3, "tp": 0.1})
    assert result.indicator_grades == {"do": 2, "nh3n": 4, "tp": 2}
    assert result.grade == 4
    assert result.exceedances == pytest.approx({"nh3n": 0.3})
    # The same means in a lake: TP 0.1 is Ⅳ there, multiple (0.1 − 0.05) / 0.05 = 1.0.
    lake = assess_period(samples, waterbody="lake")
    assert lake.main_pollutants == ("tp", "nh3n")


def test_good_rate():
    assert good_rate([1, 2, 3, 4]) == 0.75
    assert good_rate([3, 3]) == 1.0
    assert good_rate([6]) == 0.0
    assert good_rate([]) is None
    with pytest.raises(InvalidInputError):
        good_rate([1, 7])


def _group(good: int, iv: int = 0, worse: int = 0) -> list[int]:
    """A group with ``good`` Ⅲ sections, ``iv`` Ⅳ ones and ``worse`` 劣Ⅴ ones."""
    return [3] * good + [4] * iv + [6] * worse


@pytest.mark.parametrize(
    ("grades", "state"),
    [
        (_group(4), None),  # fewer than five sections
        (_group(5), "优"),
        (_group(9, iv=1), "优"),  # exactly 90%
        (_group(17, iv=2), "良好"),  # 17/19 ≈ 89.5%
        (_group(15, iv=5), "良好"),  # exactly 75%
        (_group(16, worse=4), "良好"),  # 80%: the 20% 劣Ⅴ does not matter
        (_group(14, iv=6), "轻度污染"),  # 70%, no 劣Ⅴ
        (_group(14, iv=3, worse=3), "轻度污染"),  # 劣Ⅴ 15%
        (_group(14, iv=2, worse=4), "中度污染"),  # 劣Ⅴ exactly 20%
        (_group(12, worse=7, iv=1), "中度污染"),  # 劣Ⅴ 35%
        (_group(12, worse=8), "重度污染"),  # 劣Ⅴ exactly 40%
        (_group(0, worse=5), "重度污染"),
    ],
)
def test_group_state_boundaries(grades, state):
    assert group_state(grades) == state
