"""Rivers (河流): the sketched courses given seeded meanders, clipped to the district.

Each sketch is densified every 100 m and pushed sideways by a sum of seeded sine waves whose
amplitude tapers to zero at the ends and wherever the sketch touches the unit split line (the
府澴河/㵐水 confluence stays on the unit boundary). A tributary's last point is then snapped
onto the river it joins. Rivers with a width are also carved into the land as 河流水面 strips.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from etl.demo.geography import RIVERS, SPLIT_LINE, RiverSketch
from etl.demo.planar import buffer_m, from_gk, to_gk

_STEP_M = 100.0
_TAPER_M = 900.0


@dataclass(frozen=True)
class River:
    sketch: RiverSketch
    line: shapely.Geometry  # lon/lat, clipped to the district (Multi)LineString

    @property
    def name(self) -> str:
        return self.sketch.name


def build_rivers(outline: shapely.Geometry, rng: np.random.Generator) -> dict[str, River]:
    split = to_gk(shapely.LineString(SPLIT_LINE))
    drawn: dict[str, shapely.LineString] = {}  # unclipped, GK metres
    for sketch in RIVERS:
        line = _meander(to_gk(shapely.LineString(sketch.points)), sketch.meander_m, split, rng)
        if sketch.joins:
            coords = shapely.get_coordinates(line)
            target = drawn[sketch.joins]
            end = target.interpolate(target.project(shapely.Point(coords[-1])))
            coords[-1] = shapely.get_coordinates(end)[0]
            line = shapely.LineString(coords)
        drawn[sketch.name] = line
    return {
        name: River(sketch, shapely.intersection(from_gk(drawn[name]), outline))
        for sketch in RIVERS
        for name in [sketch.name]
    }


def _meander(
    line: shapely.LineString, amplitude: float, split: shapely.Geometry, rng: np.random.Generator
) -> shapely.LineString:
    dense = shapely.segmentize(line, _STEP_M)
    xy = shapely.get_coordinates(dense)
    step = np.hypot(*np.diff(xy, axis=0).T)
    s = np.r_[0.0, np.cumsum(step)]
    tangent = np.gradient(xy, s, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1)[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    anchors = [0.0, s[-1]]
    touching = shapely.distance(shapely.points(xy), split) < 1.0
    anchors += list(s[touching])
    taper = np.min([np.abs(s - a) for a in anchors], axis=0)
    taper = np.clip(taper / _TAPER_M, 0.0, 1.0)
    offset = np.zeros_like(s)
    for wavelength, weight in ((2300.0, 0.45), (4700.0, 0.4), (8900.0, 0.3)):
        phase = rng.uniform(0, 2 * np.pi)
        offset += weight * np.sin(2 * np.pi * s / wavelength * rng.uniform(0.8, 1.2) + phase)
    offset *= amplitude * taper
    return shapely.LineString(xy + normal * offset[:, None])


def river_strips(
    rivers: dict[str, River], outline: shapely.Geometry
) -> dict[str, shapely.Geometry]:
    """河流水面 polygons (lon/lat) of the rivers that have a width, clipped to the district."""
    strips = {}
    for name, river in rivers.items():
        if river.sketch.width_m > 0:
            strip = buffer_m(river.line, river.sketch.width_m / 2, cap_style="flat")
            strips[name] = shapely.intersection(strip, outline)
    return strips


def downstream_point(river: River, metres_upstream: float) -> shapely.Point:
    """The point ``metres_upstream`` from where the river leaves the district (lon/lat)."""
    parts = list(getattr(river.line, "geoms", [river.line]))
    mouth = shapely.Point(river.sketch.points[-1])
    last = min(parts, key=lambda p: shapely.distance(shapely.Point(p.coords[-1]), mouth))
    gk = to_gk(last)
    return from_gk(gk.interpolate(gk.length - metres_upstream))


def nearest_point(river: River, near: tuple[float, float]) -> shapely.Point:
    """The point of the river closest to ``near`` (lon/lat)."""
    gk = to_gk(river.line)
    return from_gk(gk.interpolate(gk.project(to_gk(shapely.Point(near)))))
