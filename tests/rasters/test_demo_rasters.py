"""The demonstration rasters agree with the dataset: rivers run in valleys and downhill, the
units' shared boundary is a divide away from the rivers, and the land cover is the parcels'
class. Checked against the committed shapefiles with shapely and pyproj, not the generator."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

from etl.demo.rasters import planted_nonfarm, write_dem, write_landcover
from gis.rasters import landcover_value
from layers.settings import REPO_ROOT

DEMO = REPO_ROOT / "data" / "shapefiles"
GK = 4526


@pytest.fixture(scope="module")
def dem(tmp_path_factory) -> Path:
    return write_dem(DEMO, tmp_path_factory.mktemp("demo") / "dem.tif", resolution=60.0)


def _sample(path: Path, points: np.ndarray) -> np.ndarray:
    with rasterio.open(path) as src:
        return np.array([v[0] for v in src.sample(points)], dtype=float)


def _rivers() -> list[shapely.LineString]:
    return list(gpd.read_file(DEMO / "rivers.shp").to_crs(GK).geometry)


def test_rivers_run_in_valleys(dem: Path) -> None:
    """Every 500 m along every river, the ground 600 m to either side is higher."""
    lower = total = 0
    for line in _rivers():
        for s in np.arange(250.0, line.length - 250.0, 500.0):
            here = np.array(line.interpolate(s).coords[0])
            ahead = np.array(line.interpolate(s + 10).coords[0])
            tangent = (ahead - here) / np.linalg.norm(ahead - here)
            normal = np.array([-tangent[1], tangent[0]])
            z = _sample(dem, np.array([here, here + 600 * normal, here - 600 * normal]))
            total += 1
            lower += bool(z[0] < z[1] and z[0] < z[2])
    assert total > 300
    assert lower == total


def test_rivers_fall_downstream(dem: Path) -> None:
    """Sampled every 500 m from source to mouth, no river rises by more than 0.5 m (the
    bilinear interpolation of the DEM's 60 m cells)."""
    for line in _rivers():
        s = np.arange(0.0, line.length, 500.0)
        z = _sample(dem, shapely.get_coordinates(line.interpolate(s)))
        assert np.diff(z).max() < 0.5, line


def test_shared_boundary_is_a_divide_away_from_rivers(dem: Path) -> None:
    units = list(gpd.read_file(DEMO / "units.shp").to_crs(GK).geometry)
    shared = shapely.line_merge(shapely.intersection(units[0].boundary, units[1].boundary))
    rivers = shapely.union_all(_rivers())
    higher = total = 0
    for line in getattr(shared, "geoms", [shared]):
        for s in np.arange(0.0, line.length - 10.0, 500.0):
            here = line.interpolate(s)
            if here.distance(rivers) < 1500:
                continue
            p = np.array(here.coords[0])
            ahead = np.array(line.interpolate(s + 10).coords[0])
            tangent = (ahead - p) / np.linalg.norm(ahead - p)
            normal = np.array([-tangent[1], tangent[0]])
            z = _sample(dem, np.array([p, p + 1000 * normal, p - 1000 * normal]))
            total += 1
            higher += bool(z[0] > z[1] and z[0] > z[2])
    assert total >= 10
    assert higher / total >= 0.8, (higher, total)


def test_landcover_is_the_parcels_class(tmp_path: Path) -> None:
    """Every parcel's class, except the planted 非农化 parcels, drawn as 住宅用地 (07)."""
    cover = write_landcover(DEMO, tmp_path / "lc.tif")
    parcels = gpd.read_file(DEMO / "farmland.shp", columns=["BSM", "DLBM"]).to_crs(GK)
    planted = set(planted_nonfarm(parcels))
    # 45 m inside a parcel, a 30 m pixel's centre (≤ 21.3 m away) is inside it too.
    inner = shapely.buffer(parcels.geometry.values, -45.0)
    keep = ~shapely.is_empty(inner)
    points = shapely.get_coordinates(shapely.point_on_surface(inner[keep]))
    values = _sample(cover, points)
    expected = np.array(
        [
            7 if b in planted else landcover_value(c)
            for b, c in zip(parcels["BSM"][keep], parcels["DLBM"][keep], strict=True)
        ]
    )
    assert 5 <= len(planted) <= 10 and (expected == 7).sum() >= len(planted) - 1
    assert keep.sum() > 5000
    assert (values == expected).all()


def test_demo_load_registers_both_rasters(raster_db) -> None:
    from sqlalchemy import text

    from etl.demo.rasters import load_demo_rasters

    engine, settings = raster_db
    reports = load_demo_rasters(engine, DEMO, settings, resolution=120.0)
    assert [r.kind for r in reports] == ["dem", "landcover"]
    assert all(r.epsg == GK for r in reports)  # zone-prefixed Gauss-Krüger, as the files
    with engine.connect() as conn:
        kinds = conn.execute(text("SELECT kind, res_x FROM rasters ORDER BY kind")).all()
    assert [tuple(k) for k in kinds] == [("dem", 120.0), ("landcover", 120.0)]


def test_screening_finds_the_planted_parcels(demo_database, tmp_path: Path) -> None:
    from sqlalchemy import text

    from etl.rasters import load_raster
    from layers.nonfarm import nonfarm_screening

    engine, settings = demo_database
    load_raster(engine, write_landcover(DEMO, tmp_path / "lc.tif"), "landcover", settings=settings)
    try:
        result = nonfarm_screening(engine, settings)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM rasters WHERE kind = 'landcover'"))
    parcels = gpd.read_file(DEMO / "farmland.shp", columns=["BSM", "DLBM"]).to_crs(GK)
    found = {c["bsm"]: c["nonfarm_share"] for c in result["candidates"]}
    for bsm in planted_nonfarm(parcels):
        assert found[bsm] > 0.9, bsm  # drawn wholly as 住宅用地: only edge pixels differ
    # The others are small parcels whose 30 m edge pixels belong to their neighbours.
    assert len(found) < len(planted_nonfarm(parcels)) + 0.02 * result["parcels"]
