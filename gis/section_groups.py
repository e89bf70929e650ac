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


def judge_rate(
    hits: int, known: int, total: int, target: float, lacking_status: str = "insufficient"
) -> tuple[str, float | None, float | None, bool]:
    """(status, measured %, margin, measured_is_upper_bound) of a rate line (优良率, 达标率).

    ``hits`` of the ``known`` members with a class count; ``total - known`` members have none
    (数据不足 or 无数据). With every member known the rate is judged against ``target`` (a
    minimum, no 预警 band). With members missing the line cannot be 达标: it is 不达标 when even
    counting every missing member as a hit the rate stays below the target (the figure is then
    that upper bound), else ``lacking_status`` (数据不足, or 无数据 when no member has samples).
    """
    if not 0 <= hits <= known <= total:
        raise InvalidInputError(f"比例的计数无效 (bad counts): {hits}/{known}/{total}")
    if total == 0:
        return "nodata", None, None, False
    if known == total:
        measured = round(100 * hits / total, 2)
        margin = round(measured - target, 2)
        return ("fail" if margin < 0 else "pass"), measured, margin, False
    # Integers: (hits + missing) / total < target / 100, without rounding the share first.
    best_hits = hits + total - known
    if 100 * best_hits < target * total:
        best = round(100 * best_hits / total, 2)
        return "fail", best, round(best - target, 2), True
    return lacking_status, None, None, False
