"""The exactly known dataset of the API tests (CGCS2000 lon/lat), and the reference maths.

Layout (degrees; y = latitude):

    24.53 ┌ C1 水田 ┬ C2 果园 ┬ C3 旱地 ┐
    24.52 ├ A 红线甲 ─┼ B 基本农田 ┼ Z 水源区 (with a hole) ┐
          │  A2 红线乙 inside A       │                      │
    24.50 └──────────┴──────────────┴──────────────────────┘
          U 城镇开发边界 below, 24.46–24.50
         114.00     114.02        114.04                 114.06

The project P spans 114.005–114.05 × 24.495–24.525: it cuts every protected layer. C2 is
地类图斑 but not 耕地 (0201), so the farmland overlap counts C1 and C3 only.
"""

import datetime as dt
import json

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import box
from shapely.geometry import MultiPolygon, Point, Polygon, mapping

GEOD = Geod(a=6378137.0, rf=298.257222101)  # CGCS2000
MU = 10000 / 15


def area_m2(geom) -> float:
    """Independent ellipsoidal area: pyproj.Geod over shapely rings (holes subtracted)."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) if not geom.is_empty else 0.0


A = box(114.00, 24.50, 114.02, 24.52)
A2 = box(114.01, 24.505, 114.015, 24.51)  # overlaps A: the layer's area must not count it twice
B = box(114.02, 24.50, 114.04, 24.52)
C1 = box(114.00, 24.52, 114.01, 24.53)
C2 = box(114.01, 24.52, 114.02, 24.53)
C3 = box(114.02, 24.52, 114.03, 24.53)
Z = Polygon(
    box(114.04, 24.50, 114.06, 24.52).exterior, [box(114.045, 24.505, 114.055, 24.515).exterior]
)
U = box(113.98, 24.46, 114.10, 24.50)
P = box(114.005, 24.495, 114.05, 24.525)
FAR = box(114.30, 24.80, 114.31, 24.81)  # touches nothing, outside the district
#: The fixture's district (the data's coverage for layers declared district-wide): holds every
#: layer above, not FAR. Parcels cover only the C strip, so 耕地 coverage of P is partial.
DISTRICT = box(113.95, 24.45, 114.15, 24.58)
#: Half in, half out: straddles the district's east edge at 114.15.
STRADDLER = box(114.14, 24.54, 114.16, 24.55)
#: Wholly inside C2 (果园, 地类图斑 but not 耕地): covered by every layer, touches none.
IN_ORCHARD = box(114.012, 24.522, 114.018, 24.528)
#: 水田 C1 declares its net area (TBDLMJ: 10 % 田坎 deducted); 旱地 C3 declares none.
C1_NET_SHARE = 0.9


#: An upload for the ingest tests: one 城镇开发边界 polygon far from the fixture region.
ZONE = box(115.50, 25.50, 115.52, 25.52)  # far from the fixture region
LAYER_FILE = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "导入测试边界"}, "geometry": mapping(ZONE)}
        ],
    },
    ensure_ascii=False,
).encode()


def mp(geom) -> MultiPolygon:
    return MultiPolygon([geom])


LAYER_ROWS = {
    "district": [{"code": "T-421303", "name": "测试区", "geom": mp(DISTRICT)}],
    "eco_redline": [
        {"code": "HX-T1", "name": "测试红线甲", "geom": mp(A)},
        {"code": "HX-T2", "name": "测试红线乙", "geom": mp(A2)},
    ],
    "basic_farmland": [{"yjjbnttbbh": "JB-T1", "dlbm": "0101", "geom": mp(B)}],
    "farmland": [
        {
            "bsm": "T-C1",
            "dlbm": "0101",
            "dlmc": "水田",
            "zldwmc": "测试村",
            "tbdlmj": C1_NET_SHARE * area_m2(C1),
            "geom": mp(C1),
        },
        {"bsm": "T-C2", "dlbm": "0201", "dlmc": "果园", "geom": mp(C2)},
        {"bsm": "T-C3", "dlbm": "0103", "dlmc": "旱地", "geom": mp(C3)},
    ],
    "water_source_zones": [{"name": "测试水源一级区", "level": "一级", "geom": mp(Z)}],
    "urban_boundary": [{"name": "测试城镇开发边界", "geom": mp(U)}],
    "sections": [
        {
            "code": "T-API-01",
            "name": "测试断面甲",
            "control_level": "市控",
            "waterbody": "river",
            "target_grade": 3,
            "river": "测试河",
            "geom": Point(114.03, 24.51),
        },
        {
            "code": "T-API-02",
            "name": "测试断面乙",
            "control_level": "县控",
            "waterbody": "lake",
            "target_grade": 2,
            "geom": Point(114.05, 24.51),
        },
    ],
}

LAYER_GEOMS = {
    "eco_redline": shapely.union_all([A, A2]),
    "basic_farmland": B,
    "farmland": shapely.union_all([C1, C3]),
    "water_source_zones": Z,
    "urban_boundary": U,
}


def expected_overlap(project) -> dict[str, float]:
    """Reference overlap areas (m²) per protected layer for a lon/lat project polygon."""
    return {key: area_m2(project.intersection(geom)) for key, geom in LAYER_GEOMS.items()}


def expected_farmland_net(project) -> float:
    """耕地 overlap less 田坎: each parcel's piece times its declared ÷ ellipsoidal area (C1),
    the whole piece where no net area is declared (C3)."""
    return C1_NET_SHARE * area_m2(project.intersection(C1)) + area_m2(project.intersection(C3))


def _sample(day: str, indicator: str, value: float | None, dl: float | None = None) -> dict:
    return {
        "section_code": "T-API-01",
        "sampled_on": dt.date.fromisoformat(day),
        "indicator": indicator,
        "value": value,
        "below_dl": dl is not None,
        "detection_limit": dl,
    }


# 2024-05: do 6.5 (Ⅱ), codmn 3.0 (Ⅱ), nh3n 0.4 (Ⅱ), tp 0.15 (Ⅲ) → Ⅲ.
# 2024-06 means: do 4.5 (Ⅳ), codmn 6.0 (Ⅲ, limit inclusive), nh3n (1.2 + 0.05/2)/2 = 0.6125 (Ⅲ),
# tp 0.28 (Ⅳ, 超标 0.4) → Ⅳ; main pollutants tp (has a multiple) then do.
SAMPLES = [
    _sample("2024-05-10", "do", 6.5),
    _sample("2024-05-10", "codmn", 3.0),
    _sample("2024-05-10", "nh3n", 0.4),
    _sample("2024-05-10", "tp", 0.15),
    _sample("2024-06-05", "do", 4.0),
    _sample("2024-06-05", "codmn", 5.0),
    _sample("2024-06-05", "nh3n", 1.2),
    _sample("2024-06-05", "tp", 0.26),
    _sample("2024-06-20", "do", 5.0),
    _sample("2024-06-20", "codmn", 7.0),
    _sample("2024-06-20", "nh3n", None, dl=0.05),
    _sample("2024-06-20", "tp", 0.30),
]


def densified(geom, step: float = 0.0005):
    return shapely.segmentize(geom, step)


def transformed(geom, transformer: Transformer):
    return shapely.transform(
        geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1]))
    )
