"""Construction projects (建设项目) from the bureau's register, each with its status (XMZT).

Two are planted problems: a logistics park beside G316 that takes 永久基本农田, and a wind
farm on a ridge that takes 生态保护红线. Only 已批/在建/已建 projects count as occupation in
the list (a 拟建 one is a siting question for the overlap report), so the planted ones carry
an occupying status: the park is 已批 (land approved, not yet built: the approval itself is
the problem the list must show) and the wind farm 在建 (turbines going up on the red line).
Two are clean: both inside the 城镇开发边界 on one built-up parcel each, clear of every
protected layer; one is 拟建 (so the register shows both kinds) and one 已建.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.ops import nearest_points

from etl.demo.parcels import Parcels
from etl.demo.planar import buffer_m, rectangle_m
from etl.demo.protected import BasicPatch, RedlinePatch
from gis.area import geodesic_areas_m2


@dataclass(frozen=True)
class Project:
    name: str
    kind: str
    submitter: str
    geom: shapely.Geometry
    planted: str = ""  # "basic_farmland" / "eco_redline" / ""
    status: str = "拟建"  # 项目状态: 拟建 / 已批 / 在建 / 已建
    approval_no: str = ""  # 批准文号 (blank for 拟建)
    approved_on: str = ""  # 批准日期, ISO (blank for 拟建)


class _Layer:
    """Polygons behind an STR tree: which ones a site meets, and by how much."""

    def __init__(self, geoms) -> None:
        self.geoms = np.asarray(list(geoms), dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def meets(self, site: shapely.Geometry) -> bool:
        hits = self.tree.query(site, predicate="intersects")
        return bool(len(hits)) and float(self.area_in(site, hits)) > 0

    def area_in(self, site: shapely.Geometry, hits=None) -> float:
        hits = self.tree.query(site, predicate="intersects") if hits is None else hits
        return float(geodesic_areas_m2(shapely.intersection(self.geoms[hits], site)).sum())


def build_projects(
    parcels: Parcels,
    basic: list[BasicPatch],
    redline: list[RedlinePatch],
    water_zones: list[shapely.Geometry],
    boundary: shapely.Geometry,
    unit: str,
    unit_geom: shapely.Geometry,
) -> list[Project]:
    """The four projects; the two planted ones lie wholly inside ``unit``."""
    shapely.prepare(unit_geom)
    layers = {
        "basic": _Layer(b.geom for b in basic),
        "red": _Layer(r.geom for r in redline),
        "zones": _Layer(water_zones),
        "boundary": _Layer([boundary]),
    }
    logistics = _on_basic(parcels, basic, unit, unit_geom, layers)
    wind = _on_redline(redline, unit, unit_geom, layers)
    factory = _inside_city(parcels, "0601", boundary, layers)
    sewage = _inside_city(parcels, "0809", boundary, layers)
    return [
        Project(
            "曾都区冷链物流园建设项目",
            "仓储物流",
            "随州市曾都区城投物流有限公司",
            logistics,
            "basic_farmland",
            "已批",
            "鄂政土批〔2024〕37号",
            "2024-09-12",
        ),
        Project(
            "曾都区西部山地风电场项目",
            "能源",
            "随州风能发电有限公司",
            wind,
            "eco_redline",
            "在建",
            "随发改能源〔2023〕112号",
            "2023-11-20",
        ),
        Project("曾都经济开发区汽车零部件产业园项目", "工业", "曾都经济开发区管理委员会", factory),
        Project(
            "曾都区城区污水处理厂提标扩建工程",
            "市政公用",
            "随州市曾都区水务局",
            sewage,
            status="已建",
            approval_no="随曾发改审批〔2021〕45号",
            approved_on="2021-04-08",
        ),
    ]


def _clear(site: shapely.Geometry, layers: dict[str, _Layer], *names: str) -> bool:
    return not any(layers[name].meets(site) for name in names)


def _on_basic(parcels, basic, unit, unit_geom, layers) -> shapely.Geometry:
    """400 m × 300 m against G316, over the nearest 永久基本农田 patches (1–9 ha of them)."""
    road = parcels.geom[parcels.feature == "G316国道"]
    patches = [b for b in basic if b.unit == unit]
    geoms = np.array([b.geom for b in patches], dtype=object)
    (_, nearest), distances = shapely.STRtree(road).query_nearest(geoms, return_distance=True)
    for k in np.argsort(distances, kind="stable")[:200]:
        centre = nearest_points(geoms[k], road[nearest[k]])[0]
        site = rectangle_m(centre, 400.0, 300.0)
        taken = layers["basic"].area_in(site)
        if not (10_000 < taken < 90_000 and unit_geom.contains(site)):
            continue
        if _clear(site, layers, "red", "zones", "boundary"):
            return site
    raise ValueError("no site for the planted logistics park")


def _on_redline(redline, unit, unit_geom, layers) -> shapely.Geometry:
    """360 m × 260 m on the edge of the largest non-water red-line patch (≈ 1–5 ha inside)."""
    patches = sorted(
        (r for r in redline if r.unit == unit and r.kind != "水源涵养"), key=lambda r: -r.area_m2
    )
    for patch in patches[:10]:
        ring = shapely.get_exterior_ring(shapely.get_parts(patch.geom)[0])
        for fraction in np.linspace(0, 1, 24, endpoint=False):
            site = rectangle_m(ring.interpolate(fraction, normalized=True), 360.0, 260.0)
            taken = layers["red"].area_in(site)
            if not (10_000 < taken < 50_000 and unit_geom.contains(site)):
                continue
            if _clear(site, layers, "basic", "zones", "boundary"):
                return site
    raise ValueError("no site for the planted wind farm")


def _inside_city(parcels, code, boundary, layers) -> shapely.Geometry:
    """The largest ``code`` parcel inside the boundary, inset 15 m: touches nothing protected."""
    inside = shapely.STRtree(parcels.geom).query(boundary, predicate="contains")
    pool = np.sort(inside[parcels.dlbm[inside] == code])
    for index in pool[np.argsort(-parcels.tbmj[pool], kind="stable")]:
        site = buffer_m(parcels.geom[index], -15.0)
        if site.geom_type == "Polygon" and _clear(site, layers, "basic", "red", "zones"):
            return site
    raise ValueError(f"no {code} parcel for a clean project")
