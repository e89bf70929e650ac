"""Statuses, margins, the 预警 band, periods and the dam-safety appraisal rule."""

import datetime as dt

import pytest

from gis.compliance import (
    appraisal_due,
    appraisal_state,
    figure_text,
    judge_count,
    judge_minimum,
    judge_zero,
    parse_period,
    uom_label,
)
from gis.errors import InvalidInputError


@pytest.mark.parametrize(
    ("measured", "status"),
    [
        (None, "nodata"),
        (99.99, "fail"),  # short of the line
        (100.0, "warn"),  # met exactly: no margin at all
        (100.49, "warn"),  # met by 0.49% < 0.5%
        (100.5, "pass"),  # met by exactly the band
        (120.0, "pass"),
    ],
)
def test_minimum_line(measured, status) -> None:
    assert judge_minimum(measured, 100.0, 0.005)[0] == status


def test_margins_are_signed() -> None:
    assert judge_minimum(29.30, 29.51, 0.005)[1] == pytest.approx(-0.21)
    assert judge_zero(12.5) == ("fail", -12.5)
    assert judge_zero(0.0)[0] == "pass"


@pytest.mark.parametrize(
    ("measured", "status"), [(66, "pass"), (65, "fail"), (67, "warn"), (None, "nodata")]
)
def test_reservoir_count(measured, status) -> None:
    assert judge_count(measured, 66)[0] == status


def test_periods() -> None:
    year = parse_period("2025")
    assert (year.start, year.end, year.label) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        "2025",
    )
    feb = parse_period("2024-2")
    assert (feb.start, feb.end, feb.label) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02")
    for bad in ("", "25", "2025-13", "2025-06-01", "二〇二五", "2025; DROP TABLE samples"):
        with pytest.raises(InvalidInputError):
            parse_period(bad)


def test_appraisal_rule() -> None:
    # Never appraised: due 5 years after completion.
    assert appraisal_due(dt.date(2021, 3, 1), None, 5, 10) == dt.date(2026, 3, 1)
    # Appraised: due 10 years after the last appraisal, whatever the completion date.
    assert appraisal_due(dt.date(1960, 1, 1), dt.date(2016, 2, 29), 5, 10) == dt.date(2026, 2, 28)
    assert appraisal_due(None, None, 5, 10) is None


AS_OF = dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("completed", "last", "status", "due"),
    [
        (dt.date(1970, 1, 1), dt.date(2020, 5, 1), "pass", dt.date(2030, 5, 1)),  # 5.7 years
        (dt.date(1970, 1, 1), dt.date(2019, 12, 31), "warn", dt.date(2029, 12, 31)),  # 6 years
        (dt.date(1970, 1, 1), dt.date(2018, 12, 31), "warn", dt.date(2028, 12, 31)),  # 7 years
        (dt.date(1970, 1, 1), dt.date(2015, 12, 31), "warn", dt.date(2025, 12, 31)),  # 10, on time
        (dt.date(1970, 1, 1), dt.date(2015, 12, 30), "fail", dt.date(2025, 12, 30)),  # past 10
        (dt.date(2021, 1, 1), None, "pass", dt.date(2026, 1, 1)),  # first appraisal not yet due
        (dt.date(2020, 12, 30), None, "fail", dt.date(2025, 12, 30)),  # past 5, none
        (None, dt.date(2022, 6, 1), "pass", dt.date(2032, 6, 1)),  # completion unknown
        (None, None, "nodata", None),
        (dt.date(1970, 1, 1), dt.date(2026, 3, 1), "nodata", None),  # only a later appraisal
    ],
)
def test_appraisal_state(completed, last, status, due) -> None:
    state = appraisal_state(completed, last, AS_OF, 5, 6, 10)
    assert (state.status, state.due) == (status, due)


def test_figures_for_people() -> None:
    assert figure_text(0.07499999999999996, "亩") == "0.07 亩"
    assert figure_text(60.93501, "万亩") == "60.9350 万亩"
    assert figure_text(66.666667, "%") == "66.67%"
    assert figure_text("Ⅳ", "class") == "Ⅳ类"
    assert figure_text(3, "座") == "3 座"
    assert figure_text(-1234.5678, "亩", signed=True) == "-1,234.57 亩"
    assert figure_text(None, "亩") == "—"
    assert {uom_label(u) for u in ("count", "class", "座")} == {"个", "类", "座"}
