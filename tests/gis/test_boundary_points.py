"""界址点 table: zone, orientation, start at the north-west vertex, 圈号, closing point; and
the report map's scale series (figures by hand or with pyproj directly)."""

import itertools

import pytest
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from api.report_map import frame_for, nice_at_least, nice_at_most
from gis.boundary_points import boundary_table


def _signed_area(points) -> float:
    """Shoelace on (easting, northing): negative for clockwise seen north up."""
    xy = [(p.y, p.x) for p in points]
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(xy)) / 2


def test_a_box_starts_at_its_north_west_corner_clockwise_in_zone_38() -> None:
    # drawn anticlockwise, starting in the south-east: the table must reorder it
    outline = Polygon([(113.37, 31.70), (113.37, 31.71), (113.36, 31.71), (113.36, 31.70)])
    table = boundary_table(outline)
    assert (table.zone, table.central_meridian, table.epsg) == (38, 114, 4526)
    to_gk = Transformer.from_crs(4490, 4526, always_xy=True)
    expected = [
        to_gk.transform(lon, lat)
        for lon, lat in [(113.36, 31.71), (113.37, 31.71), (113.37, 31.70), (113.36, 31.70)]
    ]
    labels = [p.label for p in table.points]
    assert labels == ["J1", "J2", "J3", "J4", "J1"]
    for point, (east, north) in zip(table.points, [*expected, expected[0]], strict=True):
        assert (point.x, point.y) == (pytest.approx(north, abs=1e-6), pytest.approx(east, abs=1e-6))
        assert 38_000_000 < point.y < 39_000_000  # the zone number leads Y
        assert 3_000_000 < point.x < 4_000_000  # northing, not easting, in X
    assert _signed_area(table.points) < 0  # clockwise
    assert table.note is None


def test_holes_are_further_rings_anticlockwise_numbered_on() -> None:
    outer = box(113.36, 31.70, 113.37, 31.71)
    with_hole = outer.difference(box(113.363, 31.703, 113.365, 31.705))
    second = box(113.38, 31.70, 113.39, 31.71)
    table = boundary_table(MultiPolygon([with_hole, second]))
    rings = {}
    for point in table.points:
        rings.setdefault(point.ring, []).append(point)
    assert sorted(rings) == [1, 2, 3]
    assert [p.label for p in rings[2]] == ["J5", "J6", "J7", "J8", "J5"]
    assert next(p.label for p in rings[3]) == "J9"
    assert _signed_area(rings[1]) < 0 < _signed_area(rings[2])  # hole anticlockwise
    assert _signed_area(rings[3]) < 0


def test_an_outline_across_a_zone_edge_is_said_and_kept_in_one_zone() -> None:
    # 112.5°E is the edge between zone 37 (CM 111°E) and zone 38 (CM 114°E)
    table = boundary_table(box(112.49, 31.70, 112.53, 31.71))
    assert table.zone == 38  # the centroid, 112.51°E, lies in zone 38
    assert "跨越 3 度带分界" in table.note
    assert all(38_000_000 < p.y < 39_000_000 for p in table.points)


@pytest.mark.parametrize(
    ("value", "up", "down"),
    [(1, 1, 1), (1.2, 2, 1), (2.1, 2.5, 2), (3, 5, 2), (7.7, 10, 5), (12160, 20000, 10000)],
)
def test_nice_numbers(value, up, down) -> None:
    assert nice_at_least(value) == pytest.approx(up)
    assert nice_at_most(value) == pytest.approx(down)


def test_a_one_kilometre_project_maps_at_1_to_20000() -> None:
    # 1000 m × 1109 m in a 170 × 120 mm frame less 12 % margins each side: 129.2 × 91.2 mm;
    # 1109 m / 91.2 mm = 12.2 m per mm = 1:12 160, so the next scale of the series, 1:20 000
    frame = frame_for((500_000.0, 3_500_000.0, 501_000.0, 3_501_109.0))
    assert frame.denominator == 20_000
    assert (frame.east0, frame.north0) == (500_500.0, 3_500_554.5)


def test_the_map_draws_every_polygon_of_nested_collections() -> None:
    from shapely.geometry import GeometryCollection

    from api.report_map import _polygons

    a, b, c = box(0, 0, 1, 1), box(2, 0, 3, 1), box(4, 0, 5, 1)
    nested = GeometryCollection([MultiPolygon([a, b]), c])
    assert [p.bounds for p in _polygons(nested)] == [a.bounds, b.bounds, c.bounds]
