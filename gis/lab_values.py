"""Lab results as monitoring sheets write them (监测值): "0.12", "0.01L", "<0.01", "ND".

A result below the detection limit counts as half the limit in a period mean (DOMAIN.md §2).
Also the text folding every alias lookup of the water-quality rules uses.
"""

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from gis.errors import InvalidInputError


def fold(text: str) -> str:
    """Canonical spelling for matching: NFKC (full-width → ASCII, Ⅲ → III), no case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Reading(NamedTuple):
    """One lab result. ``value`` is None for "ND"/"未检出" without a stated detection limit."""

    value: float | None
    below_detection: bool
    detection_limit: float | None


_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_BELOW_LIMIT = re.compile(rf"<({_NUMBER})|({_NUMBER})l")
_NOT_DETECTED = {"nd", "n.d.", "未检出", "低于检出限"}


def parse_lab_value(text: str | float) -> Reading:
    """Read a lab-sheet cell: "0.12", "0.01L", "<0.01", "＜0.01", "ND", "未检出", "０.５" …

    A below-detection result with a limit gets half the limit as its value (DOMAIN.md §2);
    "ND"/"未检出" state no limit, so the value is None and the caller supplies the limit.
    """
    if is_number(text):
        return _plain_reading(float(text), text)
    folded = fold(text) if isinstance(text, str) else ""
    if folded in _NOT_DETECTED:
        return Reading(None, True, None)
    if re.fullmatch(_NUMBER, folded):
        return _plain_reading(float(folded), text)
    if match := _BELOW_LIMIT.fullmatch(folded):
        limit = float(match.group(1) or match.group(2))
        if limit > 0 and math.isfinite(limit):
            return Reading(limit / 2, True, limit)
    raise InvalidInputError(
        f"无法识别的监测值 “{text}” (cannot read lab value {text!r}).",
        hint="写作 0.12、0.01L、<0.01 或 ND / write 0.12, 0.01L, <0.01 or ND.",
    )


def _plain_reading(value: float, text: object) -> Reading:
    if not math.isfinite(value):
        raise InvalidInputError(f"无法识别的监测值 “{text}” (cannot read lab value {text!r}).")
    return Reading(value, False, None)


def _effective_value(reading: tuple[float | None, bool, float | None]) -> float:
    value, below_detection, limit = reading
    if below_detection:
        if not is_number(limit) or not math.isfinite(limit) or limit <= 0:
            raise InvalidInputError(
                f"低于检出限的结果缺少检出限 (below-detection result without a limit): {reading!r}"
            )
        return limit / 2
    if not is_number(value) or not math.isfinite(value):
        raise InvalidInputError(f"监测值无效 (invalid reading): {reading!r}")
    return float(value)


def period_mean(readings: Iterable[tuple[float | None, bool, float | None]]) -> float:
    """Arithmetic mean of (value, below_detection, detection_limit) readings.

    A below-detection reading counts as half its detection limit, whatever its value says,
    and must carry the limit. No readings at all is an InvalidInputError.
    """
    values = [_effective_value(reading) for reading in readings]
    if not values:
        raise InvalidInputError("没有监测值，无法求均值 (no readings to average).")
    return math.fsum(values) / len(values)


def monthly_period_mean(
    readings: Iterable[tuple[object, float | None, bool, float | None]],
) -> float:
    """The period value of dated (date, value, below_detection, detection_limit) readings.

    Monthly means first (DOMAIN.md §6, the 十四五 national network practice): a month's value
    is the mean of its readings, the period's value the mean of its monthly values, so a month
    sampled five times weighs no more than a month sampled once. With one reading a month this
    is the plain mean. ``date`` is anything with ``year`` and ``month`` (datetime.date).
    """
    months: dict[tuple[int, int], list[tuple[float | None, bool, float | None]]] = {}
    for day, *reading in readings:
        months.setdefault((day.year, day.month), []).append(tuple(reading))
    if not months:
        raise InvalidInputError("没有监测值，无法求均值 (no readings to average).")
    return math.fsum(period_mean(r) for r in months.values()) / len(months)
