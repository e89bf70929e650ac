"""The attribute tables (属性表) of each layer, with the field names bureaus use.

三调-style UPPERCASE names (DLBM, TBMJ, YJJBNTTBBH, HXMC …) that the loader's alias table
(:mod:`etl.aliases`) maps onto the schema; fields with no column of their own (QSXZ, GDPDJB,
SYDJB, MJ …) are kept by the loader in ``extra``.
"""

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.build import DemoData
from etl.demo.geography import TOWNS
from etl.demo.landclass import DLMC, STATE_OWNED
from etl.demo.planar import GK_EPSG, to_gk
from etl.demo.writer import LayerTable
from gis.area import geodesic_area_m2, geodesic_areas_m2

_S = object  # text field dtype


def _text(values) -> NDArray:
    return np.array([str(v) for v in values], dtype=_S)


def _real(values, decimals: int = 2) -> NDArray:
    return np.round(np.asarray(values, dtype=float), decimals)


def _date(values) -> NDArray:
    return np.array([v.isoformat() for v in values], dtype="datetime64[D]")


def _yes(values) -> NDArray:
    return _text("是" if v else "否" for v in values)


def layer_tables(data: DemoData) -> list[LayerTable]:
    return [
        _district(data),
        _units(data),
        _rivers(data),
        _reservoirs(data),
        _sections(data),
        _water_zones(data),
        _farmland(data),
        _basic(data),
        _redline(data),
        _urban(data),
        _projects(data),
    ]


def _district(data: DemoData) -> LayerTable:
    fields = {"XZQDM": _text(["421303"]), "XZQMC": _text(["曾都区"])}
    return LayerTable("district", np.array([data.outline], dtype=object), fields, "MultiPolygon")


def _units(data: DemoData) -> LayerTable:
    units = data.baseline.units
    fields = {
        "PQBM": _text(u.code for u in units),
        "PQMC": _text(u.name for u in units),
        "SSXZQ": _text("曾都区" for _ in units),
    }
    geoms = np.array([data.units[u.code] for u in units], dtype=object)
    return LayerTable("units", geoms, fields, "MultiPolygon")


def _rivers(data: DemoData) -> LayerTable:
    rivers = list(data.rivers.values())
    lines = np.array([r.line for r in rivers], dtype=object)
    fields = {
        "HLMC": _text(r.name for r in rivers),
        "BIEMING": _text(r.sketch.alias for r in rivers),
        "HLCD": _real(shapely.length(to_gk(lines)) / 1000.0),  # km inside the district
    }
    return LayerTable("rivers", lines, fields, "MultiLineString")


def _reservoirs(data: DemoData) -> LayerTable:
    rs = data.reservoirs
    fields = {
        "SKBM": _text(r.code for r in rs),
        "SKMC": _text(r.name for r in rs),
        "GCGM": _text(r.scale for r in rs),
        "ZCXSW": _real([r.normal_level_m for r in rs]),
        "XXSW": _real([r.flood_limit_level_m for r in rs]),
        "ZKR": _real([r.capacity_10k_m3 for r in rs], 1),
        "JCRQ": _date(r.completed_on for r in rs),
        "AQJDRQ": _date(r.last_appraisal_on for r in rs),
        "AQLB": _text(r.appraisal_result for r in rs),
        "SFSYD": _yes(r.drinking for r in rs),
        "SYDJB": _text(r.drinking for r in rs),
        "SHFX": _yes(r.bloom_risk for r in rs),
    }
    return LayerTable("reservoirs", np.array([r.point for r in rs], dtype=object), fields, "Point")


def _sections(data: DemoData) -> LayerTable:
    ss = data.sections
    fields = {
        "DMBM": _text(s.code for s in ss),
        "DMMC": _text(s.name for s in ss),
        "KZJB": _text(s.control_level for s in ss),
        "STLX": _text(s.waterbody for s in ss),
        "SZMB": _text(s.target for s in ss),
        "SZHL": _text(s.river for s in ss),
        "SKBM": _text(s.reservoir_code for s in ss),
        "SFSYD": _yes(s.drinking for s in ss),
        "SYDJB": _text(s.source_level for s in ss),
    }
    return LayerTable("sections", np.array([s.point for s in ss], dtype=object), fields, "Point")


def _water_zones(data: DemoData) -> LayerTable:
    zs = data.water_zones
    geoms = np.array([z.geom for z in zs], dtype=object)
    fields = {
        "BHQMC": _text(z.name for z in zs),
        "BHQJB": _text(z.level for z in zs),
        "SYDMC": _text(z.source for z in zs),
        "SYDJB": _text(z.source_level for z in zs),
    }
    return LayerTable("water_source_zones", geoms, fields, "MultiPolygon")


