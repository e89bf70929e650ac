"""Demonstration rasters (示例栅格): a synthetic DEM shaped by the rivers, and the land cover.

Both are made from the dataset's own files, so they agree with it whatever the seed:

- **DEM.** Each river falls steadily from source to mouth (main rivers 1.2 m/km from 50–60 m
  at the district's edge, tributaries 2 m/km from their confluence). The ground is the lowest,
  over the rivers, of "level of the nearest river point + valley side", a continuous surface
  on which every river is the floor of its valley (flat-bottomed: the side rises with the
  square of the distance near the river, so a river's course is not lost between cells); the
  sketched hills (:data:`etl.demo.geography.HILLS`) and a crest along the units' shared
  boundary rise on top, both fading to nothing at the rivers, so the boundary is a divide
  wherever it keeps away from the rivers (at the 府澴河/㵐水 confluence it cannot be).
- **Land cover.** The 地类图斑 (``farmland.shp``) rasterised by their 三调 一级类
  (:func:`gis.rasters.landcover_value`), nodata outside the district, except a few planted
  耕地 parcels drawn as 住宅用地 (:func:`planted_nonfarm`) for the 非农化 screening to find.

Written in CGCS2000 3-degree Gauss-Krüger zone 38 with the zone number in X (EPSG:4526), the
projection the bureau's farmland file uses, on a grid snapped to the resolution. The demo
scale uses 30 m (made at ``demo load`` time, a few seconds, never committed); ``--scale full``
writes a 10 m DEM of the whole district.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.transform import from_origin
from scipy.interpolate import RegularGridInterpolator
from scipy.spatial import cKDTree

from etl.demo.geography import HILLS
from etl.demo.planar import GK_EPSG, to_gk
from etl.rasters import RasterReport, load_raster
from gis.rasters import LANDCOVER_NODATA, landcover_value

DEMO_RESOLUTION = 30.0
FULL_RESOLUTION = 10.0
DEM_NODATA = -9999.0
MARGIN_M = 2000.0  # the DEM reaches this far beyond the district, so rivers enter and leave it
MAIN_GRADIENT = 1.2 / 1000  # m per m
TRIBUTARY_GRADIENT = 2.0 / 1000
MOUTH_M = 50.0  # where the longest main river leaves the district; other main rivers 10 m higher
HILL_M = 320.0  # height of a sketched hill of height 1
RIDGE_M = 100.0  # the divide along the units' shared boundary
_SAMPLE_M = 20.0  # river points every this many metres
_ROWS = 256
_COARSE = 3  # the field is evaluated on a grid this many cells coarser
_NONFARM_EVERY = 600


def river_levels(rivers: gpd.GeoDataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per river, (points (n, 2) in GK metres, water level (n,)) every 20 m along it.

    A river whose last point lies on another river is its tributary; levels are assigned
    parents first, so a tributary meets its river at the river's level.
    """
    lines = {row.HLMC: to_gk(shapely.line_merge(row.geometry)) for row in rivers.itertuples()}
    parent = {}
    for name, line in lines.items():
        end = shapely.Point(shapely.get_coordinates(line)[-1])
        parent[name] = next(
            (other for other, o in lines.items() if other != name and o.distance(end) < 1.0), None
        )
    mains = sorted((n for n in lines if parent[n] is None), key=lambda n: -lines[n].length)
    mouth = {n: MOUTH_M + (0.0 if i == 0 else 10.0) for i, n in enumerate(mains)}
    done: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    while len(done) < len(lines):
        for name, line in lines.items():
            if name in done or (parent[name] is not None and parent[name] not in done):
                continue
            if parent[name] is None:
                base, gradient = mouth[name], MAIN_GRADIENT
            else:
                end = shapely.Point(shapely.get_coordinates(line)[-1])
                base, gradient = _level_at(done[parent[name]], end), TRIBUTARY_GRADIENT
            s = np.append(np.arange(0.0, line.length, _SAMPLE_M), line.length)
            xy = shapely.get_coordinates(line.interpolate(s))
            done[name] = (xy, base + gradient * (line.length - s))
    return list(done.values())


