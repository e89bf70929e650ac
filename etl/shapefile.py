"""A shapefile's parts checked against their own headers before and after GDAL reads them.

A copy cut short (``head -c``, an interrupted upload, a full disk) still opens: GDAL reads
what is there and returns the rest without geometry. What the files say about themselves
catches it, all with numpy over whole arrays (no loop over records):

* ``.shp``: file code 9994 and the file length in its header (bytes 24–27, big-endian, in
  16-bit words) equal to the file's size;
* ``.shx``: the same header check; its records (8 bytes each after the 100-byte header) give
  the number of shapes, ``(size − 100) / 8``; each record's offset and content length must
  point at a record inside the ``.shp`` whose own header (number, length) agrees;
* ``.dbf``: checked by :func:`etl.dbf.read_dbf` (declared records × record length present);
  its record count must equal the ``.shx``'s;
* after the read: one feature per ``.shx`` record, and a missing geometry only where the
  ``.shp`` holds a null shape (shape type 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gis.errors import InvalidInputError

_FILE_CODE = 9994
_HEADER = 100
_HINT = "文件可能在复制或上传中被截断或损坏，请重新导出完整的 .shp/.shx/.dbf（打包为 zip 最稳妥）。"


@dataclass(frozen=True)
class ShapeIndex:
    """What the ``.shx`` and ``.shp`` headers promise."""

    count: int
    null_shapes: NDArray[np.bool_]  # per record: the .shp holds a null shape (type 0)
    deleted: NDArray[np.bool_]  # per record: marked deleted in the .dbf (GDAL skips these)


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError(message, hint=_HINT)


def _check_header(raw: NDArray[np.uint8], name: str, kind: str) -> None:
    size = len(raw)
    if size < _HEADER:
        raise _refuse(f"{name} 只有 {size} 字节，不足文件头的 100 字节（truncated {kind}）。")
    code = int(raw[:4].view(">i4")[0])
    if code != _FILE_CODE:
        raise _refuse(
            f"{name} 不是 shapefile 的{kind}文件（文件标识 {code}，应为 9994）（not a {kind}）。"
        )
    declared = int(raw[24:28].view(">i4")[0]) * 2
    if declared != size:
        raise _refuse(
            f"{name} 文件头声明长度 {declared} 字节，实际 {size} 字节"
            f"（{kind} length mismatch: header says {declared} bytes, file has {size}）。"
        )


def _bytes(path: Path) -> NDArray[np.uint8]:
    """The file's bytes, mapped (only the pages indexed are read) unless it is tiny."""
    if path.stat().st_size < _HEADER:
        return np.fromfile(path, dtype=np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r")


def _deleted(dbf: Path, count: int) -> NDArray[np.bool_]:
    """Each record's deletion flag ('*'); read_dbf has already checked the lengths."""
    raw = _bytes(dbf)
    header_len = int.from_bytes(bytes(raw[8:10]), "little")
    record_len = int.from_bytes(bytes(raw[10:12]), "little")
    return raw[header_len + np.arange(count, dtype=np.int64) * record_len] == ord("*")


def verify_shapefile(shp: Path, shx: Path, dbf: Path, dbf_records: int) -> ShapeIndex:
    """Refuse a shapefile whose parts disagree with their headers or with each other."""
    dbf_name = dbf.name
    shp_raw = _bytes(shp)
    shx_raw = _bytes(shx)
    _check_header(shp_raw, shp.name, ".shp")
    _check_header(shx_raw, shx.name, ".shx")
    if (len(shx_raw) - _HEADER) % 8:
        raise _refuse(f"{shx.name} 的长度 {len(shx_raw)} 不是 100 + 8×记录数（corrupt .shx）。")
    count = (len(shx_raw) - _HEADER) // 8
    if count != dbf_records:
        raise _refuse(
            f"{shx.name} 有 {count} 条记录，{dbf_name} 有 {dbf_records} 条"
            f"（.shx and .dbf disagree: {count} vs {dbf_records} records）。"
        )
    index = shx_raw[_HEADER:].view(">i4").reshape(count, 2).astype(np.int64) * 2
    offsets, lengths = index[:, 0], index[:, 1]
    bad = (offsets < _HEADER) | (lengths < 4) | (offsets + 8 + lengths > len(shp_raw))
    if bad.any():
        first = int(np.argmax(bad))
        raise _refuse(
            f"{shx.name} 的第 {first + 1} 条记录指向 {shp.name} 第 {int(offsets[first])} 字节起的 "
            f"{int(lengths[first])} 字节，超出 {shp.name} 的 {len(shp_raw)} 字节；共 "
            f"{int(bad.sum())} 条记录如此（.shx points past the end of the .shp）。"
        )
    # Each record's own header in the .shp: number (big-endian) and content length (words).
    at = offsets[:, None] + np.arange(12)
    heads = shp_raw[at]  # count × 12 bytes: number, length, shape type
    numbers = heads[:, 0:4].copy().view(">i4")[:, 0]
    stored = heads[:, 4:8].copy().view(">i4")[:, 0].astype(np.int64) * 2
    types = heads[:, 8:12].copy().view("<i4")[:, 0]
    wrong = (numbers != np.arange(1, count + 1)) | (stored != lengths)
    if wrong.any():
        first = int(np.argmax(wrong))
        raise _refuse(
            f"{shp.name} 的第 {first + 1} 条记录与 {shx.name} 不符（记录号 {int(numbers[first])}，"
            f"长度 {int(stored[first])}/{int(lengths[first])} 字节）；共 {int(wrong.sum())} 条"
            "（.shp records do not match the .shx）。"
        )
    return ShapeIndex(count, types == 0, _deleted(dbf, count))


def verify_read(
    shp: Path, index: ShapeIndex, fids: NDArray[np.int64], missing: NDArray[np.bool_]
) -> None:
    """GDAL gave one feature per live record, and no geometry only where the .shp has none."""
    expected = np.flatnonzero(~index.deleted)
    if not np.array_equal(fids, expected):
        raise _refuse(
            f"{shp.name} 应有 {len(expected)} 个要素，读到 {len(fids)} 个"
            f"（read {len(fids)} of {len(expected)} features）。"
        )
    lost = missing & ~index.null_shapes[fids]
    if lost.any():
        first = int(np.argmax(lost))
        raise _refuse(
            f"{shp.name} 中 {int(lost.sum())} 个要素的几何无法读取（如第 {first + 1} 个要素）"
            f"（{int(lost.sum())} geometries could not be read）。"
        )
