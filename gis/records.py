"""Inspection records (巡查记录): kinds, severities, photo limits and the conflict rule.

A record is edited offline on a device and synced later, so two devices may each edit the
version they last saw. Every edit says which version it was based on (``base``). The server
accepts edits in the order they arrive and merges a stale one field by field against the
version it was based on (a three-way merge, as version control does):

- a field the stale edit did not change keeps the server's value;
- a field only the stale edit changed takes the stale edit's value;
- a field both changed, to different values, keeps the server's value (the edit that reached
  the server first wins) and is a *conflict*: the whole losing version is kept in the
  record's history and shown with the record, so nothing typed on a device is lost.

Device clocks are not used to decide: a tablet's clock is often wrong, the server's order of
arrival is not. See docs/rules-records.md.
"""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from gis.errors import TooLargeError, UnsupportedMediaError

KINDS = ("排污口", "违法占用", "水华", "垃圾", "水利设施损坏", "其他")
SEVERITIES = {"low": "一般", "medium": "较重", "high": "严重"}
STATUSES = {"open": "未关闭", "closed": "已关闭"}

#: What a device may edit; ``location`` is lon, lat, accuracy and how it was taken, as one.
EDITABLE = ("kind", "severity", "notes", "location", "observed_at")

#: Photos: what a browser shows and Pillow can check; ≤ 10 MB (a 12-MP phone JPEG is 3–6 MB).
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Merge:
    """The values to store, and which fields came from the incoming edit or conflicted."""

    values: dict[str, Any]
    applied: tuple[str, ...]
    conflicts: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def merge(base: dict[str, Any], current: dict[str, Any], incoming: dict[str, Any]) -> Merge:
    """Merge ``incoming`` (an edit of version ``base``) into ``current`` (the server's latest).

    With ``base`` equal to ``current`` (an edit of the latest version) every changed field is
    applied and nothing conflicts."""
    values, applied, conflicts = {}, [], []
    for field in EDITABLE:
        mine, theirs, was = incoming[field], current[field], base[field]
        if mine in (theirs, was):
            values[field] = theirs
        elif theirs == was:
            values[field] = mine
            applied.append(field)
        else:
            values[field] = theirs
            conflicts.append(field)
    return Merge(values, tuple(applied), tuple(conflicts))


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo's bytes say: its real type, size in pixels, and the EXIF time and position
    (camera local time, as EXIF has no zone; WGS84 degrees, kept as CGCS2000: centimetres)."""

    content_type: str
    width: int
    height: int
    taken_at: dt.datetime | None
    lon: float | None
    lat: float | None


def inspect_photo(data: bytes) -> PhotoInfo:
    """Check a photo by decoding it (not by the type a client claims) and read its EXIF."""
    if len(data) > PHOTO_MAX_BYTES:
        raise TooLargeError(
            f"照片 {len(data) / 1024 / 1024:.1f} MB，超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB 的限制"
            " (photo too large).",
            hint="请降低相机分辨率后重拍。",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # the file's structure (Pillow: only right after opening)
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            exif = image.getexif()
            image.load()  # the pixels: a truncated file fails here
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        RuntimeError,
    ) as exc:
        raise UnsupportedMediaError(
            "无法识别的照片：只接受 JPEG、PNG、WebP (unreadable or unsupported image).",
            hint="iPhone/iPad 的 HEIC 照片请在相机设置中选择“兼容性最佳”（JPEG）。",
        ) from exc
    if kind not in PHOTO_TYPES:
        raise UnsupportedMediaError(
            f"不支持的照片格式 {kind}：只接受 JPEG、PNG、WebP (unsupported image type)."
        )
    lon, lat = _gps(exif)
    return PhotoInfo(PHOTO_TYPES[kind], width, height, _taken_at(exif), lon, lat)


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    text = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
    try:
        return dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(0x8825)
    try:
        lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return round(lon, 7), round(lat, 7)


def _degrees(dms: Any) -> float:
    d, m, s = (float(v) for v in dms)
    return d + m / 60 + s / 3600
