"""The expected figures (预期结果), measured on the written files by an independent route.

Nothing here reuses the generator's in-memory geometry or :mod:`gis.area`: the files are read
back with pyogrio (encoding from the ``.cpg``), the Gauss-Krüger farmland is transformed with
its own pyproj transformer, and every area is :meth:`pyproj.Geod.geometry_area_perimeter` on
the CGCS2000 ellipsoid. These are the figures ``data/shapefiles/README.md`` documents and the
checks must reproduce.
"""

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod, Transformer

from etl.demo.landclass import CONSTRUCTION, FARMLAND
from etl.demo.samples import GB3838_KEYS, sample_headers
from etl.encoding import detect_dbf_encoding
from gis.lab_values import parse_lab_value
from gis.trophic import trophic_state
from gis.water_quality import assess

GEOD = Geod(a=6378137.0, rf=298.257222101)
M2_PER_MU = 10000.0 / 15.0
EVALUATION_DATE = dt.date(2025, 12, 31)
YEAR = 2025
YEARS = (2023, 2024, 2025)
_SLIVER_M2 = 1.0  # overlaps below this are shared-edge arithmetic, not findings


def area_m2(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) if geom is not None else 0.0


def areas_m2(geoms) -> np.ndarray:
    return np.array([area_m2(g) for g in geoms])


def read_layer(folder: Path, key: str) -> pd.DataFrame:
    """A layer's features in lon/lat (EPSG:4490), text decoded by its ``.cpg``."""
    path = folder / f"{key}.shp"
    encoding = detect_dbf_encoding(path).encoding
    frame = pyogrio.read_dataframe(path, encoding=encoding)
    epsg = frame.crs.to_epsg()
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if epsg != 4490:
        transformer = Transformer.from_crs(epsg, 4490, always_xy=True)
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out["geom"] = geoms
    return out


def _wanmu(m2: float) -> float:
    return m2 / M2_PER_MU / 10_000


def _shares(geoms: np.ndarray, units: dict[str, shapely.Geometry]) -> dict[str, np.ndarray]:
    """Each feature's ellipsoidal share inside each unit (exact where it meets the border)."""
    codes = list(units)
    border = shapely.intersection(
        shapely.boundary(units[codes[0]]), shapely.boundary(units[codes[1]])
    )
    near = np.zeros(len(geoms), dtype=bool)
    near[shapely.STRtree(geoms).query(border, predicate="intersects")] = True
    first = shapely.contains_xy(
        units[codes[0]], *shapely.get_coordinates(shapely.point_on_surface(geoms)).T
    )
    shares = {codes[0]: first.astype(float), codes[1]: (~first).astype(float)}
    whole = areas_m2(geoms[near])
    for code in codes:
        shares[code][near] = areas_m2(shapely.intersection(geoms[near], units[code])) / whole
    return shares


def _overlaps(
    left: pd.DataFrame, right: pd.DataFrame, left_id: str, right_id: str, units: dict
) -> list[dict]:
    """Pairs of features overlapping by at least :data:`_SLIVER_M2`: ids, unit, area."""
    tree = shapely.STRtree(right["geom"].to_numpy())
    li, ri = tree.query(left["geom"].to_numpy(), predicate="intersects")
    found = []
    for a, b in zip(li, ri, strict=True):
        shared = shapely.intersection(left["geom"].iat[a], right["geom"].iat[b])
        overlap = area_m2(shared)
        if overlap >= _SLIVER_M2:
            where = shapely.point_on_surface(shared)
            unit = next(name for name, geom in units.items() if geom.covers(where))
            found.append(
                {
                    left_id: left[left_id].iat[a],
                    right_id: right[right_id].iat[b],
                    "unit": unit,
                    "m2": round(overlap, 2),
                    "mu": round(overlap / M2_PER_MU, 4),
                }
            )
    return found


def measure(folder: Path) -> dict[str, Any]:
    """Every figure the README states, from the files in ``folder``."""
    layers = {
        k: read_layer(folder, k)
        for k in (
            "units",
            "farmland",
            "basic_farmland",
            "eco_redline",
            "urban_boundary",
            "projects",
            "water_source_zones",
            "reservoirs",
            "sections",
        )
    }
    units = dict(zip(layers["units"]["PQBM"], layers["units"]["geom"], strict=True))
    names = dict(zip(layers["units"]["PQBM"], layers["units"]["PQMC"], strict=True))
    return {
        "units": _unit_areas(layers, units, names),
        "straddling_parcels": _straddlers(layers["farmland"], units),
        "reservoirs": _reservoirs(layers["reservoirs"], units, names),
        "overlaps": _all_overlaps(layers, {names[c]: g for c, g in units.items()}),
        "sections": _sections(folder, layers["sections"]),
    }


