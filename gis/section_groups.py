"""Groups of monitoring sections (断面组): 优良率 and the group's water-quality state
(《地表水环境质量评价办法（试行）》, DOMAIN.md §2)."""

from collections.abc import Iterable

from gis.errors import InvalidInputError
from gis.water_quality import GRADES, WORSE_THAN_V

MIN_GROUP_SIZE = 5


def _check_grades(grades: Iterable[int]) -> list[int]:
    checked = list(grades)
    for grade in checked:
        if isinstance(grade, bool) or grade not in GRADES:
            raise InvalidInputError(f"水质类别必须是 1–6 (grade must be 1..6): {grade!r}")
    return checked


def good_rate(grades: Iterable[int]) -> float | None:
    """优良率: share (0..1) of sections of class Ⅰ–Ⅲ; None for no sections (nothing to rate)."""
    checked = _check_grades(grades)
    if not checked:
        return None
    return sum(grade <= 3 for grade in checked) / len(checked)


def group_state(grades: Iterable[int]) -> str | None:
    """Water-quality state of a group of sections; None for fewer than five sections.

    Share Ⅰ–Ⅲ ≥ 90% 优, ≥ 75% 良好 (劣Ⅴ then irrelevant); below 75%: 劣Ⅴ ≥ 40% 重度污染,
    ≥ 20% 中度污染, else 轻度污染. Counts are compared as integers, so 9 of 10 is exactly 90%.
    """
    checked = _check_grades(grades)
    n = len(checked)
    if n < MIN_GROUP_SIZE:
        return None
    good = sum(grade <= 3 for grade in checked)
    worst = checked.count(WORSE_THAN_V)
    if 10 * good >= 9 * n:
        return "优"
    if 4 * good >= 3 * n:
        return "良好"
    if 5 * worst >= 2 * n:
        return "重度污染"
    if 5 * worst >= n:
        return "中度污染"
    return "轻度污染"
