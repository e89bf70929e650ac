"""Issue 14, water side: periods with quarters, the sample-count rule (评价办法 二(二)), monthly
means first, 达标 against the section's own target beside 优良, group lines with members that
lack data, main-pollutant priority, rounding for people and the TLI's 参数不全 flag. Expected
figures are worked out by hand in the comments."""

import datetime as dt

import pytest

from gis.compliance import parse_period
from gis.errors import InvalidInputError
from gis.lab_values import monthly_period_mean
from gis.sampling import WATER_PERIODS, coverage, evaluate_section, verdict
from gis.section_groups import judge_rate
from gis.trophic import trophic_state
from gis.water_quality import assess, assess_period, published


def test_quarters_and_period_kinds() -> None:
    q2 = parse_period("2025-Q2")
    assert (q2.label, q2.start, q2.end, q2.kind) == (
        "2025-Q2",
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
        "quarter",
    )
    q4 = parse_period("2024q4")
    assert (q4.label, q4.start, q4.end) == ("2024-Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert parse_period("2025").kind == "year" and parse_period("2025-06").kind == "month"
    for bad in ("2025-Q5", "2025-Q0", "2025Q", "2025-Q12"):
        with pytest.raises(InvalidInputError):
            parse_period(bad)


def test_water_periods_cover_every_month_once() -> None:
    assert sorted(WATER_PERIODS) == list(range(1, 13))
    assert {WATER_PERIODS[m] for m in (12, 1, 2)} == {"枯水期"}
    assert {WATER_PERIODS[m] for m in (5, 6, 7, 8, 9)} == {"丰水期"}


def days(*months: int, year: int = 2025) -> list[dt.date]:
    return [dt.date(year, m, 10) for m in months]


@pytest.mark.parametrize(
    ("period", "months", "level", "sufficient"),
    [
        ("2025-06", (6,), "市控", True),  # a month: one sample may be used
        ("2025-06", (), "市控", False),
        ("2025-Q2", (5,), "市控", False),  # a quarter: at least two
        ("2025-Q2", (4, 6), "国控", True),
        ("2025", (1, 4, 7), "市控", True),  # 枯, 平, 丰
        ("2025", (1, 2, 12), "市控", False),  # three samples, all 枯水期
        ("2025", (1, 7), "县控", False),  # two samples
        ("2025", tuple(range(1, 13)), "国控", True),
        ("2025", tuple(range(2, 13)), "国控", False),  # 国控 lacking January
    ],
)
def test_sample_count_rule(period, months, level, sufficient) -> None:
    assert coverage(parse_period(period), days(*months), level).sufficient is sufficient


def test_coverage_says_what_is_missing() -> None:
    national = coverage(parse_period("2025"), days(*range(2, 13)), "国控")
    assert national.sample_count == 11 and len(national.months) == 11
    assert "11 个月" in national.shortfall and "12" in national.rule
    seasons = coverage(parse_period("2025"), days(1, 2, 12), "市控")
    assert seasons.water_periods == ("枯水期",)
    assert "丰水期" in seasons.shortfall and "平水期" in seasons.shortfall
    # Two samples the same day are one sample; samples outside the period do not count.
    same_day = coverage(parse_period("2025-Q1"), [dt.date(2025, 1, 5)] * 2 + days(7), "市控")
    assert (same_day.sample_count, same_day.sufficient) == (1, False)


def test_a_year_judged_on_one_sample_is_insufficient() -> None:
    one = [(dt.date(2026, 1, 8), "nh3n", 0.3, False, None)]
    result = evaluate_section(one, "river", "国控", parse_period("2026"))
    assert (result.outcome, result.assessment, result.coverage.sample_count) == (
        "insufficient",
        None,
        1,
    )
    month = evaluate_section(one, "river", "国控", parse_period("2026-01"))
    assert month.outcome == "assessed" and month.assessment.label == "Ⅱ"


def test_only_water_temperature_is_insufficient_not_an_error() -> None:
    temps = [(d, "temp", 20.0, False, None) for d in days(1, 4, 7)]
    result = evaluate_section(temps, "river", "市控", parse_period("2025"))
    assert result.outcome == "insufficient" and result.assessment is None
    assert result.coverage.sample_count == 0 and "水温" in result.note
    assert evaluate_section([], "river", "市控", parse_period("2025")).outcome == "nodata"


# 漂水河出境 (issue 14): eleven months at TP 0.12 and July sampled five times, 0.31 then four
# follow-ups at 0.45. Monthly means first: July = (0.31 + 4 × 0.45) / 5 = 0.422; the year =
# (11 × 0.12 + 0.422) / 12 = 1.742 / 12 = 0.14517 → Ⅲ (≤ 0.2). The plain mean of the sixteen
# samples would be (1.32 + 0.31 + 1.8) / 16 = 3.43 / 16 = 0.214375 → Ⅳ.
JULY = [dt.date(2025, 7, d) for d in (3, 10, 17, 24, 31)]
PIAOSHUI = [(d, "tp", 0.12, False, None) for d in days(1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)] + [
    (d, "tp", v, False, None) for d, v in zip(JULY, (0.31, 0.45, 0.45, 0.45, 0.45), strict=True)
]


def test_monthly_means_first() -> None:
    mean = monthly_period_mean([(d, v, b, dl) for d, _, v, b, dl in PIAOSHUI])
    assert mean == pytest.approx(1.742 / 12)
    assessment = assess_period(PIAOSHUI)
    assert assessment.values["tp"] == pytest.approx(0.145167, abs=1e-6)
    assert assessment.label == "Ⅲ" and assessment.exceedances == {}
    # The plain mean (the old rule) would have been Ⅳ: the test can tell the two apart.
    assert assess({"tp": 3.43 / 16}).label == "Ⅳ"
    # Below-detection readings count as half their limit inside the month's mean:
    # March (0.02L → 0.01, 0.03) → 0.02; April 0.04 → the period (0.02 + 0.04) / 2 = 0.03.
    readings = [
        (dt.date(2025, 3, 1), None, True, 0.02),
        (dt.date(2025, 3, 20), 0.03, False, None),
        (dt.date(2025, 4, 2), 0.04, False, None),
    ]
    assert monthly_period_mean(readings) == pytest.approx(0.03)
    with pytest.raises(InvalidInputError):
        monthly_period_mean([])


def test_target_two_class_three_is_good_but_not_met() -> None:
    judged = verdict(assess({"nh3n": 0.8}), own_target=2, list_target=3)  # 0.8 → Ⅲ
    assert (judged.good, judged.meets_target, judged.target_source) == (True, False, "section")
    as_dict = judged.to_dict()
    assert as_dict["good_label"].startswith("优良") and as_dict["meets_target_label"] == "不达标"
    # No own target: the list's class stands in, and says so.
    fallback = verdict(assess({"nh3n": 0.8}), own_target=None, list_target=3)
    assert (fallback.meets_target, fallback.target_source) == (True, "list")
    worse = verdict(assess({"nh3n": 1.2}), own_target=4, list_target=3)  # Ⅳ against Ⅳ
    assert (worse.good, worse.meets_target) == (False, True)


@pytest.mark.parametrize(
    ("hits", "known", "total", "target", "expected"),
    [
        (2, 2, 2, 100, ("pass", 100.0, 0.0, False)),
        (1, 2, 2, 100, ("fail", 50.0, -50.0, False)),
        # One member lacks data: 1 of 1 known is good, but the line cannot be 达标.
        (1, 1, 2, 100, ("insufficient", None, None, False)),
        # Two of three known are not good: even if the third were good, 1/3 < 90%.
        (1, 2, 3, 90, ("fail", 66.67, -23.33, True)),
        # 9 good of 10 known, one missing, target 90%: 10/11 could reach 90.9% → insufficient.
        (9, 10, 11, 90, ("insufficient", None, None, False)),
        (0, 0, 0, 90, ("nodata", None, None, False)),
    ],
)
def test_rate_lines_with_members_lacking_data(hits, known, total, target, expected) -> None:
    status, measured, margin, upper = judge_rate(hits, known, total, target)
    assert (status, measured, margin, upper) == (
        expected[0],
        expected[1] if expected[1] is None else pytest.approx(expected[1]),
        expected[2] if expected[2] is None else pytest.approx(expected[2]),
        expected[3],
    )
    with pytest.raises(InvalidInputError):
        judge_rate(3, 2, 2, 90)


def test_cyanide_and_heavy_metals_come_first() -> None:
    # COD 60 → 劣Ⅴ (multiple 2.0), NH3-N 3.0 → 劣Ⅴ (2.0), TP 0.5 → 劣Ⅴ (1.5);
    # 铅 0.06 → Ⅴ (≤ 0.1, multiple 0.2) and 氰化物 0.21 → 劣Ⅴ (> 0.2, multiple 0.05).
    # By class and multiple alone the three would be COD, NH3-N, TP; the method lists
    # 氰化物 and 铅 first: 氰化物 (劣Ⅴ), 铅 (Ⅴ), then the worst of the rest: COD (table order
    # breaks the tie with NH3-N at 2.0).
    result = assess({"cod": 60, "nh3n": 3.0, "tp": 0.5, "pb": 0.06, "cn": 0.21})
    assert result.main_pollutants == ("cn", "pb", "cod")
    # 硒 is not a metal: no priority. Se 0.015 → Ⅳ (multiple 0.5), NH3-N 1.2 → Ⅳ (0.2).
    assert assess({"se": 0.015, "nh3n": 1.2, "as": 0.01}).main_pollutants == ("se", "nh3n")
    # A heavy metal within Ⅲ is not a pollutant at all.
    assert assess({"hg": 0.00008, "nh3n": 1.2}).main_pollutants == ("nh3n",)


def test_exceedance_rounded_for_people() -> None:
    # (1.075 − 1) / 1 in floating point is 0.07499999999999996; GB/T 8170 (五成双) gives 0.08.
    result = assess({"nh3n": 1.075})
    assert result.exceedances["nh3n"] == pytest.approx(0.075)
    assert result.to_dict()["main_pollutants"][0]["exceedance"] == 0.08
    assert result.to_dict()["indicators"][0]["exceedance"] == 0.08
    assert (published(0.085, 2), published(0.0851, 2), published(0.2, 2)) == (0.08, 0.09, 0.2)


def test_tli_from_fewer_than_five_parameters_is_flagged() -> None:
    sd_only = trophic_state({"sd": 0.3}).to_dict()
    # TLI(SD) = 10 (5.118 − 1.94 ln 0.3) = 74.54: 重度富营养, but from one parameter.
    assert sd_only["index"] == pytest.approx(74.54, abs=0.01)
    assert (sd_only["complete"], sd_only["flag"]) == (False, "参数不全")
    assert [m["name"] for m in sd_only["missing"]] == ["叶绿素a", "总磷", "总氮", "高锰酸盐指数"]
    assert "缺叶绿素a、总磷、总氮、高锰酸盐指数" in sd_only["note"]
    full = trophic_state({"chla": 10, "tp": 0.05, "tn": 1.0, "sd": 1.0, "codmn": 4}).to_dict()
    assert (full["complete"], full["flag"], full["missing"], full["note"]) == (
        True,
        None,
        [],
        None,
    )


def test_table_2_items_judged_at_drinking_sources_only() -> None:
    values = {"nh3n": 0.3, "mn": 0.12, "fe": 0.3, "sulfate": 80.0}  # 锰 > 0.1; 铁 = 0.3 meets it
    source = assess(values, drinking_source=True)
    assert (source.label, source.drinking_exceeded) == ("Ⅱ", ("mn",))
    judged = verdict(source, own_target=2, list_target=3)
    assert (judged.good, judged.meets_target, judged.drinking_exceeded) == (False, False, ("锰",))
    items = {i["key"]: i for i in source.to_dict()["drinking_items"]}
    assert items["mn"]["limit"] == 0.1 and items["mn"]["exceeded"] is True
    assert items["fe"]["exceeded"] is False and items["sulfate"]["limit"] == 250.0
    river = assess(values)  # the same water at an ordinary section: kept, not judged
    assert river.drinking_exceeded == () and verdict(river, 2, 3).good is True
    assert river.to_dict()["drinking_items"] == []