def _farmland(data: DemoData) -> LayerTable:
    p = data.parcels
    farmland = p.is_farmland()
    state = np.isin(p.dlbm, STATE_OWNED)
    town_code = np.array([TOWNS[t].code for t in data.town], dtype=object)
    village_code = np.array(data.villages.codes, dtype=object)[data.village]
    village_name = np.array(data.villages.names, dtype=object)[data.village]
    zl_code = town_code + "000" + "0000000"
    fields = {
        "BSM": _text(parcel_bsm(i) for i in range(len(p))),
        "DLBM": _text(p.dlbm),
        "DLMC": _text(DLMC[c] for c in p.dlbm),
        "QSXZ": _text(np.where(state, "10", "30")),
        "QSDWDM": _text(np.where(state, zl_code, village_code + "0000000")),
        "QSDWMC": _text(np.where(state, [TOWNS[t].name for t in data.town], village_name)),
        "ZLDWDM": _text(zl_code),
        "ZLDWMC": _text(TOWNS[t].name for t in data.town),
        "TBMJ": _real(p.tbmj),
        "KCDLBM": _text(np.where(farmland, "1203", "")),
        "KCXS": _real(p.kcxs(), 2),
        "KCMJ": _real(p.kcmj()),
        "TBDLMJ": _real(p.tbdlmj()),
        "GDPDJB": _text(np.where(farmland, p.grade().astype(str), "")),
    }
    return LayerTable("farmland", p.geom, fields, "MultiPolygon", epsg=GK_EPSG)


def parcel_bsm(index: int) -> str:
    return f"4213032019{index + 1:08d}"


def _basic(data: DemoData) -> LayerTable:
    p, bs = data.parcels, data.basic
    index = np.array([b.parcel for b in bs])
    towns = data.town[index]
    numbers = _numbers_within(towns)
    fields = {
        "YJJBNTTBBH": _text(f"{TOWNS[t].code}{n:05d}" for t, n in zip(towns, numbers, strict=True)),
        "DLBM": _text(p.dlbm[index]),
        "DLMC": _text(DLMC[c] for c in p.dlbm[index]),
        "ZLDWDM": _text(TOWNS[t].code + "0000000000" for t in towns),
        "ZLDWMC": _text(TOWNS[t].name for t in towns),
        "YJJBNTMJ": _real([b.area_m2 for b in bs]),
        "DLTBBSM": _text(parcel_bsm(i) for i in index),
    }
    return LayerTable(
        "basic_farmland", np.array([b.geom for b in bs], dtype=object), fields, "MultiPolygon"
    )


def _numbers_within(groups: NDArray) -> NDArray:
    """1, 2, 3 … within each group, in order of appearance."""
    out = np.zeros(len(groups), dtype=int)
    seen: dict[int, int] = {}
    for n, g in enumerate(groups):
        seen[g] = seen.get(g, 0) + 1
        out[n] = seen[g]
    return out


def _redline(data: DemoData) -> LayerTable:
    rs = data.redline
    fields = {
        "HXBH": _text(r.code for r in rs),
        "HXMC": _text(r.name for r in rs),
        "HXLX": _text(r.kind for r in rs),
        "SZXZ": _text(r.town for r in rs),
        "MJ": _real([r.area_m2 for r in rs]),
    }
    return LayerTable(
        "eco_redline", np.array([r.geom for r in rs], dtype=object), fields, "MultiPolygon"
    )


def _urban(data: DemoData) -> LayerTable:
    fields = {
        "BJMC": _text(["曾都区中心城区城镇开发边界"]),
        "MJ": _real([geodesic_area_m2(data.urban_boundary)]),
    }
    return LayerTable(
        "urban_boundary", np.array([data.urban_boundary], dtype=object), fields, "MultiPolygon"
    )


def _projects(data: DemoData) -> LayerTable:
    ps = data.projects
    geoms = np.array([p.geom for p in ps], dtype=object)
    fields = {
        "XMMC": _text(p.name for p in ps),
        "XMLX": _text(p.kind for p in ps),
        "SBDW": _text(p.submitter for p in ps),
        "XMZT": _text(p.status for p in ps),
        "PZWH": _text(p.approval_no for p in ps),
        "PZRQ": np.array([p.approved_on or "NaT" for p in ps], dtype="datetime64[D]"),
        "YDMJ": _real(geodesic_areas_m2(geoms)),
    }
    return LayerTable("projects", geoms, fields, "MultiPolygon")
