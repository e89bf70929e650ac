"""The hand-drawn geography of the demonstration dataset (示例数据的地理框架), as data.

Everything here is in CGCS2000 lon/lat (WGS84 and CGCS2000 are treated as equal). Only the
district outline is real (:mod:`etl.demo.outline`); rivers, towns, roads and the named
reservoirs are plausible sketches laid over it: 府澴河 (涢水) crosses the west of the district
through the city, 㵐水 comes down from the north-east lobe and meets it east of the city,
漂水 and 浆溪店河 drain the east. The split line between the two watershed units runs from the
notch below the north-east lobe, through the 府澴河/㵐水 confluence, to the south boundary.
"""

from dataclasses import dataclass

Point = tuple[float, float]

#: 涢水片区 lies west of this line, 㵐水片区 east; both ends lie outside the outline.
SPLIT_LINE: tuple[Point, ...] = (
    (113.395, 31.875),
    (113.430, 31.822),
    (113.436, 31.765),
    (113.427, 31.722),
    (113.4255, 31.6955),
    (113.452, 31.640),
    (113.482, 31.575),
    (113.497, 31.505),
    (113.508, 31.450),
    (113.512, 31.380),
)

#: 曾都区 government / city centre (随州城区).
CITY_CENTRE: Point = (113.372, 31.714)
#: Semi-axes (degrees lon, lat) of the built-up area and of the 城镇开发边界 around it.
CITY_RADII: Point = (0.040, 0.030)
GROWTH_FACTOR = 1.18
#: The industrial quarter (曾都经济开发区) east of the centre.
INDUSTRY_CENTRE: Point = (113.408, 31.708)


@dataclass(frozen=True)
class RiverSketch:
    name: str
    points: tuple[Point, ...]
    alias: str = ""
    joins: str = ""  # the river it flows into (its last point snaps onto that river)
    width_m: float = 0.0  # carved into the land parcels as 1101 河流水面 when > 0
    meander_m: float = 120.0


RIVERS: tuple[RiverSketch, ...] = (
    RiverSketch(
        "府澴河",
        (
            (113.250, 31.731),
            (113.300, 31.722),
            (113.340, 31.712),
            (113.372, 31.705),
            (113.400, 31.700),
            (113.4255, 31.6955),
            (113.436, 31.640),
            (113.450, 31.580),
            (113.463, 31.520),
            (113.470, 31.470),
            (113.474, 31.400),
        ),
        alias="涢水",
        width_m=110,
        meander_m=220,
    ),
    RiverSketch(
        "㵐水",
        (
            (113.545, 31.960),
            (113.535, 31.920),
            (113.510, 31.870),
            (113.482, 31.820),
            (113.462, 31.770),
            (113.443, 31.730),
            (113.4255, 31.6955),
        ),
        joins="府澴河",
        width_m=70,
        meander_m=180,
    ),
    RiverSketch(
        "漂水",
        (
            (113.528, 31.632),
            (113.521, 31.575),
            (113.524, 31.512),
            (113.535, 31.462),
            (113.545, 31.380),
        ),
        width_m=45,
        meander_m=140,
    ),
    RiverSketch(
        "浆溪店河",
        ((113.468, 31.668), (113.498, 31.662), (113.528, 31.676), (113.566, 31.690)),
        width_m=28,
        meander_m=90,
    ),
    RiverSketch(
        "浪河",
        (
            (113.352, 31.505),
            (113.330, 31.455),
            (113.310, 31.420),
            (113.303, 31.370),
            (113.299, 31.320),
        ),
        width_m=32,
        meander_m=110,
    ),
    RiverSketch(
        "漳水",
        ((113.298, 31.808), (113.322, 31.772), (113.343, 31.742), (113.355, 31.709)),
        joins="府澴河",
        width_m=32,
        meander_m=110,
    ),
    RiverSketch(
        "清水河",
        ((113.386, 31.832), (113.380, 31.790), (113.386, 31.745), (113.390, 31.702)),
        joins="府澴河",
        meander_m=90,
    ),
    RiverSketch(
        "隋王河",
        ((113.288, 31.652), (113.338, 31.655), (113.392, 31.662), (113.430, 31.668)),
        joins="府澴河",
        meander_m=90,
    ),
    RiverSketch(
        "花溪河",
        ((113.276, 31.562), (113.330, 31.570), (113.392, 31.574), (113.449, 31.582)),
        joins="府澴河",
        meander_m=100,
    ),
    RiverSketch(
        "窑石沟",
        ((113.382, 31.498), (113.420, 31.505), (113.463, 31.515)),
        joins="府澴河",
        meander_m=60,
    ),
    RiverSketch(
        "同兴河",
        ((113.600, 31.893), (113.560, 31.878), (113.512, 31.872)),
        joins="㵐水",
        meander_m=80,
    ),
    RiverSketch(
        "閤家河",
        ((113.468, 31.912), (113.474, 31.870), (113.488, 31.836)),
        joins="㵐水",
        meander_m=70,
    ),
    RiverSketch(
        "刘家店河",
        ((113.522, 31.782), (113.492, 31.768), (113.460, 31.765)),
        joins="㵐水",
        meander_m=70,
    ),
)


