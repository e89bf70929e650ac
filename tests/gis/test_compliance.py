"""Statuses, margins, the 预警 band, periods and the dam-safety appraisal rule."""

import datetime as dt

import pytest

from gis.compliance import appraisal_due, judge_count, judge_minimum, judge_zero, parse_period
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
