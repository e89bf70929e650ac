"""非农化 screening (耕地非农化筛查): each 耕地 parcel's share of non-cropland cover in the
land-cover raster, by exact zonal statistics (exactextract: every pixel weighted by the share
of it the parcel covers).

A candidate list for a field check, never a verdict: a parcel over the threshold is listed
with its share; a parcel the raster covers for less than :data:`MIN_COVERED` of its area is
无法判定 and says so.
"""

from __future__ import annotations

import json

import geopandas as gpd
import shapely
from exactextract import exact_extract
from sqlalchemy import Engine

from gis.compliance import FARMLAND_CODES
from gis.rasters import KINDS
from layers.rasters import cog_path, get_raster
from layers.settings import Settings
from layers.sql import query

CROPLAND = 1  # pixel value of 耕地 in the land-cover legend (三调 一级类 01)
DEFAULT_THRESHOLD = 0.5
MIN_COVERED = 0.5


def nonfarm_screening(
    engine: Engine, settings: Settings, threshold: float = DEFAULT_THRESHOLD
) -> dict:
    """Candidates (share of non-cropland cover > ``threshold``) and the parcels not judged."""
    return _screen(engine, settings, threshold, geometry=False)


def nonfarm_geojson(
    engine: Engine, settings: Settings, threshold: float = DEFAULT_THRESHOLD
) -> dict:
    """The candidates as a GeoJSON FeatureCollection (EPSG:4490 coordinates) for the map, with
    the screening's figures (threshold, parcels screened, parcels not judged) as members."""
    result = _screen(engine, settings, threshold, geometry=True)
    features = [
        {"type": "Feature", "geometry": c.pop("geometry"), "properties": c}
        for c in result.pop("candidates")
    ]
    undetermined = len(result.pop("undetermined"))
    return {
        "type": "FeatureCollection",
        "features": features,
        **result,
        "undetermined": undetermined,
    }


def _screen(engine: Engine, settings: Settings, threshold: float, geometry: bool) -> dict:
    raster = get_raster(engine, "landcover")
    params = {"epsg": raster.epsg, "farmland_codes": list(FARMLAND_CODES)}
    with engine.connect() as conn:
        rows = conn.execute(query("nonfarm_parcels"), params).all()
    out = {"raster": KINDS["landcover"], "threshold": threshold, "parcels": len(rows)}
    if not rows:
        return {**out, "candidates": [], "undetermined": []}
    frame = gpd.GeoDataFrame(
        {"bsm": [r.bsm for r in rows]},
        geometry=[shapely.from_wkb(r.wkb) for r in rows],
        crs=f"EPSG:{raster.epsg}",
    )
    stats = exact_extract(
        str(cog_path(settings.var_dir, raster)),
        frame,
        ["count", "frac", "unique"],
        include_cols=["bsm"],
        output="pandas",
    )
    pixel_m2 = raster.res_x * raster.res_y
    by_bsm = {stat["bsm"]: stat for stat in stats.to_dict("records")}
    candidates, undetermined = [], []
    for row in rows:
        stat = by_bsm[row.bsm]
        record = {"bsm": row.bsm, "dlbm": row.dlbm, "zldwmc": row.zldwmc, "area_m2": row.area_m2}
        # Valid pixels' coverage over the parcel's planar area in the raster's CRS.
        covered = stat["count"] * pixel_m2 / shapely.from_wkb(row.wkb).area
        if covered < MIN_COVERED:
            reason = "土地覆盖栅格未覆盖该图斑的一半以上，无法判定"
            undetermined.append({**record, "covered": covered, "reason": reason})
            continue
        # frac[i] is the share of the covered area whose pixels hold unique[i].
        crop = dict(zip(stat["unique"].tolist(), stat["frac"].tolist(), strict=True))
        share = 1.0 - crop.get(CROPLAND, 0.0)
        if share > threshold:
            candidate = {**record, "nonfarm_share": share, "covered": covered}
            if geometry:
                candidate["geometry"] = json.loads(row.geojson)
            candidates.append(candidate)
    return {**out, "candidates": candidates, "undetermined": undetermined}
