"""Coordinate reference systems (坐标系): constants, Gauss-Krüger codes and .prj detection.

Storage is EPSG:4490 (CGCS2000 geographic). The input a bureau actually has is CGCS2000
lon/lat, CGCS2000 3-degree Gauss-Krüger with or without the zone number in X, and WGS84.
:func:`detect_crs` turns a ``.prj`` plus a sample of the coordinates into one EPSG code and
a Chinese explanation, and refuses (:class:`~gis.errors.CrsError`) rather than guess.

Two facts drive the rules. ArcGIS writes ESRI WKT whose names pyproj does not always map to
an EPSG code, so 3-degree zones are recognised from the projection parameters themselves.
And a ``.prj`` is often copied between datasets: X ≈ 38 500 000 (zone 38 prefixed) under a
"CM_114E" ``.prj`` happens. The coordinates cannot lie about the prefix, so they win, and the
disagreement is reported. Sample coordinates are always (easting, northing) as read from the
shapefile, whatever axis order the EPSG definition states.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from gis.errors import CrsError

CGCS2000 = 4490  # the storage CRS
WGS84 = 4326

_GK3_PREFIXED_ZONE25 = 4513  # EPSG:4513–4533: zones 25–45, zone number in X
_GK3_PLAIN_ZONE25 = 4534  # EPSG:4534–4554: CM 75E–135E, no zone number in X
GK3_ZONES = range(25, 46)
#: Rough lon/lat box around China (the same one GCJ-02 uses) for sanity checks.
CHINA_BOUNDS = (72.004, 0.8293, 137.8347, 55.8271)

_CRS_HINT = (
    "请补上 .prj，或用 --crs 指定 EPSG 代码，例如 --crs 4490（CGCS2000 经纬度）、"
    "--crs 4526（3度带 带号38，X含带号）、--crs 4547（3度带 中央经线114°E，X不含带号）。"
)

#: How to name a CRS in a request (GeoJSON crs member or the crs parameter).
CRS_PARAMETER_HINT = (
    '请在 GeoJSON 中写明 crs 成员（如 {"type": "name", "properties": {"name": "EPSG:4526"}}），'
    "或用参数 crs 指定：4490（CGCS2000 经纬度）、4526（3度带 带号38，X含带号）、4547（中央经线114°E）。"
)
_EPSG_PATTERN = re.compile(
    r"^(?:urn:ogc:def:crs:)?EPSG:{1,2}(?:[0-9.]*:)?(\d{4,6})$|^(\d{4,6})$", re.I
)
_CRS84 = re.compile(r"^(?:urn:ogc:def:crs:OGC:(?:1\.3:)?CRS84|OGC:CRS84|CRS84)$", re.I)


def parse_crs(text: str | int) -> int:
    """EPSG code from ``4526``, ``"EPSG:4526"``, an OGC URN or CRS84 (= WGS84 lon/lat)."""
    value = str(text).strip()
    if _CRS84.match(value):
        return WGS84
    match = _EPSG_PATTERN.match(value)
    if not match:
        raise CrsError(f"无法识别的坐标系 '{value[:60]}' (unknown CRS).", hint=CRS_PARAMETER_HINT)
    epsg = int(match.group(1) or match.group(2))
    try:
        crs = CRS.from_epsg(epsg)
    except PyprojCRSError:
        raise CrsError(
            f"EPSG:{epsg} 不是已知的坐标系 (unknown EPSG code).", hint=CRS_PARAMETER_HINT
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise CrsError(
            f"EPSG:{epsg}（{crs.name}）不是平面或经纬度坐标系。", hint=CRS_PARAMETER_HINT
        )
    return epsg


@dataclass(frozen=True)
class CrsDetection:
    """The EPSG code chosen for a dataset, why (in Chinese), and anything worth a second look."""

    epsg: int
    reason: str
    warnings: tuple[str, ...] = ()


def gk3_zone(lon: float) -> int:
    """3-degree zone number containing ``lon`` (zone n has central meridian 3n°E)."""
    return math.floor(lon / 3.0 + 0.5)  # half-up, not banker's rounding, at zone edges


def gk3_epsg(central_meridian_or_zone: float, prefixed: bool) -> int:
    """EPSG code of a CGCS2000 3-degree Gauss-Krüger CRS.

    Accepts a zone number (25–45) or a central meridian (75–135°E, a multiple of 3).
    ``prefixed`` means the zone number is part of X (false easting zone·10⁶ + 500 000).
    """
    value = float(central_meridian_or_zone)
    zone = value if GK3_ZONES.start <= value < GK3_ZONES.stop else value / 3.0
    if not zone.is_integer() or int(zone) not in GK3_ZONES:
        raise CrsError(
            f"{central_meridian_or_zone} 不是 CGCS2000 3度带的带号（25–45）或中央经线（75–135°E）"
        )
    first = _GK3_PREFIXED_ZONE25 if prefixed else _GK3_PLAIN_ZONE25
    return first + int(zone) - GK3_ZONES.start


def gk3_of_epsg(epsg: int) -> tuple[int, bool] | None:
    """``(zone, prefixed)`` for a CGCS2000 3-degree Gauss-Krüger EPSG code, else None."""
    for first, prefixed in ((_GK3_PREFIXED_ZONE25, True), (_GK3_PLAIN_ZONE25, False)):
        if first <= epsg < first + len(GK3_ZONES):
            return GK3_ZONES.start + epsg - first, prefixed
    return None


@cache
def is_geographic(epsg: int) -> bool:
    """Whether ``epsg`` is lon/lat (looked up once: a CRS object costs ~0.1 ms to build)."""
    return CRS.from_epsg(epsg).is_geographic


@cache
def transformer_to_storage(epsg: int) -> Transformer:
    """Transformer from ``epsg`` to EPSG:4490, taking and giving (x/lon, y/lat) order."""
    return Transformer.from_crs(epsg, CGCS2000, always_xy=True)


def detect_crs(
    prj_text: str | None,
    sample_xy: ArrayLike | None,
    override_epsg: int | None = None,
) -> CrsDetection:
    """Decide the EPSG code of a dataset from its ``.prj`` and a sample of its coordinates.

    ``sample_xy`` is an (N, 2) array of (x, y) as stored in the file (x = easting); None or
    empty skips the coordinate checks. ``override_epsg`` (the user's ``--crs``) wins over the
    ``.prj``: coordinates that do not fit it only add warnings, except coordinates that are
    impossible for it (degrees beyond ±180/±90), which raise.
    """
    xy = _clean_sample(sample_xy)
    if override_epsg is not None:
        return _from_override(override_epsg, prj_text, xy)
    if prj_text is None or not prj_text.strip():
        raise CrsError("缺少 .prj 文件，无法确定坐标系（missing .prj）。", hint=_CRS_HINT)
    epsg, reason, warnings = _identify(_parse_prj(prj_text))
    if xy is None:
        return CrsDetection(epsg, reason, (*warnings, "未提供坐标样本，未核对坐标范围。"))
    epsg, reason, warnings = _reconcile_gk3_prefix(epsg, reason, warnings, xy)
    _raise_if_impossible(epsg, xy)
    problem = _outside_china(epsg, xy)
    if problem:
        raise CrsError(problem, hint="请核对 .prj 是否与数据一致，或用 --crs 指定正确的 EPSG。")
    return CrsDetection(epsg, reason, tuple(warnings))


# --- reading the .prj ---------------------------------------------------------------------


def _parse_prj(prj_text: str) -> CRS:
    try:
        return CRS.from_wkt(prj_text.strip())
    except PyprojCRSError as exc:
        message = f".prj 内容无法解析为坐标系（unreadable .prj）：{exc}"
        raise CrsError(message, hint=_CRS_HINT) from exc


def _identify(crs: CRS) -> tuple[int, str, list[str]]:
    """EPSG code, reason and warnings for a parsed ``.prj``, or CrsError."""
    kind, warnings = _datum_kind(crs)
    if crs.is_geographic and kind == "cgcs2000":
        return CGCS2000, "依据 .prj：CGCS2000 经纬度坐标（EPSG:4490）", warnings
    if crs.is_geographic and kind == "wgs84":
        return WGS84, "依据 .prj：WGS84 经纬度坐标（EPSG:4326）", [*warnings, _WGS84_NOTE]
    gk3 = _gk3_from_parameters(crs) if crs.is_projected and kind == "cgcs2000" else None
    if gk3:
        epsg = gk3_epsg(*gk3)
        return epsg, f"依据 .prj：{_describe_gk3(*gk3)}（EPSG:{epsg}）", warnings
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None:
        raise CrsError(f"无法识别 .prj 中的坐标系“{crs.name}”（unsupported CRS）。", hint=_CRS_HINT)
    if kind is None:
        warnings.append(
            f"基准面为“{crs.datum.name if crs.datum else '未知'}”，不是 CGCS2000/WGS84；"
            "转换到 CGCS2000 缺少官方参数，可能偏差数十米（datum shift unknown）。"
        )
    return epsg, f"依据 .prj：{crs.name}（EPSG:{epsg}）", warnings


_WGS84_NOTE = (
    "WGS84 与 CGCS2000 视为一致（差异远小于 1 米）；若数据来自高德/AMap 等互联网地图，"
    "实际可能是 GCJ-02（火星坐标，偏移数百米），须先纠偏。"
)


def _datum_kind(crs: CRS) -> tuple[str | None, list[str]]:
    """``"cgcs2000"``, ``"wgs84"`` or None, by datum name, then by ellipsoid alone.

    Chinese software writes the CGCS2000 datum under many names (China_2000, D_CGCS2000,
    CGCS_2000…); an unknown name on the CGCS2000 ellipsoid is taken as CGCS2000, with a warning.
    """
    datum = crs.geodetic_crs.datum if crs.geodetic_crs else None
    name = re.sub(r"[^a-z0-9]", "", datum.name.lower()) if datum else ""
    if any(key in name for key in ("china2000", "cgcs2000", "chinageodeticcoordinatesystem")):
        return "cgcs2000", []
    if any(key in name for key in ("wgs84", "wgs1984", "worldgeodeticsystem1984")):
        return "wgs84", []
    ellipsoid = crs.ellipsoid
    if ellipsoid is None or not math.isclose(ellipsoid.semi_major_metre, 6378137.0):
        return None, []
    # GRS80 is CGCS2000's ellipsoid too: a datum PROJ resolves to an EPSG datum other than
    # China 2000 (EPSG:1043), such as NAD83 or ETRS89, is not ours.
    datum_id = datum.to_json_dict().get("id", {}) if datum else {}
    if datum_id and datum_id.get("code") != 1043:
        return None, []
    if math.isclose(ellipsoid.inverse_flattening, 298.257222101, abs_tol=1e-6):
        return "cgcs2000", [
            f"基准面名称“{datum.name if datum else ''}”未能识别，"
            "按椭球参数（a=6378137，1/f=298.257222101）视为 CGCS2000。"
        ]
    return None, []


def _gk3_from_parameters(crs: CRS) -> tuple[int, bool] | None:
    """``(zone, prefixed)`` when the projection is a CGCS2000 3-degree Gauss-Krüger zone."""
    op = crs.coordinate_operation
    if op is None or "transverse mercator" not in op.method_name.lower():
        return None
    params = {p.code: p.value for p in op.params}
    lat0, cm, k = params.get("8801"), params.get("8802"), params.get("8805")
    fe, fn = params.get("8806"), params.get("8807")
    if None in (lat0, cm, k, fe, fn) or crs.axis_info[0].unit_name not in ("metre", "meter"):
        return None
    if lat0 != 0 or fn != 0 or not math.isclose(k, 1.0) or not (cm / 3.0).is_integer():
        return None
    zone = int(cm / 3.0)
    if zone not in GK3_ZONES:
        return None
    if math.isclose(fe, 500_000.0):
        return zone, False
    if math.isclose(fe, zone * 1_000_000.0 + 500_000.0):
        return zone, True
    return None


def _describe_gk3(zone: int, prefixed: bool) -> str:
    if prefixed:
        return f"CGCS2000 3度带高斯-克吕格 带号{zone}（X含带号）"
    return f"CGCS2000 3度带高斯-克吕格 中央经线{zone * 3}°E（X不含带号）"


# --- checking the coordinates -------------------------------------------------------------


def _clean_sample(sample_xy: ArrayLike | None) -> NDArray | None:
    if sample_xy is None:
        return None
    xy = np.asarray(sample_xy, dtype=float).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(axis=1)]
    return xy if len(xy) else None


def _x_regime(x: NDArray) -> tuple[int, bool] | None:
    """What the X values say: ``(zone, True)`` prefixed, ``(0, False)`` plain, None unclear.

    Within a 3-degree zone the easting stays well inside 500 000 ± 400 000 m in China, so
    anything else (degrees, 6-degree zone numbers, local grids) is "unclear".
    """
    zones = np.floor(x / 1_000_000.0)
    easting = x - zones * 1_000_000.0
    plausible = (easting > 100_000.0) & (easting < 900_000.0)
    if np.all(plausible & (zones >= GK3_ZONES.start) & (zones < GK3_ZONES.stop)):
        if zones.min() != zones.max():
            found = ", ".join(str(int(z)) for z in np.unique(zones))
            raise CrsError(f"X 坐标的带号不一致（{found}），一个图层应只在一个带内。")
        return int(zones[0]), True
    if np.all(plausible & (zones == 0)):
        return 0, False
    return None


def _reconcile_gk3_prefix(
    epsg: int, reason: str, warnings: list[str], xy: NDArray
) -> tuple[int, str, list[str]]:
    """Let the X values decide zone-prefixed or not when the ``.prj`` says otherwise."""
    gk3 = gk3_of_epsg(epsg)
    regime = _x_regime(xy[:, 0]) if gk3 else None
    if gk3 is None or regime is None:
        return epsg, reason, warnings
    zone, prefixed = gk3
    x_zone, x_prefixed = regime
    if x_prefixed == prefixed and (not prefixed or x_zone == zone):
        return epsg, reason, warnings
    new_gk3 = (x_zone, True) if x_prefixed else (zone, False)
    new_epsg = gk3_epsg(*new_gk3)
    x_text = f"{float(np.median(xy[:, 0])):,.0f}".replace(",", " ")
    says = f"含带号{x_zone}" if x_prefixed else "不含带号"
    new_reason = (
        f"依据坐标：.prj 标为 {_describe_gk3(*gk3)}（EPSG:{epsg}），但 X 坐标约 {x_text}，"
        f"{says}，按 {_describe_gk3(*new_gk3)}（EPSG:{new_epsg}）处理"
    )
    warning = (
        f".prj 与坐标不符（mislabelled .prj）：.prj 为 EPSG:{epsg}，坐标表明是 EPSG:{new_epsg}；"
        "已按坐标处理，请修正 .prj。"
    )
    return new_epsg, new_reason, [*warnings, warning]


def _raise_if_impossible(epsg: int, xy: NDArray) -> None:
    """Degrees beyond ±180/±90 cannot be lon/lat, whatever the user says."""
    if not is_geographic(epsg):
        return
    if np.any(np.abs(xy[:, 0]) > 180.0) or np.any(np.abs(xy[:, 1]) > 90.0):
        raise CrsError(
            f"坐标超出经纬度范围（|x|>180 或 |y|>90），但坐标系 EPSG:{epsg} 是经纬度。",
            hint="数据可能是高斯-克吕格投影坐标（米）：X 约 38 500 000 用 --crs 4526 一类"
            "（X含带号），X 约 500 000 用 --crs 4547 一类（X不含带号）。",
        )


def _outside_china(epsg: int, xy: NDArray) -> str | None:
    """A Chinese explanation when the coordinates do not land in China under ``epsg``."""
    crs = CRS.from_epsg(epsg)
    degree_like = np.all(np.abs(xy[:, 0]) <= 180.0) and np.all(np.abs(xy[:, 1]) <= 90.0)
    if crs.is_projected and degree_like:
        return (
            f"坐标数值像经纬度（|x|≤180、|y|≤90），但坐标系 EPSG:{epsg} 是投影坐标（米）；"
            "若数据为 CGCS2000 经纬度，请用 --crs 4490。"
        )
    lon, lat = transformer_to_storage(epsg).transform(xy[:, 0], xy[:, 1], errcheck=False)
    lon_min, lat_min, lon_max, lat_max = CHINA_BOUNDS
    outside = ~((lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max))
    if not np.any(outside):
        return None
    i = int(np.argmax(outside))
    where = (
        f"经度 {lon[i]:.4f}、纬度 {lat[i]:.4f}"
        if np.isfinite(lon[i]) and np.isfinite(lat[i])
        else "无法换算"
    )
    return (
        f"按 EPSG:{epsg} 换算后，{int(outside.sum())}/{len(xy)} 个样本点不在中国范围内"
        f"（例如 x={xy[i, 0]:.3f}, y={xy[i, 1]:.3f} → {where}）"
        "（coordinates fall outside China）。"
    )


def _from_override(epsg: int, prj_text: str | None, xy: NDArray | None) -> CrsDetection:
    try:
        crs = CRS.from_epsg(epsg)
    except PyprojCRSError as exc:
        raise CrsError(f"--crs {epsg} 不是有效的 EPSG 代码。", hint=_CRS_HINT) from exc
    warnings = _prj_disagreement(epsg, prj_text)
    if xy is None:
        warnings.append("未提供坐标样本，未核对坐标范围。")
    else:
        _raise_if_impossible(epsg, xy)
        checked_epsg = _reconcile_gk3_prefix(epsg, "", [], xy)[0]
        if checked_epsg != epsg:
            warnings.append(
                f"X 坐标更像 EPSG:{checked_epsg}（带号/是否含带号与 --crs 不符），已按 --crs 处理。"
            )
        problem = _outside_china(epsg, xy)
        if problem:
            warnings.append(problem)
    return CrsDetection(epsg, f"按 --crs 指定：EPSG:{epsg}（{crs.name}）", tuple(warnings))


def _prj_disagreement(epsg: int, prj_text: str | None) -> list[str]:
    """A warning when a readable ``.prj`` names another CRS than the override."""
    if not prj_text or not prj_text.strip():
        return []
    try:
        prj_epsg = _identify(_parse_prj(prj_text))[0]
    except CrsError:
        return [f".prj 无法识别，已按 --crs 指定的 EPSG:{epsg} 处理。"]
    if prj_epsg == epsg:
        return []
    return [f".prj 指示 EPSG:{prj_epsg}，已按 --crs 指定的 EPSG:{epsg} 处理。"]
