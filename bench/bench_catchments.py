"""Benchmark: delineating every section's catchment on a 10 m DEM of the whole district.

The demonstration DEM at 10 m (made from data/shapefiles/ as ``demo generate --scale full``
makes it), clipped to the district, rivers burned in, reservoirs and lakes (地类图斑 1102/1103)
burned as flat sinks, every section of sections.shp snapped and
delineated with :func:`gis.catchments.delineate`, polygons made with
:func:`gis.catchments.polygons`. Prints the cells, the time of each step and the process's
peak resident memory. Goal (issue 19): under one minute and under 2 GB. Printed only.

    .venv/bin/python bench/bench_catchments.py [--resolution 10]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import rasterio
import rasterio.features
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.demo.rasters import write_dem
from gis.catchments import LAKE_CODES, delineate, polygons
from layers.settings import REPO_ROOT

DEMO = REPO_ROOT / "data" / "shapefiles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, default=10.0)
    parser.add_argument(
        "--dem", type=Path, help="a DEM made before (the peak memory is then delineation's own)"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    if args.dem:
        path = args.dem
    else:
        folder = Path(tempfile.mkdtemp(prefix="watershed-bench-catchments-"))
        path = write_dem(DEMO, folder / "dem.tif", args.resolution)
    made = time.perf_counter() - start
    with rasterio.open(path) as src:
        dem, transform, crs = src.read(1), src.transform, src.crs
        args.resolution = src.res[0]
    district = gpd.read_file(DEMO / "district.shp").to_crs(crs).geometry.union_all()
    rivers = gpd.read_file(DEMO / "rivers.shp").to_crs(crs).geometry
    parcels = gpd.read_file(DEMO / "farmland.shp", columns=["DLBM"])
    lakes = parcels[parcels.DLBM.isin(LAKE_CODES)].to_crs(crs).geometry
    sections = gpd.read_file(DEMO / "sections.shp").to_crs(crs)
    code_field = next(c for c in sections.columns if c.upper() in ("DMBM", "CODE", "BM"))
    points = [
        (str(c), g.x, g.y) for c, g in zip(sections[code_field], sections.geometry, strict=True)
    ]
    start = time.perf_counter()
    inside = rasterio.features.geometry_mask([district], dem.shape, transform, invert=True)
    dem[~inside] = -9999.0
    streams = rasterio.features.rasterize(
        rivers, out_shape=dem.shape, transform=transform, all_touched=True, dtype="uint8"
    ).astype(bool)
    water = rasterio.features.rasterize(
        lakes, out_shape=dem.shape, transform=transform, all_touched=True, dtype="uint8"
    ).astype(bool)
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    result = delineate(dem, -9999.0, transform, streams, points, lakes=water)
    del water
    delineated = time.perf_counter() - start
    start = time.perf_counter()
    shapes = polygons(result, transform)
    polygonised = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"DEM {dem.shape[1]} × {dem.shape[0]} @ {args.resolution:g} m: {dem.size:,} cells, "
          f"{int(inside.sum()):,} in the district; {len(points)} sections, "
          f"{sum(s.row is not None for s in result.snaps)} snapped, "
          f"{sum(s.lake for s in result.snaps)} of them to a lake's outlet")  # fmt: skip
    print(f"make or read the DEM    {made:7.1f} s (not part of the goal)")
    print(f"clip + rasterise        {prepared:7.1f} s")
    print(f"fill, D8, snap, basins  {delineated:7.1f} s")
    print(f"polygons                {polygonised:7.1f} s")
    print(f"total delineation       {prepared + delineated + polygonised:7.1f} s (goal < 60 s)")
    print(f"peak memory (RSS)       {peak_gb:7.2f} GB (goal < 2 GB)")
    areas = {c: shapely.area(w) / 1e6 for c, (_, w) in shapes.items()}
    print("largest catchments (km², planar GK):", sorted(areas.items(), key=lambda kv: -kv[1])[:3])


if __name__ == "__main__":
    main()
