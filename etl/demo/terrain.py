"""Relief and townships (地形与乡镇): the smooth fields that decide land use and 坐落单位.

:func:`relief` is a 0..1 "hilliness" built from the sketched hills, lowered along the main
rivers and roughened by a few seeded waves: low ground becomes paddy, slopes dry land and
orchards, ridges forest. :func:`townships` places each point in a town (nearest seat) and a
village (nearest of that town's seeded village seats).
"""

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.geography import HILLS, TOWNS, VILLAGE_NAMES
from etl.demo.planar import to_gk

KM_PER_DEG_LAT = 110.57
VILLAGES_PER_TOWN = 9


def km_xy(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    """Local kilometre coordinates (equirectangular at 31.6°N), for smooth fields only."""
    return lon * 111.32 * np.cos(np.radians(31.6)), lat * KM_PER_DEG_LAT


@dataclass(frozen=True)
class Relief:
    """The seeded relief field; call it with lon/lat arrays."""

    rivers_gk: shapely.Geometry  # main rivers, Gauss-Krüger metres
    waves: NDArray  # (k, 4): amplitude, kx, ky, phase

    @classmethod
    def build(cls, main_rivers: list[shapely.Geometry], rng: np.random.Generator) -> "Relief":
        k = 7
        wavelength = rng.uniform(3.0, 11.0, k)
        angle = rng.uniform(0, np.pi, k)
        waves = np.column_stack(
            [
                rng.uniform(0.03, 0.07, k),
                2 * np.pi / wavelength * np.cos(angle),
                2 * np.pi / wavelength * np.sin(angle),
                rng.uniform(0, 2 * np.pi, k),
            ]
        )
        return cls(to_gk(shapely.union_all(main_rivers)), waves)

    def __call__(self, lon: NDArray, lat: NDArray) -> NDArray:
        x, y = km_xy(np.asarray(lon, float), np.asarray(lat, float))
        height = np.zeros_like(x)
        for hill in HILLS:
            hx, hy = km_xy(np.array(hill.centre[0]), np.array(hill.centre[1]))
            height += hill.height * np.exp(
                -((x - hx) ** 2 + (y - hy) ** 2) / (2 * hill.sigma_km**2)
            )
        points = to_gk(shapely.points(np.asarray(lon, float), np.asarray(lat, float)))
        river_km = shapely.distance(points, self.rivers_gk) / 1000.0
        height -= 0.45 * np.exp(-river_km / 1.5)
        for amplitude, kx, ky, phase in self.waves:
            height += amplitude * np.sin(kx * x + ky * y + phase)
        return np.clip(height + 0.15, 0.0, 1.0)


@dataclass(frozen=True)
class Villages:
    """Village seats: town index, name and 12-digit code (town code + 3 digits) per village."""

    town: NDArray
    lon: NDArray
    lat: NDArray
    names: tuple[str, ...]
    codes: tuple[str, ...]


def _town_of(lon: NDArray, lat: NDArray) -> NDArray:
    x, y = km_xy(lon, lat)
    seats = np.array([t.seat for t in TOWNS])
    sx, sy = km_xy(seats[:, 0], seats[:, 1])
    # Town seats of the four 街道 sit close together: weight them down so each keeps a
    # compact urban territory and the rural towns reach up to the city's edge.
    weight = np.array([0.55 if t.name.endswith("街道") else 1.0 for t in TOWNS])
    d = np.hypot(x[:, None] - sx[None, :], y[:, None] - sy[None, :]) / weight[None, :]
    return np.argmin(d, axis=1)


def seed_villages(outline: shapely.Geometry, rng: np.random.Generator) -> Villages:
    """``VILLAGES_PER_TOWN`` seats per town, drawn inside the town's territory."""
    xmin, ymin, xmax, ymax = outline.bounds
    lon = rng.uniform(xmin, xmax, 6000)
    lat = rng.uniform(ymin, ymax, 6000)
    inside = shapely.contains_xy(outline, lon, lat)
    lon, lat = lon[inside], lat[inside]
    town = _town_of(lon, lat)
    keep = np.concatenate(
        [np.flatnonzero(town == t)[:VILLAGES_PER_TOWN] for t in range(len(TOWNS))]
    )
    names, codes = [], []
    order = rng.permutation(len(VILLAGE_NAMES))
    for n, index in enumerate(keep):
        t = TOWNS[town[index]]
        rank = n % VILLAGES_PER_TOWN
        names.append(VILLAGE_NAMES[order[(town[index] * 4 + rank) % len(VILLAGE_NAMES)]] + "村")
        codes.append(f"{t.code}{200 + rank:03d}")
    return Villages(town[keep], lon[keep], lat[keep], tuple(names), tuple(codes))


def townships(lon: NDArray, lat: NDArray, villages: Villages) -> tuple[NDArray, NDArray]:
    """(town index, village index) of each point."""
    town = _town_of(lon, lat)
    village = np.zeros(len(lon), dtype=int)
    x, y = km_xy(lon, lat)
    vx, vy = km_xy(villages.lon, villages.lat)
    for t in range(len(TOWNS)):
        here = town == t
        candidates = np.flatnonzero(villages.town == t)
        d = np.hypot(x[here, None] - vx[None, candidates], y[here, None] - vy[None, candidates])
        village[here] = candidates[np.argmin(d, axis=1)]
    return town, village
