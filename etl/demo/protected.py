"""生态保护红线 and 永久基本农田, chosen from the parcels to each unit's target area.

Both are drawn from whole parcels (natural land for the red line, 耕地 for the basic
farmland) and inset by :data:`INSET_M`: a bureau's layers share edges with the 三调 parcels,
but after the farmland layer's Gauss-Krüger round trip shared edges no longer coincide to the
last bit, and the inset keeps such slivers (≈ 10⁻⁵ m²) from reading as overlaps. Areas are
ellipsoidal, on the polygons exactly as written (EPSG:4490).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.calibrate import pick_to_target
from etl.demo.landclass import NATURAL
from etl.demo.parcels import Parcels
from etl.demo.planar import buffer_m
from gis.area import geodesic_areas_m2

INSET_M = 0.5
_RELATIVE_TOLERANCE = 2e-4


@dataclass(frozen=True)
class RedlinePatch:
    code: str
    name: str
    kind: str  # 水源涵养 / 水土保持 / 生物多样性维护
    town: str
    unit: str
    geom: shapely.Geometry
    area_m2: float


def select_redline(
    parcels: Parcels,
    excluded: NDArray[np.bool_],
    targets_m2: dict[str, float],
    town_of: Callable[[NDArray], list[str]],
    named_waters: dict[str, str],
    rng: np.random.Generator,
) -> tuple[list[RedlinePatch], NDArray[np.bool_]]:
    """Red-line patches per unit and the mask of parcels they were made of.

    ``named_waters`` maps a reservoir code to its name: a patch holding that water surface is a
    水源涵养 red line named after it.
    """
    selected = np.zeros(len(parcels), dtype=bool)
    patches: list[RedlinePatch] = []
    area = geodesic_areas_m2(parcels.geom)
    jitter = rng.uniform(0, 0.08, len(parcels))
    for unit, target in targets_m2.items():
        pool = (
            (parcels.unit == unit)
            & np.isin(parcels.dlbm, NATURAL)
            & (parcels.kind != "1101")
            & ~excluded
        )
        score = parcels.relief + 0.3 * (parcels.dlbm == "1103") + jitter
        order = np.flatnonzero(pool)[np.argsort(-score[pool], kind="stable")]
        goal = target
        for _ in range(6):
            chosen = order[pick_to_target(area[order], goal)]
            geoms = _dissolve_inset(parcels.geom[chosen])
            got = float(geodesic_areas_m2(geoms).sum())
            if abs(got - target) <= _RELATIVE_TOLERANCE * target:
                break
            goal += target - got
        selected[chosen] = True
        patches += _describe(geoms, unit, parcels, chosen, town_of, named_waters, len(patches))
    return patches, selected


def _dissolve_inset(geoms: NDArray) -> NDArray:
    parts = shapely.get_parts(shapely.union_all(geoms))
    inset = buffer_m(parts, -INSET_M)
    return inset[~shapely.is_empty(inset)]


def _describe(geoms, unit, parcels, chosen, town_of, named_waters, first) -> list[RedlinePatch]:
    points = shapely.point_on_surface(geoms)
    towns = town_of(points)
    waters = chosen[parcels.dlbm[chosen] == "1103"]
    tree = shapely.STRtree(geoms)
    holds: dict[int, str] = {}
    for index in waters:
        for patch in tree.query(shapely.point_on_surface(parcels.geom[index]), predicate="within"):
            holds.setdefault(int(patch), parcels.feature[index])
    areas = np.round(geodesic_areas_m2(geoms), 2)
    lat = shapely.get_coordinates(points)[:, 1]
    patches = []
    for n, geom in enumerate(geoms):
        if n in holds:
            kind = "水源涵养"
            water = named_waters.get(holds[n], "")
            name = f"{water}水源涵养生态保护红线" if water else "桐柏山南麓水源涵养生态保护红线"
        elif lat[n] > 31.76:
            kind, name = "生物多样性维护", "桐柏山南麓生物多样性维护生态保护红线"
        else:
            kind, name = "水土保持", "大洪山北麓水土保持生态保护红线"
        code = f"421303STHX{first + n + 1:04d}"
        patches.append(RedlinePatch(code, name, kind, towns[n], unit, geom, float(areas[n])))
    return patches


@dataclass(frozen=True)
class BasicPatch:
    parcel: int  # index of the 地类图斑 it was drawn from
    unit: str
    geom: shapely.Geometry
    area_m2: float


def select_basic(
    parcels: Parcels,
    excluded: NDArray[np.bool_],
    preselected: dict[int, shapely.Geometry],
    targets_m2: dict[str, float],
    rng: np.random.Generator,
) -> list[BasicPatch]:
    """永久基本农田 patches: the insets of chosen 耕地 parcels, per unit to the target.

    ``preselected`` maps parcel indices to the (uninset) shape their patch must cover, for the
    planted cases whose patch is larger than today's parcel.
    """
    patches = [BasicPatch(i, parcels.unit[i], g, 0.0) for i, g in _inset_all(preselected).items()]
    pool = parcels.is_farmland() & ~parcels.straddle & ~excluded & (parcels.kind == "land")
    pool[list(preselected)] = False
    candidates = np.flatnonzero(pool)
    inset = buffer_m(parcels.geom[candidates], -INSET_M)
    usable = (shapely.get_type_id(inset) == 3) & (shapely.area(inset) > 0)
    candidates, inset = candidates[usable], inset[usable]
    area = geodesic_areas_m2(inset)
    jitter = rng.uniform(0, 0.15, len(candidates))
    score = (parcels.dlbm[candidates] == "0101") + (1 - parcels.relief[candidates]) + jitter
    for unit, target in targets_m2.items():
        have = sum(geodesic_areas_m2([p.geom])[0] for p in patches if p.unit == unit)
        here = np.flatnonzero(parcels.unit[candidates] == unit)
        order = here[np.argsort(-score[here], kind="stable")]
        for k in order[pick_to_target(area[order], target - have)]:
            patches.append(BasicPatch(int(candidates[k]), unit, inset[k], 0.0))
    patches.sort(key=lambda p: p.parcel)
    areas = np.round(geodesic_areas_m2([p.geom for p in patches]), 2)
    return [
        BasicPatch(p.parcel, p.unit, p.geom, float(a)) for p, a in zip(patches, areas, strict=True)
    ]


def _inset_all(shapes: dict[int, shapely.Geometry]) -> dict[int, shapely.Geometry]:
    if not shapes:
        return {}
    inset = buffer_m(np.array(list(shapes.values()), dtype=object), -INSET_M)
    return dict(zip(shapes, inset, strict=True))
