"""GDAL's own errors and warnings during a read (GDAL 报错), which pyogrio does not raise.

pyogrio turns a GDAL *failure* into an exception only when the call that failed returns an
error code. A failure in the middle of a read does not: on a truncated ``.shp`` GDAL logs
"Error in fread() reading object …" for every shape it cannot read, returns the feature
without geometry, and the read "succeeds" (13,522 parcels became 8,191, issue 16). So the
read runs under :func:`gdal_messages`, which pushes a GDAL error handler of our own for the
calling thread (GDAL's handler stack is thread-local, so concurrent reads in other threads
are unaffected) and collects every message; :func:`refuse_unless_benign` then refuses the
file unless each message is on the short :data:`BENIGN` list.

GDAL's error counter (also thread-local) backs the handler up: should pyogrio push a handler
of its own during a call, ours does not see those messages, but the counter still moves and
the last message is still recorded.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyogrio

from gis.errors import InvalidInputError

CE_WARNING, CE_FAILURE, CE_FATAL = 2, 3, 4
_CLASS_ZH = {CE_WARNING: "警告", CE_FAILURE: "错误", CE_FATAL: "严重错误"}

#: Messages that do not mean data were lost or misread. Anything else refuses the file.
BENIGN: tuple[tuple[re.Pattern[str], str], ...] = (
    # GeoJSON features sharing an ``id``: GDAL renumbers its FIDs; we never use them.
    (re.compile(r"Several features with id = .* have been found"), "GeoJSON 要素 id 重复"),
    # A GeoPackage written by a tool that sets no or another application_id / user_version.
    (re.compile(r"GPKG: (bad application_id|unrecognized user_version)"), "GPKG 元数据"),
)

#: The directory part of an absolute path in a library's message (the file's name stays).
_DIRECTORY = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^/\\\s'\"]+)+[/\\]")

_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, ctypes.c_char_p)


@dataclass(frozen=True)
class GdalMessage:
    level: int
    text: str

    @property
    def benign(self) -> bool:
        return any(p.search(self.text) for p, _ in BENIGN)


@functools.cache
def _libgdal() -> ctypes.CDLL | None:
    """The libgdal pyogrio runs on (its wheel bundles one; else the system's)."""
    libs = Path(pyogrio.__file__).resolve().parent.parent / "pyogrio.libs"
    candidates = sorted(libs.glob("libgdal*")) if libs.is_dir() else []
    name = str(candidates[0]) if candidates else ctypes.util.find_library("gdal")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.CPLGetErrorCounter.restype = ctypes.c_uint32
    lib.CPLGetLastErrorMsg.restype = ctypes.c_char_p
    lib.CPLGetLastErrorType.restype = ctypes.c_int
    lib.CPLPushErrorHandler.argtypes = [_HANDLER]
    return lib


@contextmanager
def gdal_messages() -> Iterator[list[GdalMessage]]:
    """Every GDAL warning and error raised by this thread inside the block."""
    collected: list[GdalMessage] = []
    lib = _libgdal()
    if lib is None:  # no libgdal found by name: nothing to watch (pyogrio would not run)
        yield collected
        return

    def handle(level: int, _number: int, message: bytes | None) -> None:
        if level >= CE_WARNING:
            collected.append(GdalMessage(level, (message or b"").decode("utf-8", "replace")))

    handler = _HANDLER(handle)  # kept referenced until popped
    before = lib.CPLGetErrorCounter()
    lib.CPLPushErrorHandler(handler)
    try:
        yield collected
    finally:
        lib.CPLPopErrorHandler()
        missed = lib.CPLGetErrorCounter() - before - len(collected)
        if missed > 0 and lib.CPLGetLastErrorType() >= CE_WARNING:
            text = (lib.CPLGetLastErrorMsg() or b"").decode("utf-8", "replace")
            collected.append(GdalMessage(lib.CPLGetLastErrorType(), text))


def without_directories(text: str) -> str:
    """``text`` with the folders of any absolute path removed: an upload's temporary folder
    (or a server path) is nobody's business; the file's own name is kept."""
    return _DIRECTORY.sub("", text)


def refuse_unless_benign(name: str, messages: list[GdalMessage]) -> list[str]:
    """Refuse ``name`` if GDAL reported anything not on :data:`BENIGN`; else the notes."""
    serious = [m for m in messages if not m.benign]
    if serious:
        first = serious[0]
        raise InvalidInputError(
            f"读取 {name} 时 GDAL 报告了 {len(serious)} 条{_CLASS_ZH.get(first.level, '错误')}，"
            f"文件可能已损坏或被截断，未导入（GDAL reported errors while reading）："
            f"{without_directories(first.text)[:300]}",
            hint="请重新导出或重新复制完整的文件后再导入；可先用 QGIS 打开检查。",
        )
    return [f"GDAL：{without_directories(m.text)}（已知无害）" for m in messages]