def _level_at(river: tuple[np.ndarray, np.ndarray], point: shapely.Point) -> float:
    xy, z = river
    return float(z[np.argmin(np.hypot(xy[:, 0] - point.x, xy[:, 1] - point.y))])


def grid(outline_gk: shapely.Geometry, resolution: float) -> tuple[rasterio.Affine, int, int]:
    """Transform, width and height of a grid covering the outline plus the margin."""
    xmin, ymin, xmax, ymax = outline_gk.buffer(MARGIN_M).bounds
    left, top = np.floor(xmin / resolution) * resolution, np.ceil(ymax / resolution) * resolution
    width = int(np.ceil((xmax - left) / resolution))
    height = int(np.ceil((top - ymin) / resolution))
    return from_origin(left, top, resolution, resolution), width, height


def elevation(
    x: np.ndarray,
    y: np.ndarray,
    rivers: list[tuple[cKDTree, np.ndarray]],
    divide: cKDTree | None,
) -> np.ndarray:
    """Ground elevation (m) at GK points (x, y).

    The valley floor is the lowest, over the rivers, of the nearest river point's level plus
    a side that rises with the distance to it: a minimum of continuous surfaces, so where two
    valleys meet there is a crease (a divide), never a step.
    """
    xy = np.column_stack([x, y])
    ground = np.full(len(x), np.inf)
    nearest = np.full(len(x), np.inf)
    for tree, levels in rivers:
        distance, index = tree.query(xy)
        side = 30.0 * (1 - np.exp(-((distance / 1200.0) ** 2))) + 0.004 * np.maximum(
            distance - 500.0, 0.0
        )
        ground = np.minimum(ground, levels[index] + side)
        nearest = np.minimum(nearest, distance)
    fade = 1 - np.exp(-((nearest / 1500.0) ** 2))  # hills and ridge vanish at the rivers
    px, py = _km(*_lonlat(x, y))
    hills = np.zeros_like(x)
    for hill in HILLS:
        hx, hy = _km(*hill.centre)
        hills += hill.height * np.exp(-((px - hx) ** 2 + (py - hy) ** 2) / (2 * hill.sigma_km**2))
    ridge = np.zeros_like(x)
    if divide is not None:
        ridge_km = divide.query(xy)[0] / 1000.0
        ridge = RIDGE_M * np.exp(-ridge_km / 1.5)  # a crest, not a dome
    return ground + fade * (HILL_M * hills + ridge)


def _km(lon, lat):
    return np.asarray(lon) * 111.32 * np.cos(np.radians(31.6)), np.asarray(lat) * 110.57


def _lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from etl.demo.planar import _transformer  # the generator's own cached transformer

    return _transformer(GK_EPSG, 4490).transform(x, y)


def write_dem(folder: Path, out: Path, resolution: float = DEMO_RESOLUTION) -> Path:
    """The DEM GeoTIFF of the dataset in ``folder``, written to ``out``.

    The field is smooth at the scale of a valley (a kilometre), so it is evaluated on a grid
    :data:`_COARSE` times coarser and interpolated bilinearly to the cells: 9× less work for
    a difference of decimetres.
    """
    rivers = gpd.read_file(folder / "rivers.shp").to_crs(4490)
    units = gpd.read_file(folder / "units.shp").to_crs(4490)
    outline = to_gk(shapely.union_all(units.geometry.values))
    boundaries = [to_gk(g.boundary) for g in units.geometry.values]
    divide = shapely.intersection(*boundaries[:2]) if len(boundaries) >= 2 else shapely.Point()
    trees = [(cKDTree(xy), levels) for xy, levels in river_levels(rivers)]
    transform, width, height = grid(outline, resolution)
    coarse = _coarse_field(transform, width, height, trees, divide)
    profile = _profile(transform, width, height, "float32", DEM_NODATA)
    with rasterio.open(out, "w", **profile) as dst:
        for row in range(0, height, _ROWS):
            rows = np.arange(row, min(row + _ROWS, height))
            cc, rr = np.meshgrid(np.arange(width), rows)
            x, y = rasterio.transform.xy(transform, rr.ravel(), cc.ravel())
            z = coarse((np.asarray(y), np.asarray(x)))
            window = rasterio.windows.Window(0, row, width, len(rows))
            dst.write(np.round(z, 1).reshape(len(rows), width).astype("float32"), 1, window=window)
    return out


