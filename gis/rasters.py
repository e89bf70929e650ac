"""Raster rules (栅格规则): what each kind must be, the land-cover legend, and how a DEM is drawn.

Pure numpy, no files and no database. :func:`check_type` says whether a raster's bands and data
types fit its kind; :data:`LANDCOVER_CLASSES` is the legend of the land-cover raster (values are
the 三调 一级类 codes, GB/T 21010-2017 as used by the third national land survey);
:func:`hillshade` and :func:`relief_rgba` draw a DEM as the relief basemap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gis.errors import InvalidInputError

KINDS = {"dem": "数字高程模型（DEM）", "landcover": "土地覆盖", "ortho": "正射影像"}
KIND_PATTERN = "^(" + "|".join(KINDS) + ")$"
_NUMERIC = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64"}
_INTEGER = {"uint8", "uint16", "int16", "int32", "uint32"}


@dataclass(frozen=True)
class LandcoverClass:
    value: int  # the pixel value: the 三调 一级类 code as an integer (01 耕地 → 1)
    name: str
    colour: str  # #rrggbb, ours (no national colour table binds a basemap)


LANDCOVER_CLASSES: tuple[LandcoverClass, ...] = (
    LandcoverClass(1, "耕地", "#f3e38c"),
    LandcoverClass(2, "园地", "#c9a0dc"),
    LandcoverClass(3, "林地", "#3e8e4e"),
    LandcoverClass(4, "草地", "#a7d37f"),
    LandcoverClass(5, "商服用地", "#e57373"),
    LandcoverClass(6, "工矿仓储用地", "#b0706b"),
    LandcoverClass(7, "住宅用地", "#e8a0a0"),
    LandcoverClass(8, "公共管理与公共服务用地", "#f0b27a"),
    LandcoverClass(9, "特殊用地", "#9e9e9e"),
    LandcoverClass(10, "交通运输用地", "#8c8c8c"),
    LandcoverClass(11, "水域及水利设施用地", "#6fa8dc"),
    LandcoverClass(12, "其他土地", "#d9cbb0"),
)
LANDCOVER_NODATA = 0


def landcover_value(dlbm: str) -> int:
    """Pixel value of a 三调 land-class code (``0101`` → 1, ``1104`` → 11); 0 if unknown."""
    head = str(dlbm or "")[:2]
    value = int(head) if head.isdigit() else 0
    return value if any(c.value == value for c in LANDCOVER_CLASSES) else LANDCOVER_NODATA


def landcover_colormap() -> dict[int, tuple[int, int, int, int]]:
    """Pixel value → RGBA; values outside the legend are drawn transparent."""
    return {c.value: (*_rgb(c.colour), 255) for c in LANDCOVER_CLASSES}


def check_type(kind: str, bands: int, dtypes: tuple[str, ...]) -> None:
    """Refuse a raster whose bands or data types do not fit ``kind`` (InvalidInputError)."""
    if kind not in KINDS:
        raise InvalidInputError(
            f"未知栅格类型“{kind}”（unknown raster kind）。", hint=f"可用：{'、'.join(KINDS)}"
        )
    dtype = dtypes[0] if dtypes else "?"
    if kind == "dem" and (bands != 1 or dtype not in _NUMERIC):
        problem = f"DEM 须为单波段数值栅格，此文件为 {bands} 个波段、{dtype}"
    elif kind == "landcover" and (bands != 1 or dtype not in _INTEGER):
        problem = f"土地覆盖须为单波段整数栅格（三调一级类代码），此文件为 {bands} 个波段、{dtype}"
    elif kind == "ortho" and (bands not in (3, 4) or set(dtypes) != {"uint8"}):
        problem = f"正射影像须为 3 或 4 个 8 位波段（RGB/RGBA），此文件为 {bands} 个波段、{dtype}"
    else:
        return
    raise InvalidInputError(f"不支持的栅格类型（unsupported raster type）：{problem}。")


def hillshade(
    elevation: NDArray, res_x: float, res_y: float, azimuth: float = 315.0, altitude: float = 45.0
) -> NDArray:
    """Shaded relief in 0..1 (Horn's slope as in ``gdaldem hillshade``; light from the north-west).

    ``res_x``/``res_y`` are the pixel size in metres, ``elevation`` in metres, rows north to
    south. The outermost pixels use one-sided differences (pass a buffered window and crop).
    """
    z = np.asarray(elevation, dtype="float64")
    padded = np.pad(z, 1, mode="edge")
    win = [[padded[r : r + z.shape[0], c : c + z.shape[1]] for c in range(3)] for r in range(3)]
    dzdx = ((win[0][2] + 2 * win[1][2] + win[2][2]) - (win[0][0] + 2 * win[1][0] + win[2][0])) / (
        8 * res_x
    )
    dzdy = ((win[2][0] + 2 * win[2][1] + win[2][2]) - (win[0][0] + 2 * win[0][1] + win[0][2])) / (
        8 * res_y
    )
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zenith = np.radians(90.0 - altitude)
    sun = np.radians(360.0 - azimuth + 90.0)
    shade = np.cos(zenith) * np.cos(slope) + np.sin(zenith) * np.sin(slope) * np.cos(sun - aspect)
    return np.clip(shade, 0.0, 1.0)


#: Hypsometric tints from the lowest to the highest valid elevation of the DEM.
_RELIEF_STOPS = (
    (0.00, "#5a9a5a"),
    (0.25, "#a9c98a"),
    (0.50, "#e8e0a8"),
    (0.75, "#c8a070"),
    (1.00, "#f4efe8"),
)


def relief_rgba(
    elevation: NDArray, valid: NDArray, shade: NDArray, low: float, high: float
) -> NDArray:
    """(4, rows, cols) uint8: tints by elevation darkened by the shade; invalid pixels clear."""
    span = max(high - low, 1e-6)
    t = np.clip((np.asarray(elevation, float) - low) / span, 0.0, 1.0)
    stops = np.array([s for s, _ in _RELIEF_STOPS])
    colours = np.array([_rgb(c) for _, c in _RELIEF_STOPS], dtype=float)
    rgb = np.stack([np.interp(t, stops, colours[:, k]) for k in range(3)])
    rgb *= 0.35 + 0.65 * shade[None, :, :]
    alpha = np.where(valid, 255, 0)
    return np.concatenate([np.clip(rgb, 0, 255), alpha[None]]).astype("uint8")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
