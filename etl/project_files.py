"""A project outline file as it comes, read into plots: one reader for the API, the map and the CLI.

Formats: everything :func:`etl.readers.read_vector` reads (zipped shapefile, GeoPackage,
GeoJSON, KML, KMZ), the ministry's 界址点 TXT (:mod:`etl.boundary_txt`) and DXF (:mod:`etl.dxf`).
Each feature (TXT: each plot; DXF: each outer ring) is a plot, named from its attributes
(XMMC, DKMC, 地块名称 …). Coordinates stay in the file's CRS, named by ``epsg``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from etl.archive import ArchiveLimits
from etl.boundary_txt import read_boundary_txt
from etl.dxf import read_dxf
from etl.readers import read_vector
from gis.crs import detect_crs, gk3_epsg
from gis.errors import CrsError
from layers.project_geometry import PLOT_NAME_FIELDS, PROJECT_NAME_FIELDS

PROJECT_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".txt", ".dxf")
# in the CLI's words, as gis.crs speaks; the API says it in the map's (api.routes.overlap)
CRS_CHOICE = (
    "请用 --crs 指定坐标系，如 --crs 4526（3度带 38 带，X 含带号）、--crs 4547（不含带号）。"
)


@dataclass(frozen=True)
class ProjectFile:
    plots: tuple[tuple[str | None, shapely.Geometry], ...]
    epsg: int
    notes: tuple[str, ...]
    name: str | None = None  # the project's, where the file names one


def read_project_file(path: Path, *, crs: int | None, limits: ArchiveLimits) -> ProjectFile:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        txt = read_boundary_txt(path, crs)
        return ProjectFile(
            txt.plots, txt.epsg, txt.notes, txt.plots[0][0] if len(txt.plots) == 1 else None
        )
    if suffix == ".dxf":
        dxf = read_dxf(path)
        epsg, reason = _dxf_crs(dxf.plots, crs)
        return ProjectFile(dxf.plots, epsg, (reason, *dxf.notes))
    data = read_vector(path, crs=crs, limits=limits)
    names = _column(data.frame, PLOT_NAME_FIELDS)
    plots = tuple(zip(names, data.frame.geometry.values, strict=True))
    notes = (f"坐标系：{data.crs.reason}", *data.crs.warnings, *data.warnings)
    projects = {n for n in _column(data.frame, PROJECT_NAME_FIELDS) if n}
    name = projects.pop() if len(projects) == 1 else names[0] if len(names) == 1 else None
    return ProjectFile(plots, data.crs.epsg, notes, name)


def _column(frame, keys: tuple[str, ...]) -> list[str | None]:
    """The values of the first of ``keys`` the frame has (any case), as text."""
    columns = {str(c).casefold(): c for c in frame.columns}
    for key in keys:
        column = columns.get(key.casefold())
        if column is not None and frame[column].notna().any():
            return [None if v is None or v != v else str(v)[:200] for v in frame[column]]
    return [None] * len(frame)


def _dxf_crs(plots, crs: int | None) -> tuple[int, str]:
    """Like a file without ``.prj``: the user's choice, else a zone-prefixed easting names
    its 3-degree zone (25–45, disjoint from the 6-degree zones 13–23), else a refusal."""
    xy = np.vstack([shapely.get_coordinates(g) for _, g in plots])
    if crs is not None:
        detection = detect_crs(None, xy, crs)
        return detection.epsg, f"坐标系：{detection.reason}（DXF）"
    zones = set((xy[:, 0] // 1_000_000).astype(int).tolist())
    plain = xy[:, 0] - xy[:, 0] // 1_000_000 * 1_000_000
    northing_ok = bool(((xy[:, 1] > 1.5e6) & (xy[:, 1] < 6.5e6)).all())
    eastings_ok = bool(((plain > 1e5) & (plain < 9e5)).all())
    if len(zones) == 1 and 25 <= (zone := zones.pop()) <= 45 and northing_ok and eastings_ok:
        epsg = gk3_epsg(zone, prefixed=True)
        return epsg, (
            f"坐标系：依据坐标，X 约 {xy[0, 0]:,.0f} 含带号 {zone}，按 CGCS2000 3度带 "
            f"{zone} 带（EPSG:{epsg}）处理（DXF 不带坐标系）"
        )
    raise CrsError(
        "DXF 文件不带坐标系，坐标也不含可识别的带号，无法确定坐标系 (DXF has no CRS).",
        hint=CRS_CHOICE,
    )