def _coarse_field(transform, width, height, rivers, divide) -> RegularGridInterpolator:
    step = transform.a * _COARSE
    left, top = transform.c, transform.f
    xs = np.arange(left - step, left + width * transform.a + 2 * step, step)
    ys = np.arange(top - height * transform.a - 2 * step, top + 2 * step, step)
    gx, gy = np.meshgrid(xs, ys)
    divide_xy = shapely.get_coordinates(shapely.segmentize(divide, _SAMPLE_M))
    divide_tree = cKDTree(divide_xy) if len(divide_xy) else None
    z = elevation(gx.ravel(), gy.ravel(), rivers, divide_tree).reshape(gx.shape)
    return RegularGridInterpolator((ys, xs), z, method="linear")


def planted_nonfarm(parcels: gpd.GeoDataFrame) -> list[str]:
    """BSM of the 耕地 parcels the land cover shows as 住宅用地: every
    :data:`_NONFARM_EVERY`-th 耕地 parcel of at least 2 ha in BSM order (the 非农化 screening
    has something to find; the vector data are left as they are)."""
    farmland = parcels[parcels["DLBM"].isin(["0101", "0102", "0103"]) & (parcels.area >= 20_000)]
    return sorted(farmland["BSM"])[::_NONFARM_EVERY]


def write_landcover(folder: Path, out: Path, resolution: float = DEMO_RESOLUTION) -> Path:
    """The land-cover GeoTIFF (三调 一级类 per pixel) of the 地类图斑 in ``folder``, with the
    :func:`planted_nonfarm` parcels drawn as 住宅用地 (07)."""
    parcels = gpd.read_file(folder / "farmland.shp", columns=["BSM", "DLBM"]).to_crs(GK_EPSG)
    units = gpd.read_file(folder / "units.shp").to_crs(GK_EPSG)
    transform, width, height = grid(shapely.union_all(units.geometry.values), resolution)
    planted = set(planted_nonfarm(parcels))
    values = [
        7 if bsm in planted else landcover_value(code)
        for bsm, code in zip(parcels["BSM"], parcels["DLBM"], strict=True)
    ]
    data = rasterize(
        zip(parcels.geometry.values, values, strict=True),
        out_shape=(height, width),
        transform=transform,
        fill=LANDCOVER_NODATA,
        dtype="uint8",
    )
    with rasterio.open(out, "w", **_profile(transform, width, height, "uint8", 0)) as dst:
        dst.write(data, 1)
    return out


def _profile(transform, width: int, height: int, dtype: str, nodata: float) -> dict:
    return {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": dtype,
        "crs": f"EPSG:{GK_EPSG}",
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }


def load_demo_rasters(
    engine, folder: Path, settings, resolution: float = DEMO_RESOLUTION
) -> list[RasterReport]:
    """Make the DEM and land cover of the dataset in ``folder`` and load both (COG, register)."""
    work = settings.var_dir / "demo-rasters"
    work.mkdir(parents=True, exist_ok=True)
    reports = []
    for kind, write in (("dem", write_dem), ("landcover", write_landcover)):
        path = write(folder, work / f"demo-{kind}.tif", resolution)
        reports.append(load_raster(engine, path, kind, settings=settings, actor="demo"))
    return reports
