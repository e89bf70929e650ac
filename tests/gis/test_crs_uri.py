"""The CRS identifiers of OGC API Features Part 2 (gis/crs_uri.py): parsing, axis order, and
the bbox checks that turn a box in the wrong axis order into a clear refusal."""

import pytest
from pyproj import CRS, Transformer

from gis.crs_uri import CRS84, SUPPORTED, bbox_to_xy, check_bbox, parse_crs
from gis.errors import CrsError

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


@pytest.mark.parametrize(
    ("text", "srid", "swap"),
    [
        (EPSG.format(4490), 4490, True),
        ("EPSG:4490", 4490, True),
        ("[EPSG:4526]", 4526, True),
        ("urn:ogc:def:crs:EPSG::4547", 4547, True),
        ("https://www.opengis.net/def/crs/EPSG/0/4326", 4326, True),
        (CRS84, 4326, False),
        ("OGC:CRS84", 4326, False),
        (f"<{EPSG.format(4490)}>", 4490, True),
    ],
)
def test_accepted_forms(text: str, srid: int, swap: bool) -> None:
    crs = parse_crs(text)
    assert (crs.srid, crs.swap_axes) == (srid, swap)


def test_axis_order_is_the_epsg_definitions() -> None:
    """Latitude or northing first for every EPSG CRS offered (checked against pyproj's own
    axis list independently of the module's rule), CRS84 longitude first."""
    for crs in SUPPORTED:
        if crs.uri == CRS84:
            assert not crs.swap_axes
            continue
        abbreviations = [axis.abbrev.lower() for axis in CRS.from_epsg(crs.srid).axis_info]
        assert abbreviations[0] in ("lat", "x", "n"), (crs.srid, abbreviations)
        assert crs.swap_axes


@pytest.mark.parametrize("text", ["EPSG:3857", "EPSG:4527", "CGCS2000", "", "EPSG:abc"])
def test_others_are_refused_naming_the_offered(text: str) -> None:
    with pytest.raises(CrsError) as error:
        parse_crs(text, "bbox-crs")
    assert "bbox-crs" in error.value.message and EPSG.format(4490) in error.value.hint


def test_bbox_axis_order() -> None:
    assert bbox_to_xy([31.5, 113.2, 31.9, 113.6], parse_crs("EPSG:4490")) == (
        113.2,
        31.5,
        113.6,
        31.9,
    )
    assert bbox_to_xy([113.2, 31.5, 0, 113.6, 31.9, 10], parse_crs(CRS84)) == (
        113.2,
        31.5,
        113.6,
        31.9,
    )


def test_bbox_checks() -> None:
    gk = parse_crs("EPSG:4526")
    x, y = Transformer.from_crs(4490, 4526, always_xy=True).transform([113.2, 113.6], [31.5, 31.9])
    check_bbox((x[0], y[0], x[1], y[1]), gk)  # easting/northing of 曾都区: fine
    with pytest.raises(CrsError, match="axis order"):
        check_bbox((y[0], x[0], y[1], x[1]), gk)  # northing read as easting
    with pytest.raises(CrsError, match="axis order"):
        check_bbox((31.5, 113.2, 31.9, 113.6), parse_crs("EPSG:4490"))  # latitude 113°
