"""Water-quality monitoring sections (监测断面).

All six annex-3 sections, on their rivers and in their units as the list says; the three
sections the main text names (自来水厂, 先觉庙库心, 漳河郑家河水库) with the control levels the
main text gives them; and a 库心 section in each algal-bloom-risk reservoir (县控). Every
target is class Ⅲ. River sections lie on the river line; "出境" sections 500 m upstream of
where the river leaves the district; lake sections at the reservoir's centre.
"""

from dataclasses import dataclass, replace

import shapely

from etl.demo.reservoirs import Reservoir
from etl.demo.rivers import River, downstream_point, nearest_point


@dataclass(frozen=True)
class Section:
    code: str
    name: str
    control_level: str
    waterbody: str  # 河流 / 湖库, as written in the file
    river: str
    reservoir_code: str
    drinking: bool
    unit: str
    point: shapely.Point
    target: str = "Ⅲ"
    bloom_risk: bool = False  # a lake section in an algal-bloom-risk reservoir
    source_level: str = ""  # 水源地级别 of a drinking-water source: 县级 / 乡镇级


# name, control level, river, where: (lon, lat) to snap to, or "exit"
_RIVER_SECTIONS = (
    ("涢水大桥", "国控", "府澴河", (113.372, 31.705)),
    ("洛阳揭家垄村", "国控", "府澴河", (113.468, 31.490)),
    ("漂水河大桥", "省控", "漂水", (113.522, 31.550)),
    ("漂水河出境", "市控", "漂水", "exit"),
    ("浆溪店河出境", "市控", "浆溪店河", "exit"),
    ("浪河出境", "市控", "浪河", "exit"),
    ("自来水厂", "省控", "府澴河", (113.318, 31.718)),
)
# name, control level, reservoir name, river
_LAKE_SECTIONS = (
    ("先觉庙库心", "省控", "先觉庙水库", "清水河"),
    ("漳河郑家河水库", "市控", "郑家河水库", "漳水"),
    ("白云湖库心", "县控", "白云湖库区", ""),
    ("两河口水库库心", "县控", "两河口水库", "同兴河"),
    ("白果河水库库心", "县控", "白果河水库", ""),
    ("桃园河水库库心", "县控", "桃园河水库", ""),
    ("新庙水库库心", "县控", "新庙水库", "花溪河"),
)
EXIT_OFFSET_M = 500.0


def build_sections(
    rivers: dict[str, River], reservoirs: list[Reservoir], units: dict[str, shapely.Geometry]
) -> list[Section]:
    sections = []
    for name, level, river, where in _RIVER_SECTIONS:
        if where == "exit":
            point = downstream_point(rivers[river], EXIT_OFFSET_M)
        else:
            point = nearest_point(rivers[river], where)
        sections.append(
            Section("", name, level, "河流", river, "", False, _unit(point, units), point)
        )
    by_name = {r.name: r for r in reservoirs}
    for name, level, reservoir, river in _LAKE_SECTIONS:
        r = by_name[reservoir]
        drinking = bool(r.drinking)
        sections.append(
            Section(
                "",
                name,
                level,
                "湖库",
                river,
                r.code,
                drinking,
                r.unit,
                _in_the_water(r.point, units[r.unit]),
                bloom_risk=r.bloom_risk,
                source_level=r.drinking,
            )
        )
    return [replace(s, code=f"421303DM{n:02d}") for n, s in enumerate(sections, start=1)]


# A 库心 (reservoir-centre) section lies out in the water, not on the dam point the reservoir
# layer records; on the map the two markers must not cover each other.
_CENTRE_OFFSETS = ((0.0, 0.004), (0.004, 0.0), (0.0, -0.004), (-0.004, 0.0))


def _in_the_water(dam: shapely.Point, unit: shapely.Geometry) -> shapely.Point:
    for dx, dy in _CENTRE_OFFSETS:
        centre = shapely.Point(dam.x + dx, dam.y + dy)
        if unit.contains(centre):
            return centre
    return dam


def _unit(point: shapely.Point, units: dict[str, shapely.Geometry]) -> str:
    return next(code for code, geom in units.items() if geom.contains(point))