def _unit_areas(layers, units, names) -> list[dict]:
    farmland = layers["farmland"]
    is_farmland = farmland["DLBM"].isin(FARMLAND).to_numpy()
    crop = farmland[is_farmland]
    crop_shares = _shares(crop["geom"].to_numpy(), units)
    out = []
    areas = {}
    for key in ("basic_farmland", "eco_redline"):
        geoms = layers[key]["geom"].to_numpy()
        shares = _shares(geoms, units)
        whole = areas_m2(geoms)
        areas[key] = {code: float(np.sum(whole * shares[code])) for code in units}
    for code in units:
        f = float(np.sum(crop["TBDLMJ"].to_numpy() * crop_shares[code]))
        row = {"code": code, "name": names[code]}
        for key, m2 in (
            ("farmland", f),
            ("basic_farmland", areas["basic_farmland"][code]),
            ("eco_redline", areas["eco_redline"][code]),
        ):
            row[key] = {"m2": round(m2, 2), "wanmu": round(_wanmu(m2), 4)}
        out.append(row)
    return out


def _straddlers(farmland: pd.DataFrame, units) -> list[dict]:
    geoms = farmland["geom"].to_numpy()
    shares = _shares(geoms, units)
    codes = list(units)
    both = (shares[codes[0]] > 1e-6) & (shares[codes[1]] > 1e-6)
    rows = []
    for i in np.flatnonzero(both):
        rows.append(
            {
                "BSM": farmland["BSM"].iat[i],
                "DLBM": farmland["DLBM"].iat[i],
                "TBDLMJ": float(farmland["TBDLMJ"].iat[i]),
                "shares": {c: round(float(shares[c][i]), 6) for c in codes},
            }
        )
    return rows


def _reservoirs(frame: pd.DataFrame, units, names) -> dict:
    unit_of = np.where(
        shapely.contains_xy(
            units[next(iter(units))], *shapely.get_coordinates(frame["geom"].to_numpy()).T
        ),
        next(iter(units)),
        list(units)[1],
    )
    medium = frame["GCGM"].str.startswith("中").to_numpy()
    counts = {
        c: {
            "name": names[c],
            "medium": int(np.sum(medium & (unit_of == c))),
            "small": int(np.sum(~medium & (unit_of == c))),
        }
        for c in units
    }
    overdue, due_soon = [], []
    for n, (_, r) in enumerate(frame.iterrows()):
        completed, last = r["JCRQ"], r["AQJDRQ"]
        due = _add_years(last, 10) if not pd.isna(last) else _add_years(completed, 5)
        # 预警: 6 years or more since the last appraisal (the 6–10 year window is open).
        if due >= EVALUATION_DATE and not pd.isna(last) and _add_years(last, 6) <= EVALUATION_DATE:
            due_soon.append({"SKBM": r["SKBM"], "SKMC": r["SKMC"], "due": due.isoformat()})
        if due < EVALUATION_DATE:
            overdue.append(
                {
                    "SKBM": r["SKBM"],
                    "SKMC": r["SKMC"],
                    "GCGM": r["GCGM"],
                    "unit": names[unit_of[n]],
                    "JCRQ": _day(completed),
                    "AQJDRQ": _day(last),
                    "due": due.isoformat(),
                    "days_overdue": (EVALUATION_DATE - due).days,
                }
            )
    results = frame["AQLB"].value_counts().to_dict() if "AQLB" in frame else {}
    return {
        "counts": counts,
        "overdue": overdue,
        "due": due_soon,
        "results": {k: int(v) for k, v in sorted(results.items())},
    }


