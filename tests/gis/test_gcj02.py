"""GCJ-02 ⇄ WGS84: offset size, iterative inverse accuracy, geometry helpers."""

import numpy as np
import pytest
import shapely
from pyproj import Geod

from gis.gcj02 import (
    _offset,
    gcj02_to_wgs84,
    gcj02_to_wgs84_geometry,
    wgs84_to_gcj02,
    wgs84_to_gcj02_geometry,
)

WGS84_GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2):
    return WGS84_GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.fixture
def hubei_grid():
    """A 40 × 30 grid of WGS84 points over Hubei (108.3–116.1°E, 29.0–33.3°N)."""
    lon, lat = np.meshgrid(np.linspace(108.3, 116.1, 40), np.linspace(29.0, 33.3, 30))
    return lon.ravel(), lat.ravel()


def test_forward_matches_the_widely_used_reference_vector():
    # The value asserted by wandergis/coordtransform and its ports (hutool, coordtransform_rs).
    gcj_lon, gcj_lat = wgs84_to_gcj02(116.404, 39.915)
    assert gcj_lon == pytest.approx(116.41024449916938, abs=1e-10)
    assert gcj_lat == pytest.approx(39.91640428150164, abs=1e-10)


def test_forward_offset_near_zengdu_is_a_few_hundred_metres():
    gcj_lon, gcj_lat = wgs84_to_gcj02(113.37, 31.72)
    assert 200 < _metres(113.37, 31.72, gcj_lon, gcj_lat) < 700


def test_round_trip_is_below_a_centimetre_over_hubei(hubei_grid):
    lon, lat = hubei_grid
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, back_lon, back_lat).max() < 0.01


def test_one_step_inverse_is_not_good_enough(hubei_grid):
    lon, lat = hubei_grid
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    dlon, dlat = _offset(gcj_lon, gcj_lat)
    one_step = _metres(lon, lat, gcj_lon - dlon, gcj_lat - dlat)
    iterated = _metres(lon, lat, *gcj02_to_wgs84(gcj_lon, gcj_lat))
    assert one_step.max() > 0.01
    assert iterated.max() < 0.01


@pytest.mark.parametrize(("lon", "lat"), [(2.35, 48.86), (139.69, 35.69), (-74.0, 40.7)])
def test_points_outside_china_are_unchanged(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_nan_passes_through_without_spoiling_the_rest():
    lon, lat = gcj02_to_wgs84([113.38, np.nan], [31.72, np.nan])
    assert np.isnan(lon[1]) and np.isnan(lat[1])
    assert np.isfinite(lon[0]) and lon[0] != 113.38


def test_geometry_helper_keeps_holes_and_parts():
    shell = shapely.box(113.30, 31.70, 113.40, 31.80)
    hole = shapely.box(113.33, 31.73, 113.36, 31.76)
    with_hole = shapely.Polygon(shell.exterior.coords, [hole.exterior.coords])
    multi = shapely.MultiPolygon([with_hole, shapely.box(113.50, 31.70, 113.55, 31.75)])

    gcj = wgs84_to_gcj02_geometry(multi)
    assert gcj.geom_type == "MultiPolygon"
    assert [len(p.interiors) for p in gcj.geoms] == [1, 0]
    assert shapely.get_num_coordinates(gcj) == shapely.get_num_coordinates(multi)
    assert not shapely.equals_exact(gcj, multi, tolerance=1e-4)  # it did move

    back = gcj02_to_wgs84_geometry(gcj)
    assert shapely.equals_exact(back, multi, tolerance=1e-9)


def test_geometry_helper_accepts_arrays():
    points = np.array([shapely.Point(113.37, 31.72), shapely.Point(2.35, 48.86)])
    moved = wgs84_to_gcj02_geometry(points)
    assert isinstance(moved, np.ndarray) and len(moved) == 2
    assert moved[0].x == pytest.approx(113.376206, abs=1e-5)
    assert moved[1].equals(points[1])
