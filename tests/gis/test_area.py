"""Ellipsoidal areas on CGCS2000 and the 亩 / 万亩 / ha conversions."""

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from gis.area import (
    M2_PER_MU,
    geodesic_area_m2,
    geodesic_areas_m2,
    m2_to_ha,
    m2_to_mu,
    m2_to_wanmu,
    mu_to_m2,
    wanmu_to_m2,
)
from gis.errors import InvalidInputError

GK_CM114_TO_LONLAT = Transformer.from_crs(4547, 4490, always_xy=True)


def _gk_square(x0: float, y0: float, side: float) -> shapely.Polygon:
    """A square drawn in EPSG:4547 (metres), converted to CGCS2000 lon/lat."""
    square = shapely.box(x0, y0, x0 + side, y0 + side)
    return shapely.transform(square, lambda c: np.column_stack(GK_CM114_TO_LONLAT.transform(*c.T)))


def _lonlat_cell_area(lon1, lat1, lon2, lat2, a=6378137.0, rf=298.257222101):
    """Closed-form area between two meridians and two parallels on an ellipsoid."""
    f = 1.0 / rf
    e = math.sqrt(f * (2.0 - f))
    b = a * (1.0 - f)

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - (e * s) ** 2) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b * b * math.radians(lon2 - lon1) / 2.0 * (q(lat2) - q(lat1))


def test_one_square_kilometre_near_the_central_meridian():
    square = _gk_square(500_000, 3_510_000, 1000)  # at 114°E, 31.7°N: scale error ≈ 0
    area = geodesic_area_m2(square)
    assert area == pytest.approx(1e6, rel=1e-3)
    grs80 = abs(Geod(ellps="GRS80").geometry_area_perimeter(square)[0])
    assert area == pytest.approx(grs80, rel=1e-6)


def test_lonlat_cell_matches_the_closed_form():
    # Geodesic edges bulge off the parallels by centimetres; the areas agree to ~1e-5.
    cell = shapely.box(113.30, 31.70, 113.32, 31.72)
    assert geodesic_area_m2(cell) == pytest.approx(
        _lonlat_cell_area(113.30, 31.70, 113.32, 31.72), rel=1e-5
    )


def test_hole_is_subtracted_whatever_the_ring_orientation():
    shell = shapely.box(113.30, 31.70, 113.32, 31.72)
    hole = shapely.box(113.305, 31.705, 113.31, 31.71)
    expected = geodesic_area_m2(shell) - geodesic_area_m2(hole)
    ccw = shapely.Polygon(shell.exterior.coords, [hole.exterior.coords])  # hole not reversed
    cw = shapely.Polygon(shell.exterior.coords[::-1], [hole.exterior.coords[::-1]])
    assert geodesic_area_m2(ccw) == pytest.approx(expected, rel=1e-12)
    assert geodesic_area_m2(cw) == pytest.approx(expected, rel=1e-12)
    assert geodesic_area_m2(shapely.orient_polygons(ccw)) == pytest.approx(expected, rel=1e-12)


def test_many_geometries_at_once():
    a = shapely.box(113.30, 31.70, 113.31, 31.71)
    b = shapely.box(113.40, 31.70, 113.41, 31.71)
    multi = shapely.MultiPolygon([a, b])
    areas = geodesic_areas_m2([a, None, multi, shapely.Polygon(), b])
    assert areas.dtype == np.float64 and areas.shape == (5,)
    assert areas[1] == 0 and areas[3] == 0
    assert areas[2] == pytest.approx(areas[0] + areas[4], rel=1e-12)
    assert geodesic_areas_m2([]).shape == (0,)
    assert geodesic_areas_m2(np.array([a, b])) == pytest.approx(areas[[0, 4]])


def test_non_polygons_are_refused():
    with pytest.raises(InvalidInputError, match="LineString"):
        geodesic_areas_m2([shapely.LineString([(113.3, 31.7), (113.4, 31.8)])])


def test_projected_coordinates_are_refused():
    with pytest.raises(InvalidInputError, match="经纬度"):
        geodesic_area_m2(shapely.box(38_500_000, 3_510_000, 38_501_000, 3_511_000))


def test_mu_rules():
    assert round(M2_PER_MU, 6) == 666.666667
    assert mu_to_m2(1) == pytest.approx(10000 / 15)
    assert m2_to_mu(10000) == pytest.approx(15)  # 1 ha = 15 亩
    assert m2_to_ha(10000) == 1
    assert wanmu_to_m2(1) == pytest.approx(10_000 * 10000 / 15)  # 1 万亩 = 10⁴ 亩
    assert m2_to_wanmu(wanmu_to_m2(3.5)) == pytest.approx(3.5)
    assert m2_to_mu(mu_to_m2(123.4)) == pytest.approx(123.4)
    assert m2_to_wanmu(1e6) == pytest.approx(0.15)  # 1 km² = 1500 亩 = 0.15 万亩