def _day(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _add_years(day, years: int) -> dt.date:
    day = pd.Timestamp(day).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _all_overlaps(layers, units: dict) -> dict:
    farmland = layers["farmland"]
    construction = farmland[farmland["DLBM"].isin(CONSTRUCTION)].reset_index(drop=True)
    crop = farmland[farmland["DLBM"].isin(FARMLAND)].reset_index(drop=True)
    basic, red = layers["basic_farmland"], layers["eco_redline"]
    urban, projects, zones = (
        layers["urban_boundary"],
        layers["projects"],
        layers["water_source_zones"],
    )
    return {
        "construction_on_basic_farmland": _overlaps(
            construction, basic, "BSM", "YJJBNTTBBH", units
        ),
        "construction_in_eco_redline": _overlaps(construction, red, "BSM", "HXBH", units),
        "projects_on_basic_farmland": _overlaps(projects, basic, "XMMC", "YJJBNTTBBH", units),
        "projects_in_eco_redline": _overlaps(projects, red, "XMMC", "HXBH", units),
        "projects_in_water_source_zones": _overlaps(projects, zones, "XMMC", "BHQMC", units),
        "projects_on_farmland": _overlaps(projects, crop, "XMMC", "BSM", units),
        "projects_in_urban_boundary": _overlaps(projects, urban, "XMMC", "BJMC", units),
        "urban_boundary_on_basic_farmland": _overlaps(urban, basic, "BJMC", "YJJBNTTBBH", units),
        "urban_boundary_on_eco_redline": _overlaps(urban, red, "BJMC", "HXBH", units),
        "basic_farmland_on_eco_redline": _overlaps(basic, red, "YJJBNTTBBH", "HXBH", units),
        "non_farmland_under_basic_farmland": _overlaps(
            farmland[~farmland["DLBM"].isin(FARMLAND)].reset_index(drop=True),
            basic,
            "BSM",
            "YJJBNTTBBH",
            units,
        ),
    }


# The evaluation method's annual sample-count rule (评价办法 二(二)), written out here apart
# from gis.sampling so the README's figures check the code: 国控 sections need all twelve
# months; the others at least three samples covering 丰 (5–9), 平 (3–4, 10–11) and 枯 (12–2).
WATER_PERIOD_MONTHS = ({5, 6, 7, 8, 9}, {3, 4, 10, 11}, {12, 1, 2})


def _annual_rule(control_level: str, dates: pd.Series) -> dict:
    months = {int(d[5:7]) for d in dates}
    if control_level == "国控":
        met = len(months) == 12
    else:
        met = len(set(dates)) >= 3 and all(months & p for p in WATER_PERIOD_MONTHS)
    return {"months": len(months), "met": met}


def _sections(folder: Path, sections: pd.DataFrame) -> list[dict]:
    """Per section: each year's mean class, the 2025 means, and every month worse than Ⅲ."""
    table = pd.read_csv(folder / "samples.csv", dtype=str, encoding="utf-8-sig")
    table = table.rename(columns={title: key for key, title in sample_headers().items()})
    rows = []
    for _, s in sections.iterrows():
        waterbody = "lake" if s["STLX"] == "湖库" else "river"
        mine = table[table["code"] == s["DMBM"]]
        classes, means = {}, {}
        for year in YEARS:
            period = mine[mine["date"].str.startswith(str(year))]
            means[year] = {
                k: math.fsum(parse_lab_value(v).value for v in period[k]) / len(period)
                for k in GB3838_KEYS
            }
            assessed = assess(means[year], waterbody)
            classes[str(year)] = {"class": assessed.label, "main": list(assessed.main_pollutants)}
        bad_months = []
        for _, sample in mine.iterrows():
            one = assess({k: parse_lab_value(sample[k]).value for k in GB3838_KEYS}, waterbody)
            if one.grade > 3:
                bad_months.append(
                    {
                        "date": sample["date"],
                        "class": one.label,
                        "nh3n": float(sample["nh3n"]),
                        "tp": float(sample["tp"]),
                    }
                )
        rows.append(
            {
                "code": s["DMBM"],
                "name": s["DMMC"],
                "control_level": s["KZJB"],
                "waterbody": s["STLX"],
                "samples": {str(y): int(mine["date"].str.startswith(str(y)).sum()) for y in YEARS},
                "annual_rule": {
                    str(y): _annual_rule(
                        s["KZJB"], mine.loc[mine["date"].str.startswith(str(y)), "date"]
                    )
                    for y in YEARS
                },
                "classes": classes,
                "means_2025": {k: round(means[YEAR][k], 4) for k in ("nh3n", "tp", "codmn", "do")},
                "months_worse_than_III": bad_months,
                "trophic_2025": _trophic(mine[mine["date"].str.startswith(str(YEAR))]),
            }
        )
    return rows


def _trophic(period: pd.DataFrame) -> dict | None:
    """TLI(Σ) of the year's means where chlorophyll a was measured (bloom-risk reservoirs)."""
    measured = period.dropna(subset=["chla"])
    if measured.empty:
        return None
    means = {
        k: math.fsum(parse_lab_value(v).value for v in measured[k]) / len(measured)
        for k in ("chla", "tp", "tn", "sd", "codmn")
    }
    state = trophic_state(means)
    return {
        "means": {k: round(v, 4) for k, v in means.items()},
        "tli": round(state.index, 2),
        "grade": state.grade,
    }
