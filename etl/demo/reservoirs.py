"""Reservoirs (水库): exactly the annex-3 counts per unit, with plausible attributes.

The named reservoirs of the seed sit where :data:`etl.demo.geography.NAMED_RESERVOIRS` puts
them; the other small ones are drawn in the hills of each unit, away from the city, the main
rivers and each other. Each gets a water surface (水库水面, 1103) sized from its capacity,
which the land tessellation carves out.

Dam-safety appraisal (大坝安全鉴定, 《水库大坝安全鉴定办法》 art. 5): the first within 5 years of
completion, then every 6–10 years (预警 from year 6, 不达标 past 10). Every reservoir is old
(1956–1979) and was appraised between 2020-03-01 and 2025-08-22, less than 6 years before
2025-12-31, so none is due or overdue then — except the one :data:`OVERDUE` planted problem.
Each carries its latest result (大坝安全类别): 二类坝 for every fourth by code, 一类坝 for the
rest; no 三类坝 (病险) is planted.
"""

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import shapely

from etl.demo.geography import (
    CITY_CENTRE,
    CITY_RADII,
    NAMED_RESERVOIRS,
    RESERVOIR_PREFIXES,
    RESERVOIR_SUFFIXES,
    NamedReservoir,
)
from etl.demo.planar import buffer_m, from_gk, to_gk
from etl.demo.terrain import Relief

EVALUATION_DATE = dt.date(2025, 12, 31)
#: The planted overdue reservoir: 㵐水片区's first unnamed small reservoir gets these dates.
OVERDUE_UNIT = "421303-02"
OVERDUE = {"completed_on": dt.date(1971, 11, 20), "last_appraisal_on": dt.date(2014, 5, 16)}

_MIN_SPACING_M = 1500.0


@dataclass(frozen=True)
class Reservoir:
    code: str
    name: str
    unit: str
    scale: str  # 中型 / 小(1)型 / 小(2)型 as written in the file
    point: shapely.Point
    surface: shapely.Geometry
    capacity_10k_m3: float
    normal_level_m: float
    flood_limit_level_m: float
    completed_on: dt.date
    last_appraisal_on: dt.date
    appraisal_result: str = "一类坝"  # 大坝安全类别: 一类坝 / 二类坝 / 三类坝
    bloom_risk: bool = False
    drinking: str = ""  # "" / 县级 / 乡镇级


def build_reservoirs(
    units: dict[str, shapely.Geometry],
    counts: dict[str, tuple[int, int]],
    avoid: shapely.Geometry,
    relief: Relief,
    rng: np.random.Generator,
) -> list[Reservoir]:
    """``counts`` maps unit code to (medium, small); ``avoid`` is where no reservoir may go."""
    reservoirs: list[Reservoir] = []
    for named in NAMED_RESERVOIRS:
        reservoirs.append(_make(named, units[named.unit], relief, rng))
    names = _unused_names(rng)
    for code, (medium, small) in counts.items():
        have = [r for r in reservoirs if r.unit == code]
        if sum(r.scale == "中型" for r in have) != medium:
            raise ValueError(f"named medium reservoirs in {code} do not match the list")
        wanted = small - sum(r.scale != "中型" for r in have)
        points = _small_sites(units[code], wanted, reservoirs, avoid, relief, rng)
        for point in points:
            capacity = float(np.round(np.exp(rng.uniform(np.log(12), np.log(850))), 1))
            scale = "小(1)型" if capacity >= 100 else "小(2)型"
            sketch = NamedReservoir(next(names), code, scale, (point.x, point.y), capacity)
            reservoirs.append(_make(sketch, units[code], relief, rng))
    reservoirs = _with_codes(reservoirs)
    first_plain = next(
        i
        for i, r in enumerate(reservoirs)
        if r.unit == OVERDUE_UNIT and r.name not in {n.name for n in NAMED_RESERVOIRS}
    )
    reservoirs[first_plain] = replace(reservoirs[first_plain], **OVERDUE)
    return reservoirs


def _with_codes(reservoirs: list[Reservoir]) -> list[Reservoir]:
    """Codes in order of unit, scale and position; the result follows the code (no draw, so
    the random stream of everything else is untouched)."""
    ordered = sorted(reservoirs, key=lambda r: (r.unit, r.scale != "中型", -r.point.y, r.point.x))
    return [
        replace(r, code=f"SK421303{n:03d}", appraisal_result="二类坝" if n % 4 == 0 else "一类坝")
        for n, r in enumerate(ordered, start=1)
    ]


