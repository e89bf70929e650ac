"""Raster tests: a database of their own holding one square district, and GeoTIFF makers.

The district is the square 113.30–113.40°E × 31.60–31.70°N (EPSG:4490). Rasters are written
by the tests with rasterio on grids computed here with pyproj, never by the code under test.
"""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from sqlalchemy import Engine, text

from layers.settings import Settings
from tests.conftest import fresh_database

DISTRICT = (113.30, 31.60, 113.40, 31.70)
PLAIN_GK = 4547  # CGCS2000 3-degree GK, CM 114E, no zone number in X
PREFIXED_GK = 4526  # zone 38, zone number in X (X + 38 000 000)


@pytest.fixture(scope="package")
def raster_db(engine: Engine, settings: Settings, tmp_path_factory) -> Iterator[tuple]:
    own, own_settings = fresh_database(engine, settings, "rasters")
    own_settings = own_settings.model_copy(update={"var_dir": tmp_path_factory.mktemp("var")})
    xmin, ymin, xmax, ymax = DISTRICT
    wkt = f"MULTIPOLYGON((({xmin} {ymin},{xmax} {ymin},{xmax} {ymax},{xmin} {ymax},{xmin} {ymin})))"
    with own.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO district (code, name, geom, source) "
                "VALUES ('421303', '曾都区', ST_GeomFromText(:wkt, 4490), 'test')"
            ),
            {"wkt": wkt},
        )
    yield own, own_settings
    own.dispose()


def gk_box(epsg: int, margin_m: float = 1000.0) -> tuple[float, float, float, float]:
    """The district's bounds in ``epsg`` metres, grown by ``margin_m``."""
    to_gk = Transformer.from_crs(4490, epsg, always_xy=True)
    xmin, ymin, xmax, ymax = DISTRICT
    xs, ys = to_gk.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    return min(xs) - margin_m, min(ys) - margin_m, max(xs) + margin_m, max(ys) + margin_m


def write_tif(
    path: Path,
    data: np.ndarray,
    *,
    epsg: int | None = PLAIN_GK,
    res: float = 100.0,
    origin: tuple[float, float] | None = None,
    nodata: float | None = None,
    crs_wkt: str | None = None,
    **options,
) -> Path:
    """A GeoTIFF of ``data`` ((bands,) rows, cols) with its top-left at ``origin``."""
    data = data if data.ndim == 3 else data[None]
    if origin is None:
        left, _, _, top = gk_box(epsg or PLAIN_GK)
        origin = (left, top)
    profile = {
        "driver": "GTiff",
        "width": data.shape[2],
        "height": data.shape[1],
        "count": data.shape[0],
        "dtype": str(data.dtype),
        "transform": from_origin(*origin, res, res),
        "nodata": nodata,
        **options,
    }
    if crs_wkt is not None:
        profile["crs"] = crs_wkt
    elif epsg is not None:
        profile["crs"] = f"EPSG:{epsg}"
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


def plane(epsg: int = PLAIN_GK, res: float = 100.0) -> np.ndarray:
    """Elevation 100 m + 1 m per 100 m eastwards, covering the district with a 1 km margin."""
    xmin, ymin, xmax, ymax = gk_box(epsg)
    width, height = int(np.ceil((xmax - xmin) / res)), int(np.ceil((ymax - ymin) / res))
    return (100.0 + np.arange(width)[None, :] * res / 100.0 + np.zeros((height, 1))).astype(
        "float32"
    )
