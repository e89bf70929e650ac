"""Building the demonstration dataset in memory (示例数据生成), step by step, from one seed.

:func:`build` returns a :class:`DemoData` holding every layer as it will be written; the
writer (:mod:`etl.demo.writer`) turns it into files. Each step draws from its own child of
the seed, so a change to one step leaves the others' random draws alone. The area targets
come from the bottom-line list (``data/baselines/zengdu.yaml``) and :data:`MARGINS`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from etl.demo import planted
from etl.demo.geography import CITY_CENTRE, ROADS, TOWNS
from etl.demo.outline import district_outline, split_units
from etl.demo.parcels import Parcels
from etl.demo.planar import buffer_m
from etl.demo.projects import Project, build_projects
from etl.demo.protected import BasicPatch, RedlinePatch, select_basic, select_redline
from etl.demo.reservoirs import Reservoir, build_reservoirs, city_avoid_zone
from etl.demo.rivers import River, build_rivers, river_strips
from etl.demo.samples import SampleTables, build_samples
from etl.demo.sections import Section, build_sections
from etl.demo.terrain import Relief, Villages, seed_villages, townships
from etl.demo.tessellation import Carve, tessellate
from etl.demo.zones import WaterSourceZone, city_masks, water_source_zones
from gis.area import wanmu_to_m2
from gis.baseline import Baseline, load_baseline
from layers.settings import get_settings

#: Voronoi cells per scale. Carving water and roads and cutting at the unit boundary add
#: parcels: tiny ≈ 2 500, demo ≈ 13 500, full ≈ 210 000.
SCALES = {"tiny": 1_500, "demo": 11_000, "full": 200_000}
DEFAULT_SEED = 3838

#: Where each met area line lands above its target: a clear 达标, outside the 0.5 % 预警 band.
MARGINS = {
    ("421303-01", "farmland"): 0.012,
    ("421303-01", "basic_farmland"): 0.010,
    ("421303-02", "basic_farmland"): 0.012,
    ("421303-01", "eco_redline"): 0.010,
    ("421303-02", "eco_redline"): 0.013,
}
#: The planted shortfall: 㵐水片区 耕地 at 29.30 万亩 against its line of 29.51.
SHORTFALLS = {("421303-02", "farmland"): 29.30}
#: The planted land cases: unit (and, for the houses, a spot to search from).
HOUSING_CASE = ("421303-02", (113.500, 31.600))
OVERLAP_CASE_UNIT = "421303-01"
PROJECT_UNIT = "421303-01"

Progress = Callable[[str, float], None]


def _silent(stage: str, fraction: float) -> None:
    return None


@dataclass
class DemoData:
    scale: str
    seed: int
    baseline: Baseline
    outline: shapely.Geometry
    units: dict[str, shapely.Geometry]
    rivers: dict[str, River]
    reservoirs: list[Reservoir]
    parcels: Parcels
    town: np.ndarray  # per parcel, index into TOWNS
    village: np.ndarray  # per parcel, index into villages
    villages: Villages
    redline: list[RedlinePatch]
    basic: list[BasicPatch]
    urban_boundary: shapely.Geometry
    water_zones: list[WaterSourceZone]
    projects: list[Project]
    sections: list[Section]
    samples: SampleTables
    planted: dict[str, int] = field(default_factory=dict)  # parcel indices of the cases


def targets(baseline: Baseline, layer: str) -> dict[str, float]:
    """Per unit code, the area in m² the generator aims at for the area line on ``layer``."""
    out = {}
    for unit in baseline.units:
        key = (unit.code, layer)
        if key in SHORTFALLS:
            out[unit.code] = wanmu_to_m2(SHORTFALLS[key])
        else:
            out[unit.code] = unit.area_target_m2(layer) * (1 + MARGINS[key])
    return out


def build(
    scale: str = "demo",
    seed: int = DEFAULT_SEED,
    progress: Progress = _silent,
    baseline_path: Path | None = None,
) -> DemoData:
    rngs = iter([np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)])
    baseline = load_baseline(baseline_path or get_settings().baseline_path)
    progress("边界与片区", 0.02)
    outline = district_outline()
    units = dict(zip([u.code for u in baseline.units], split_units(outline), strict=True))
    progress("河流与水库", 0.05)
    rivers = build_rivers(outline, next(rngs))
    relief = Relief.build([rivers[n].line for n in ("府澴河", "㵐水", "漂水")], next(rngs))
    strips = river_strips(rivers, outline)
    avoid = shapely.union_all([city_avoid_zone(), *(buffer_m(s, 600.0) for s in strips.values())])
    counts = {
        u.code: (
            u.target("reservoir_count", scale="中型"),
            u.target("reservoir_count", scale="小型"),
        )
        for u in baseline.units
    }
    reservoirs = build_reservoirs(units, counts, avoid, relief, next(rngs))
    progress("地类图斑剖分", 0.1)
    carves = _carves(reservoirs, strips, outline)
    pieces = tessellate(outline, units, carves, SCALES[scale], _density(relief), next(rngs))
    progress("地类", 0.35)
    land = _land(pieces, relief, units, next(rngs))
    progress("生态保护红线与永久基本农田", 0.5)
    villages = seed_villages(outline, next(rngs))
    named = {r.code: r.name for r in reservoirs if r.bloom_risk or r.drinking}
    redline, basic = _protected(baseline, land, villages, named, rngs)
    progress("水源保护区与项目", 0.75)
    zones = water_source_zones(reservoirs, outline)
    projects = build_projects(
        land.parcels,
        basic,
        redline,
        [z.geom for z in zones],
        land.boundary,
        PROJECT_UNIT,
        units[PROJECT_UNIT],
    )
    progress("断面与监测数据", 0.85)
    sections = build_sections(rivers, reservoirs, units)
    points = shapely.point_on_surface(land.parcels.geom)
    town, village = townships(*shapely.get_coordinates(points).T, villages)
    return DemoData(
        scale=scale,
        seed=seed,
        baseline=baseline,
        outline=outline,
        units=units,
        rivers=rivers,
        reservoirs=reservoirs,
        parcels=land.parcels,
        town=town,
        village=village,
        villages=villages,
        redline=redline,
        basic=basic,
        urban_boundary=land.boundary,
        water_zones=zones,
        projects=projects,
        sections=sections,
        samples=build_samples(sections, next(rngs)),
        planted=land.planted,
    )


@dataclass
class _Land:
    parcels: Parcels
    growth: np.ndarray  # parcels inside the 城镇开发边界
    boundary: shapely.Geometry  # the 城镇开发边界
    planted: dict[str, int]
    shapes: dict[int, shapely.Geometry]  # parcel index → the shape its 永久基本农田 must cover


def _land(pieces, relief: Relief, units, rng: np.random.Generator) -> _Land:
    """Classes, the 城镇开发边界, and the two planted land cases (before any calibration)."""
    points = shapely.point_on_surface(pieces.geom)
    relief_values = relief(*shapely.get_coordinates(points).T)
    in_city, in_industry, growth = city_masks(points, rng.uniform(-0.08, 0.08, len(points)))
    parcels = Parcels.classify(pieces, relief_values, in_city, in_industry, units, rng)
    unit, near = HOUSING_CASE
    paddy, houses, paddy_shape = planted.plant_housing(parcels, unit, growth, near)
    growth = np.append(growth, False)  # the houses' new parcel lies outside the boundary
    boundary = shapely.union_all(parcels.geom[growth])
    overlapped, boundary = planted.plant_boundary_overlap(
        parcels, OVERLAP_CASE_UNIT, boundary, growth | parcels.straddle
    )
    parcels.measure(units)
    return _Land(
        parcels,
        growth,
        boundary,
        {"paddy": paddy, "houses": houses, "overlapped": overlapped},
        {paddy: paddy_shape, overlapped: parcels.geom[overlapped]},
    )


def _protected(baseline, land: _Land, villages, named, rngs):
    """生态保护红线 first (natural land), then 耕地 calibrated, then 永久基本农田 from 耕地."""
    parcels = land.parcels

    def town_of(points):
        return [TOWNS[t].name for t in townships(*shapely.get_coordinates(points).T, villages)[0]]

    excluded = land.growth | parcels.straddle
    targets_red = targets(baseline, "eco_redline")
    redline, in_redline = select_redline(parcels, excluded, targets_red, town_of, named, next(rngs))
    parcels.locked |= in_redline
    parcels.calibrate_farmland(targets(baseline, "farmland"), next(rngs))
    basic = select_basic(
        parcels,
        land.growth | in_redline,
        land.shapes,
        targets(baseline, "basic_farmland"),
        next(rngs),
    )
    return redline, basic


def _carves(reservoirs, strips, outline) -> list[Carve]:
    """Reservoir water first, then river strips, then roads (an earlier carve wins)."""
    carves = [Carve("1103", r.code, r.surface) for r in reservoirs]
    carves += [Carve("1101", name, geom) for name, geom in strips.items()]
    for road in ROADS:
        strip = buffer_m(shapely.LineString(road.points), road.width_m / 2, cap_style="flat")
        carves.append(Carve("1003", road.name, shapely.intersection(strip, outline)))
    return carves


def _density(relief: Relief) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Seed density for the cells: parcels are smaller in the plains and in the city."""
    cx, cy = CITY_CENTRE

    def density(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        city = np.exp(-(((lon - cx) / 0.05) ** 2 + ((lat - cy) / 0.04) ** 2))
        return np.clip(0.25 + 0.75 * (1 - relief(lon, lat)) + 0.6 * city, 0, 1)

    return density
