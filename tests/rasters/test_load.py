"""`load_raster`: a good GeoTIFF becomes a valid COG and one row; every bad one is refused with
its message and leaves no row and no file."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import CRS, Transformer
from rio_cogeo.cogeo import cog_validate
from sqlalchemy import text

from etl.rasters import load_raster
from gis.errors import InvalidInputError
from tests.rasters.conftest import DISTRICT, PLAIN_GK, PREFIXED_GK, gk_box, plane, write_tif


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT kind, epsg, res_x, width, height, value_min, value_max, sha256, path, "
                "source, ST_XMin(extent) AS xmin, ST_YMax(extent) AS ymax FROM rasters "
                "ORDER BY kind"
            )
        ).all()


def _files(settings) -> set[str]:
    folder = settings.var_dir / "rasters"
    return {p.name for p in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture
def clean(raster_db):
    engine, settings = raster_db
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rasters"))
    for p in (settings.var_dir / "rasters").glob("*.tif"):
        p.unlink()
    return engine, settings


def test_dem_becomes_a_valid_cog_and_one_row(clean, tmp_path: Path) -> None:
    engine, settings = clean
    data = plane(res=20.0)  # 600 × 670 pixels: more than one 512-pixel block, so overviews
    source = write_tif(tmp_path / "dem.tif", data, res=20.0)
    report = load_raster(engine, source, "dem", settings=settings)
    [row] = _rows(engine)
    assert (row.kind, row.epsg, row.res_x) == ("dem", PLAIN_GK, 20.0)
    assert (row.width, row.height) == (data.shape[1], data.shape[0])
    assert (row.value_min, row.value_max) == (float(data.min()), float(data.max()))
    assert row.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    cog = settings.var_dir / row.path
    valid, errors, _ = cog_validate(cog, quiet=True)
    assert valid, errors
    with rasterio.open(cog) as src:
        assert src.overviews(1), "a COG of this size has overviews"
        assert src.block_shapes[0] == (512, 512)
        assert src.compression.name == "deflate"
        np.testing.assert_array_equal(src.read(1), data)
    web = cog.with_name(cog.stem + "-web.tif")  # the copy tiles are drawn from
    valid, errors, _ = cog_validate(web, quiet=True)
    assert valid, errors
    with rasterio.open(web) as src:
        assert src.crs.to_epsg() == 3857
    # The extent's west edge: the grid's top-left corner taken to lon/lat with pyproj.
    left, _, _, top = gk_box(PLAIN_GK)
    lon, _ = Transformer.from_crs(PLAIN_GK, 4490, always_xy=True).transform(left, top)
    assert row.xmin == pytest.approx(lon, abs=1e-3)
    assert report.district_share == 1.0
    assert report.replaced is False


def test_zone_prefixed_gauss_kruger_is_read(clean, tmp_path: Path) -> None:
    engine, settings = clean
    source = write_tif(tmp_path / "dem38.tif", plane(PREFIXED_GK), epsg=PREFIXED_GK)
    load_raster(engine, source, "dem", settings=settings)
    [row] = _rows(engine)
    assert row.epsg == PREFIXED_GK
    assert row.xmin == pytest.approx(DISTRICT[0] - 0.0106, abs=2e-3)  # 1 km west of 113.30


def test_prefixed_x_under_a_plain_definition_is_recognised(clean, tmp_path: Path) -> None:
    """X ≈ 38 4xx xxx written under "CM 114E" (EPSG:4547): the coordinates carry the zone."""
    engine, settings = clean
    left, _, _, top = gk_box(PREFIXED_GK)
    source = write_tif(
        tmp_path / "mislabelled.tif",
        plane(PREFIXED_GK),
        crs_wkt=CRS.from_epsg(PLAIN_GK).to_wkt(),
        origin=(left, top),
    )
    report = load_raster(engine, source, "dem", settings=settings)
    assert report.epsg == PREFIXED_GK
    assert report.warnings, "the disagreement between the definition and X is reported"
    with rasterio.open(settings.var_dir / _rows(engine)[0].path) as src:
        assert src.crs.to_epsg() == PREFIXED_GK


def test_reload_replaces_row_and_file(clean, tmp_path: Path) -> None:
    engine, settings = clean
    first = write_tif(tmp_path / "a.tif", plane())
    load_raster(engine, first, "dem", settings=settings)
    [old] = _rows(engine)
    second = write_tif(tmp_path / "b.tif", plane() + 5)
    report = load_raster(engine, second, "dem", settings=settings)
    [new] = _rows(engine)
    assert report.replaced is True
    assert new.source == "b.tif" and new.value_min == old.value_min + 5
    assert not (settings.var_dir / old.path).exists()
    assert _files(settings) == {Path(new.path).name, Path(new.path).stem + "-web.tif"}


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.tif"
    path.write_bytes(b"II*\x00" + bytes(range(256)) * 8)
    return path


def _truncated(tmp_path: Path) -> Path:
    path = write_tif(tmp_path / "whole.tif", plane(), tiled=False)
    cut = tmp_path / "truncated.tif"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return cut


def _outside(tmp_path: Path) -> Path:
    left, _, _, top = gk_box(PLAIN_GK)
    return write_tif(tmp_path / "far.tif", plane(), origin=(left + 100_000, top))


BAD = [
    ("no CRS", lambda p: write_tif(p / "nocrs.tif", plane(), epsg=None), "dem", "没有坐标系"),
    ("outside", _outside, "dem", "与区界不相交"),
    ("corrupt", _corrupt, "dem", "无法读取栅格文件"),
    ("truncated", _truncated, "dem", "不完整或已损坏"),
    (
        "dem with 3 bands",
        lambda p: write_tif(p / "rgb.tif", np.stack([plane()] * 3)),
        "dem",
        "DEM 须为单波段数值栅格",
    ),
    (
        "float land cover",
        lambda p: write_tif(p / "lc.tif", plane()),
        "landcover",
        "土地覆盖须为单波段整数栅格",
    ),
    (
        "one-band ortho",
        lambda p: write_tif(p / "o.tif", plane().astype("uint8")),
        "ortho",
        "正射影像须为 3 或 4 个 8 位波段",
    ),
    (
        "all nodata",
        lambda p: write_tif(p / "empty.tif", np.full((50, 50), -1, "float32"), nodata=-1),
        "dem",
        "没有有效像元",
    ),
    ("unknown kind", lambda p: write_tif(p / "x.tif", plane()), "lidar", "未知栅格类型"),
]


@pytest.mark.parametrize(("make", "kind", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_raster_is_refused_and_nothing_registered(
    clean, tmp_path: Path, make, kind: str, message: str
) -> None:
    engine, settings = clean
    good = write_tif(tmp_path / "good.tif", plane())
    load_raster(engine, good, "dem", settings=settings)
    before_rows, before_files = _rows(engine), _files(settings)
    with pytest.raises(InvalidInputError, match=message):
        load_raster(engine, make(tmp_path), kind, settings=settings)
    assert _rows(engine) == before_rows
    assert _files(settings) == before_files


def test_refused_without_a_district(engine, settings, tmp_path: Path) -> None:
    """With no district loaded the platform cannot tell whether a raster is ours: refused."""
    from tests.conftest import fresh_database

    empty, empty_settings = fresh_database(engine, settings, "rasters_nodistrict")
    empty_settings = empty_settings.model_copy(update={"var_dir": tmp_path})
    try:
        with pytest.raises(InvalidInputError, match="尚未导入区界"):
            load_raster(
                empty, write_tif(tmp_path / "d.tif", plane()), "dem", settings=empty_settings
            )
        with empty.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM rasters")).scalar_one() == 0
        assert not (tmp_path / "rasters").exists() or not any((tmp_path / "rasters").iterdir())
    finally:
        empty.dispose()
