"""Safe extraction of uploaded zip archives (压缩包).

A bureau sends a shapefile as a .zip. Before anything is written to disk the archive is
checked: it must be a readable zip, no entry may leave the extraction folder (``../x``,
absolute paths, drive letters, symbolic links), and the declared sizes must stay within
``Settings.max_upload_mb`` (the archive) and ``Settings.max_unzipped_mb`` (its content),
with no entry inflating more than :data:`MAX_RATIO` times (a zip bomb). The declared sizes
bound what is written: Python's zipfile never yields more than an entry's declared size and
checks each entry's CRC, so a lying header is refused as corrupt rather than filling the disk.

Entry names from Chinese Windows tools are often GBK without the zip's UTF-8 flag; they are
decoded as GB18030 when that works, so ``耕地.shp`` keeps its name.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from etl.gdal import without_directories
from gis.errors import InvalidInputError

MB = 1024 * 1024
#: Highest uncompressed/compressed ratio accepted for an entry larger than RATIO_FLOOR.
#: DEFLATE tops out near 1032:1, reached only by constant data (a block of zeros); real
#: shapefiles, even DBFs padded with blanks, stay far below.
MAX_RATIO = 500
RATIO_FLOOR = 1 * MB
MAX_ENTRIES = 10_000
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1

_HINT = "请重新打包（zip）后再上传：只包含数据文件，不要嵌套目录之外的路径。"


@dataclass(frozen=True)
class ArchiveLimits:
    """Size limits in bytes (from ``Settings.max_upload_mb`` / ``max_unzipped_mb``) and, for
    vector files, the most features and vertices read (None: no limit), checked from the
    file's headers or while streaming, before any geometry is built in full."""

    max_archive_bytes: int
    max_unzipped_bytes: int
    max_features: int | None = None
    max_vertices: int | None = None

    @classmethod
    def from_settings(cls, settings) -> ArchiveLimits:
        """A layer load (an editor's ingest, the CLI)."""
        return cls(
            int(settings.max_upload_mb * MB),
            int(settings.max_unzipped_mb * MB),
            max_features=settings.max_features,
        )

    @classmethod
    def for_overlap(cls, settings) -> ArchiveLimits:
        """A project's outline sent for an overlap check (any viewer): a few polygons, so
        far smaller limits than a layer load (10^6 tiny polygons in an 11 MB zip cost 28 s
        and 1.36 GB before the vertex limit refused them: issue 16, defect 5)."""
        return cls(
            int(min(settings.overlap_max_upload_mb, settings.max_upload_mb) * MB),
            int(min(settings.overlap_max_upload_mb * 10, settings.max_unzipped_mb) * MB),
            max_features=settings.overlap_max_features,
            max_vertices=settings.max_vertices,
        )


def extract_zip(
    archive: Path, folder: Path, limits: ArchiveLimits, kind: str = "压缩包"
) -> list[Path]:
    """Check ``archive`` and extract it into ``folder``; returns the extracted files.
    ``kind`` names the file in messages as the user knows it (a 压缩包, a KMZ 文件).

    Raises :class:`InvalidInputError` for a corrupt or unsafe archive; nothing outside
    ``folder`` (a fresh temporary directory owned by the caller) is ever written.
    """
    _check_size(archive, limits, kind, "archive too large")
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [e for e in zf.infolist() if not e.is_dir()]
            _check_entries(archive.name, entries, limits, kind)
            _check_shapefile_records(entries, limits)
            return _extract(zf, entries, folder.resolve(), kind)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise InvalidInputError(
            f"{kind} {archive.name} 已损坏或格式不支持"
            f"（corrupt zip: {without_directories(str(exc))}）。",
            hint=_HINT,
        ) from exc


def extract_kmz(archive: Path, folder: Path, limits: ArchiveLimits) -> Path:
    """A KMZ (a zipped KML: Google Earth, 奥维互动地图) under the zip's limits — size, entry
    count, ratio, total, no path leaving the folder — extracted into ``folder``; returns its
    one KML (normally ``doc.kml``). No KML, or more than one, is refused: which of several a
    viewer shows depends on the program, and a red line must not be read from the wrong one."""
    files = extract_zip(archive, folder, limits, kind="KMZ 文件")
    kmls = [f for f in files if f.suffix.lower() == ".kml"]
    if len(kmls) != 1:
        root = folder.resolve()
        names = "、".join(str(f.relative_to(root)) for f in kmls) or "无"
        what = "有多个 KML" if kmls else "没有 KML（应含 doc.kml）"
        raise InvalidInputError(
            f"KMZ 文件 {archive.name} 中{what}（{names}）"
            "（a KMZ must hold exactly one KML, normally doc.kml）。",
            hint="请在 Google Earth 或 奥维 中只导出项目红线所在的图层，或解压后上传其中的 .kml。",
        )
    return kmls[0]


