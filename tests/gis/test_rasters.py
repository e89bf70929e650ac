"""Raster rules without a database: kinds, the land-cover legend, hillshade against geometry."""

import numpy as np
import pytest

from gis.errors import InvalidInputError
from gis.rasters import check_type, hillshade, landcover_value, relief_rgba


def _lambert(dz_east: float, dz_north: float, azimuth: float, altitude: float) -> float:
    """cos of the angle between the surface normal and the sun, from vectors (x east, y north)."""
    normal = np.array([-dz_east, -dz_north, 1.0])
    normal /= np.linalg.norm(normal)
    az, alt = np.radians(azimuth), np.radians(altitude)
    sun = np.array([np.sin(az) * np.cos(alt), np.cos(az) * np.cos(alt), np.sin(alt)])
    return max(float(normal @ sun), 0.0)


@pytest.mark.parametrize(
    ("dz_east", "dz_north"), [(0.0, 0.0), (0.3, 0.0), (-0.3, 0.0), (0.0, 0.5), (0.2, -0.4)]
)
def test_hillshade_of_a_plane_is_lambert(dz_east: float, dz_north: float) -> None:
    res = 10.0
    rows, cols = np.mgrid[0:9, 0:9]
    x, y = cols * res, -rows * res  # row 0 is the northernmost
    elevation = 100 + dz_east * x + dz_north * y
    shade = hillshade(elevation, res, res)
    assert shade[4, 4] == pytest.approx(_lambert(dz_east, dz_north, 315, 45), abs=1e-9)
    assert np.allclose(shade[1:-1, 1:-1], shade[4, 4])


def test_slopes_facing_the_sun_are_lighter() -> None:
    rows, cols = np.mgrid[0:5, 0:5]
    # rows grow southwards: 3·cols + 3·rows rises to the south-east, so it faces north-west
    facing_nw = hillshade(3.0 * cols + 3.0 * rows, 10, 10)[2, 2]
    facing_se = hillshade(-3.0 * cols - 3.0 * rows, 10, 10)[2, 2]
    assert facing_nw > hillshade(np.zeros((5, 5)), 10, 10)[2, 2] > facing_se


def test_relief_is_clear_where_there_is_no_data() -> None:
    elevation = np.array([[0.0, 50.0], [100.0, 0.0]])
    valid = np.array([[True, True], [True, False]])
    rgba = relief_rgba(elevation, valid, np.ones((2, 2)), 0.0, 100.0)
    assert rgba.shape == (4, 2, 2)
    assert rgba[3].tolist() == [[255, 255], [255, 0]]
    assert tuple(rgba[:3, 0, 0]) == (0x5A, 0x9A, 0x5A)  # lowest tint, full light
    assert tuple(rgba[:3, 1, 0]) == (0xF4, 0xEF, 0xE8)  # highest tint


@pytest.mark.parametrize(
    ("code", "value"), [("0101", 1), ("0103", 1), ("0301", 3), ("1104", 11), ("1202", 12), ("", 0)]
)
def test_landcover_value_is_the_first_level_class(code: str, value: int) -> None:
    assert landcover_value(code) == value


@pytest.mark.parametrize(
    ("kind", "bands", "dtypes", "message"),
    [
        ("dem", 2, ("float32", "float32"), "DEM 须为单波段"),
        ("dem", 1, ("complex64",), "DEM 须为单波段数值栅格"),
        ("landcover", 1, ("float32",), "土地覆盖须为单波段整数栅格"),
        ("ortho", 3, ("uint16",) * 3, "正射影像须为 3 或 4 个 8 位波段"),
        ("ortho", 2, ("uint8",) * 2, "正射影像须为 3 或 4 个 8 位波段"),
        ("slope", 1, ("float32",), "未知栅格类型"),
    ],
)
def test_type_refusals(kind: str, bands: int, dtypes: tuple, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_type(kind, bands, dtypes)


def test_types_that_fit() -> None:
    check_type("dem", 1, ("int16",))
    check_type("landcover", 1, ("uint8",))
    check_type("ortho", 4, ("uint8",) * 4)
