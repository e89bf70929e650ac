"""Land classes (地类) of the 第三次全国国土调查 (三调), and how the generator assigns them.

Only codes the platform's ``DLBM`` check accepts are used (two or four digits, optional
letters): 三调's 05H1/08H1/08H2 would be refused by the current schema, so commerce and
public services appear as 0508/0809/0810.
"""

import numpy as np
from numpy.typing import NDArray

from gis.compliance import FARMLAND_CODES

DLMC = {
    "0101": "水田",
    "0102": "水浇地",
    "0103": "旱地",
    "0201": "果园",
    "0202": "茶园",
    "0301": "乔木林地",
    "0305": "灌木林地",
    "0307": "其他林地",
    "0404": "其他草地",
    "0508": "物流仓储用地",
    "0601": "工业用地",
    "0602": "采矿用地",
    "0701": "城镇住宅用地",
    "0702": "农村宅基地",
    "0809": "公用设施用地",
    "0810": "公园与绿地",
    "1003": "公路用地",
    "1004": "城镇村道路用地",
    "1101": "河流水面",
    "1103": "水库水面",
    "1104": "坑塘水面",
    "1202": "设施农用地",
}
FARMLAND = FARMLAND_CODES
#: Construction land (建设用地): what may not sit on 永久基本农田 or in 生态保护红线.
CONSTRUCTION = ("0508", "0601", "0602", "0701", "0702", "0809", "0810", "1003", "1004")
#: Natural land that an ecological red line may hold.
NATURAL = ("0301", "0305", "0307", "0404", "1103")
#: State-owned (国有) classes; the rest is collective land.
STATE_OWNED = ("0508", "0601", "0701", "0809", "0810", "1003", "1004", "1101", "1103")

# Rural mixes by relief band: (upper bound of the band, {code: weight}).
_RURAL = (
    (0.30, {"0101": 56, "0103": 12, "0102": 4, "0702": 9, "1104": 8, "0201": 2, "0307": 4,
            "1202": 2, "0404": 3}),
    (0.50, {"0101": 28, "0103": 28, "0102": 2, "0702": 8, "0201": 6, "0202": 3, "0301": 11,
            "0307": 7, "0404": 4, "1104": 3}),
    (0.65, {"0103": 22, "0101": 8, "0702": 5, "0201": 5, "0202": 5, "0301": 30, "0305": 10,
            "0307": 9, "0404": 5, "0602": 1}),
    (1.01, {"0301": 50, "0305": 16, "0307": 10, "0404": 8, "0103": 9, "0202": 4, "0702": 2,
            "0602": 1}),
)  # fmt: skip
_CITY = {"0701": 44, "1004": 14, "0810": 9, "0809": 8, "0508": 6, "0601": 7, "0702": 6,
         "1104": 2, "0103": 4}  # fmt: skip
_INDUSTRY = {"0601": 46, "0508": 20, "0701": 12, "1004": 12, "0809": 10}


def _draw(mix: dict[str, int], n: int, rng: np.random.Generator) -> NDArray:
    codes = np.array(list(mix), dtype=object)
    weights = np.array(list(mix.values()), dtype=float)
    return rng.choice(codes, size=n, p=weights / weights.sum())


def assign_classes(
    relief: NDArray, in_city: NDArray, in_industry: NDArray, rng: np.random.Generator
) -> NDArray:
    """A land-class code per land parcel from its relief and whether it lies in the city."""
    codes = np.empty(len(relief), dtype=object)
    draws = {
        "city": _draw(_CITY, len(relief), rng),
        "industry": _draw(_INDUSTRY, len(relief), rng),
    }
    low = 0.0
    for high, mix in _RURAL:
        band = (relief >= low) & (relief < high)
        codes[band] = _draw(mix, int(band.sum()), rng)
        low = high
    codes[in_city] = draws["city"][in_city]
    codes[in_industry] = draws["industry"][in_industry]
    return codes


def slope_grade(relief: NDArray) -> NDArray:
    """耕地坡度级别 1–5 (≤2°, 2–6°, 6–15°, 15–25°, >25°) from the relief."""
    return np.digitize(relief, [0.3, 0.45, 0.6, 0.75]) + 1


_KCXS_PADDY = np.array([0.03, 0.04, 0.05, 0.06, 0.07])
_KCXS_DRY = np.array([0.05, 0.07, 0.09, 0.11, 0.12])


def deduction_factor(codes: NDArray, grade: NDArray) -> NDArray:
    """扣除地类系数 (田坎 1203) of farmland by class and slope grade; 0 elsewhere."""
    kcxs = np.where(codes == "0101", _KCXS_PADDY[grade - 1], _KCXS_DRY[grade - 1])
    return np.where(np.isin(codes, FARMLAND), kcxs, 0.0)