@dataclass(frozen=True)
class RoadSketch:
    name: str
    points: tuple[Point, ...]
    width_m: float


ROADS: tuple[RoadSketch, ...] = (
    RoadSketch(
        "福银高速",
        (
            (113.240, 31.648),
            (113.330, 31.650),
            (113.420, 31.640),
            (113.500, 31.610),
            (113.580, 31.585),
        ),
        34,
    ),
    RoadSketch(
        "G316国道",
        (
            (113.250, 31.752),
            (113.320, 31.736),
            (113.372, 31.728),
            (113.450, 31.712),
            (113.570, 31.705),
        ),
        26,
    ),
    RoadSketch(
        "S216省道",
        (
            (113.392, 31.850),
            (113.385, 31.760),
            (113.392, 31.690),
            (113.410, 31.560),
            (113.440, 31.400),
        ),
        22,
    ),
)


@dataclass(frozen=True)
class Town:
    name: str
    code: str  # 9-digit township code (乡级区划代码)
    seat: Point


TOWNS: tuple[Town, ...] = (
    Town("东城街道", "421303001", (113.392, 31.722)),
    Town("西城街道", "421303002", (113.350, 31.716)),
    Town("南郊街道", "421303003", (113.392, 31.640)),
    Town("北郊街道", "421303004", (113.365, 31.785)),
    Town("万店镇", "421303100", (113.505, 31.870)),
    Town("何店镇", "421303101", (113.300, 31.600)),
    Town("洛阳镇", "421303102", (113.470, 31.470)),
    Town("府河镇", "421303103", (113.320, 31.430)),
    Town("曾都经济开发区", "421303400", (113.475, 31.690)),
)

VILLAGE_NAMES = (
    "桃园", "新街", "花园", "双河", "红星", "联合", "团结", "龙井", "凤凰", "柳林",
    "青龙", "白果", "石桥", "水口", "黄土", "高庙", "大堰", "长岗", "永兴", "胜利",
    "金银", "东风", "新华", "太平", "清河", "三里", "五星", "李湾", "马鞍", "梅丘",
    "观音", "龙泉", "天河", "九龙", "万福", "泉水", "涂家", "张畈", "宋湾", "土门",
)  # fmt: skip


@dataclass(frozen=True)
class Hill:
    centre: Point
    sigma_km: float
    height: float


#: The relief that decides land use: 桐柏山 spurs in the north, 大洪山 spurs in the south-west.
HILLS: tuple[Hill, ...] = (
    Hill((113.300, 31.800), 6.0, 1.0),
    Hill((113.380, 31.835), 5.0, 0.8),
    Hill((113.560, 31.900), 7.0, 1.0),
    Hill((113.265, 31.615), 5.0, 0.7),
    Hill((113.300, 31.380), 6.0, 0.9),
    Hill((113.555, 31.445), 5.0, 0.6),
    Hill((113.535, 31.615), 4.0, 0.5),
    Hill((113.330, 31.505), 5.0, 0.55),
)


@dataclass(frozen=True)
class NamedReservoir:
    name: str
    unit: str  # unit code
    scale: str  # 中型 / 小(1)型 / 小(2)型
    centre: Point
    capacity_10k_m3: float
    bloom_risk: bool = False
    drinking: str = ""  # "" / 县级 / 乡镇级


NAMED_RESERVOIRS: tuple[NamedReservoir, ...] = (
    NamedReservoir("先觉庙水库", "421303-01", "中型", (113.381, 31.797), 2860, True, "县级"),
    NamedReservoir("白云湖库区", "421303-01", "中型", (113.333, 31.727), 1520, True),
    NamedReservoir("两河口水库", "421303-02", "中型", (113.556, 31.880), 3410, True),
    NamedReservoir("白果河水库", "421303-01", "小(1)型", (113.292, 31.690), 620, True, "乡镇级"),
    NamedReservoir("新庙水库", "421303-01", "小(1)型", (113.292, 31.560), 455, True),
    NamedReservoir("桃园河水库", "421303-02", "小(1)型", (113.500, 31.722), 380, True),
    NamedReservoir("郑家河水库", "421303-01", "小(1)型", (113.318, 31.775), 540, False, "乡镇级"),
)

RESERVOIR_PREFIXES = (
    "张家", "李家", "王家", "刘家", "陈家", "杨家", "赵家", "黄家", "周家", "吴家",
    "徐家", "孙家", "胡家", "朱家", "高家", "林家", "何家", "郭家", "马家", "罗家",
    "石门", "龙王", "青山", "黄土", "桐树", "大堰", "枣树", "松林", "金鸡", "鹰嘴",
)  # fmt: skip
RESERVOIR_SUFFIXES = ("湾", "冲", "畈", "岗", "沟", "坡", "垱", "嘴", "洼", "岭")