def check_archive(archive: Path, limits: ArchiveLimits, kind: str = "压缩包") -> None:
    """The same limits for a zip-based file that is read in place (an .xlsx workbook):
    file size, entry count, per-entry ratio and total uncompressed size, all from the zip's
    directory before a byte is inflated (a 616 KB workbook holding a 600 MB cell took the
    server to 2.5 GB: issue 16, defect 5)."""
    _check_size(archive, limits, kind, "file too large")
    resave = "请在 Excel 或 WPS 中另存为 .xlsx 后重试。"
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [e for e in zf.infolist() if not e.is_dir()]
            # named as the user knows the file (an Excel 工作簿), with its own remedy
            _check_entries(archive.name, entries, limits, kind, hint=resave)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise InvalidInputError(
            f"{kind} {archive.name} 已损坏或格式不支持"
            f"（corrupt file: {without_directories(str(exc))}）。",
            hint=resave,
        ) from exc


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name, re-decoded as GB18030 when it was stored in a legacy code page."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _check_size(archive: Path, limits: ArchiveLimits, kind: str, gloss: str) -> None:
    size = archive.stat().st_size
    if size > limits.max_archive_bytes:
        raise InvalidInputError(
            f"{kind} {archive.name} 大小 {size / MB:.1f} MB，超过上限 "
            f"{limits.max_archive_bytes / MB:g} MB（{gloss}）。",
            hint="请拆分数据后分批导入，或调整 WATERSHED_MAX_UPLOAD_MB。",
        )


def _check_entries(
    name: str,
    entries: list[zipfile.ZipInfo],
    limits: ArchiveLimits,
    kind: str = "压缩包",
    hint: str = _HINT,
) -> None:
    if not entries:
        raise InvalidInputError(f"{kind} {name} 是空的（empty archive）。", hint=hint)
    if len(entries) > MAX_ENTRIES:
        raise InvalidInputError(
            f"{kind} {name} 含 {len(entries)} 个文件，超过上限 {MAX_ENTRIES}（too many entries）。",
            hint=hint,
        )
    total = 0
    for info in entries:
        _safe_relative_path(name, info, kind)
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise InvalidInputError(
                f"{kind} {name} 中的 {entry_name(info)} 已加密（encrypted entry）。",
                hint="请上传未加密的压缩包。",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise InvalidInputError(
                f"{kind} {name} 中的 {entry_name(info)} 压缩比 {ratio:.0f}:1 异常"
                f"（解压后 {info.file_size / MB:.0f} MB），疑似压缩炸弹（zip bomb）。",
                hint=hint,
            )
        total += info.file_size
    if total > limits.max_unzipped_bytes:
        raise InvalidInputError(
            f"{kind} {name} 解压后共 {total / MB:.1f} MB，超过上限 "
            f"{limits.max_unzipped_bytes / MB:g} MB（uncompressed size over the limit）。",
            hint="请拆分数据后分批导入，或调整 WATERSHED_MAX_UNZIPPED_MB。",
        )


def _check_shapefile_records(entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """A shapefile's record count from its .shx entry's size in the zip's directory
    (100-byte header, 8 bytes a record): too many features are refused before a byte is
    inflated (10^6 tiny polygons: 0.0x s instead of unpacking 150 MB first)."""
    if limits.max_features is None:
        return
    for info in entries:
        name = entry_name(info)
        if not name.lower().endswith(".shx"):
            continue
        records = max((info.file_size - 100) // 8, 0)
        if records > limits.max_features:
            shp = PurePosixPath(name.replace("\\", "/")).with_suffix(".shp").name
            raise InvalidInputError(
                f"{shp} 的要素数 {records}，超过上限 {limits.max_features}（too many features）。",
                hint="项目范围只需项目红线本身；图层数据请由编辑者通过数据导入上传，"
                "或由管理员调整 WATERSHED_MAX_FEATURES / WATERSHED_OVERLAP_MAX_FEATURES。",
            )


def _safe_relative_path(name: str, info: zipfile.ZipInfo, kind: str) -> PurePosixPath:
    """The entry's path inside the archive, or an error if it could leave the folder."""
    raw = entry_name(info).replace("\\", "/")
    path = PurePosixPath(raw)
    is_link = stat.S_ISLNK(info.external_attr >> 16)
    escapes = (
        raw.startswith("/")
        or (len(raw) > 1 and raw[1] == ":")  # C:/…
        or any(part == ".." for part in path.parts)
        or not path.parts
    )
    if escapes or is_link:
        what = "符号链接" if is_link else "指向解压目录之外的路径"
        raise InvalidInputError(
            f"{kind} {name} 含有不安全的条目“{raw}”（{what}；entry escapes the folder）。",
            hint=_HINT,
        )
    return path


def _extract(
    zf: zipfile.ZipFile, entries: list[zipfile.ZipInfo], folder: Path, kind: str
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for info in entries:
        target = (folder / _safe_relative_path(zf.filename or "", info, kind)).resolve()
        if not target.is_relative_to(folder):  # belt and braces after the name check
            raise InvalidInputError(f"{kind}条目“{info.filename}”指向解压目录之外。", hint=_HINT)
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        written.append(target)
    return written