def _unused_names(rng: np.random.Generator):
    combos = [p + s + "水库" for p in RESERVOIR_PREFIXES for s in RESERVOIR_SUFFIXES]
    taken = {n.name for n in NAMED_RESERVOIRS}
    for index in rng.permutation(len(combos)):
        if combos[index] not in taken:
            yield combos[index]


def _small_sites(unit, wanted, existing, avoid, relief, rng) -> list[shapely.Point]:
    inner = buffer_m(unit, -900.0)
    xmin, ymin, xmax, ymax = inner.bounds
    lon, lat = rng.uniform(xmin, xmax, 40 * wanted), rng.uniform(ymin, ymax, 40 * wanted)
    ok = shapely.contains_xy(inner, lon, lat) & ~shapely.contains_xy(avoid, lon, lat)
    lon, lat = lon[ok], lat[ok]
    score = relief(lon, lat) + rng.uniform(0, 0.35, len(lon))
    chosen_gk = [to_gk(r.point) for r in existing]
    chosen = []
    for index in np.argsort(-score, kind="stable"):
        point = shapely.Point(lon[index], lat[index])
        gk = to_gk(point)
        if chosen_gk and min(shapely.distance(gk, c) for c in chosen_gk) < _MIN_SPACING_M:
            continue
        chosen.append(point)
        chosen_gk.append(gk)
        if len(chosen) == wanted:
            return chosen
    raise ValueError(f"room for only {len(chosen)} of {wanted} small reservoirs")


def _make(sketch: NamedReservoir, unit, relief: Relief, rng: np.random.Generator) -> Reservoir:
    point = shapely.Point(sketch.centre)
    depth = 9.0 if sketch.scale == "中型" else 6.0
    area_m2 = sketch.capacity_10k_m3 * 1e4 / depth
    surface = _blob(point, area_m2, rng)
    surface = shapely.intersection(surface, buffer_m(unit, -60.0))
    ground = 62.0 + 95.0 * float(relief(np.array([point.x]), np.array([point.y]))[0])
    normal = round(ground + rng.uniform(3, 9), 2)
    completed = dt.date(
        int(rng.integers(1956, 1980)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    )
    # The same draw as before the 6-year warning existed (0–3529 days), squeezed into
    # 2020-03-01 … 2025-08-22 so that no appraisal is 6 years old on 2025-12-31.
    appraisal = dt.date(2020, 3, 1) + dt.timedelta(days=int(rng.integers(0, 3530)) * 2000 // 3530)
    return Reservoir(
        code="",
        name=sketch.name,
        unit=sketch.unit,
        scale=sketch.scale,
        point=point,
        surface=surface,
        capacity_10k_m3=float(sketch.capacity_10k_m3),
        normal_level_m=normal,
        flood_limit_level_m=round(normal - rng.uniform(0.3, 2.0), 2),
        completed_on=completed,
        last_appraisal_on=appraisal,
        bloom_risk=sketch.bloom_risk,
        drinking=sketch.drinking,
    )


def _blob(centre: shapely.Point, area_m2: float, rng: np.random.Generator) -> shapely.Geometry:
    """An irregular lake of ``area_m2`` around ``centre`` (star-shaped, so it holds the centre)."""
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radius = np.ones_like(theta)
    for k in (2, 3, 5):
        radius += rng.uniform(0.06, 0.2) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    x0, y0 = shapely.get_coordinates(to_gk(centre))[0]
    ring = np.column_stack([np.cos(theta) * radius, np.sin(theta) * radius])
    shape = shapely.Polygon(ring)
    scale = np.sqrt(area_m2 / shape.area)
    return from_gk(shapely.Polygon(ring * scale + [x0, y0]))


def city_avoid_zone(factor: float = 1.45) -> shapely.Geometry:
    """The built-up ellipse enlarged by ``factor``: no small reservoir is drawn there."""
    cx, cy = CITY_CENTRE
    rx, ry = CITY_RADII
    theta = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    return shapely.Polygon(
        np.column_stack([cx + factor * rx * np.cos(theta), cy + factor * ry * np.sin(theta)])
    )


def is_overdue(reservoir: Reservoir, on: dt.date = EVALUATION_DATE) -> bool:
    """The appraisal rule: first within 5 years of completion, then at most every 10 years."""
    last = reservoir.last_appraisal_on
    due = _add_years(last, 10) if last else _add_years(reservoir.completed_on, 5)
    return due < on


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
