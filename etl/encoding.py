"""Shapefile attribute encoding (属性表编码): detect it, and refuse mojibake.

Older ArcGIS and MapGIS write the DBF in GBK (code page 936), usually without a ``.cpg``;
newer ArcGIS writes UTF-8 with a ``.cpg``. :func:`detect_dbf_encoding` decides, in order:

1. the user's ``--encoding``;
2. the ``.cpg`` sibling;
3. the DBF header's language-driver byte (offset 29), when it names a Chinese code page;
4. the bytes themselves: strict UTF-8 first (Chinese GBK text is almost never valid
   UTF-8), then strict GB18030.

Every GBK-family name maps to ``gb18030``, a strict superset of GBK and GB2312: nothing a GBK
file holds is lost, and characters GBK lacks (e.g. 㵐 in 㵐水, a river of 曾都区) survive in
files written as GB18030. A declared encoding is still checked against the bytes, so a wrong
``.cpg`` is reported instead of silently producing mojibake.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from gis.errors import EncodingError

EncodingSource = Literal["override", "cpg", "ldid", "utf8", "gb18030"]

_HINT = "请用 --encoding 指定属性表编码，例如 --encoding gb18030 或 --encoding utf-8。"

# .cpg values after upper-casing and dropping spaces, dashes and underscores.
_CPG_ALIASES = {
    "UTF8": "utf-8",
    "65001": "utf-8",
    "936": "gb18030",
    "CP936": "gb18030",
    "MS936": "gb18030",
    "ANSI936": "gb18030",
    "WINDOWS936": "gb18030",
    "GBK": "gb18030",
    "GB2312": "gb18030",
    "GB18030": "gb18030",
    "54936": "gb18030",
    "950": "cp950",
    "CP950": "cp950",
    "BIG5": "cp950",
}

# Language-driver IDs that name a Chinese code page (ESRI/dBase and Visual FoxPro values).
# Other IDs are ignored: tools stamp 0x57 ("ANSI") or 0x00 by default whatever the text is.
_LDID_CODECS = {
    0x4D: ("gb18030", "936"),
    0x7A: ("gb18030", "936"),
    0x4F: ("cp950", "950"),
    0x78: ("cp950", "950"),
}
_LDID_OFFSET = 29


@dataclass(frozen=True)
class EncodingDetection:
    """The codec for a DBF's text fields, why it was chosen (Chinese), and by which rule."""

    encoding: str
    reason: str
    source: EncodingSource


def detect_dbf_encoding(
    shp_or_dbf_path: str | Path, override: str | None = None
) -> EncodingDetection:
    """Decide the Python codec for the attribute table of a shapefile (``.shp`` or ``.dbf``)."""
    dbf = _sibling(Path(shp_or_dbf_path), ".dbf")
    if dbf is None:
        raise EncodingError(
            f"找不到属性表 {Path(shp_or_dbf_path).with_suffix('.dbf').name}（missing .dbf）。"
        )
    raw = dbf.read_bytes()
    texts = _text_values(raw)
    if override:
        encoding = _codec_name(override, what="--encoding")
        _require_decodes(texts, encoding, f"--encoding {override}")
        return EncodingDetection(
            encoding, f"按 --encoding 指定：{override} → {encoding}", "override"
        )
    cpg = _sibling(dbf, ".cpg")
    cpg_value = cpg.read_bytes().decode("utf-8-sig", errors="replace").strip() if cpg else ""
    if cpg_value:
        encoding = _codec_name(cpg_value, what=f".cpg（{cpg_value}）")
        _require_decodes(texts, encoding, f".cpg 声明的 {cpg_value}")
        return EncodingDetection(encoding, f"依据 .cpg：{cpg_value} → {encoding}", "cpg")
    ldid = raw[_LDID_OFFSET] if len(raw) > _LDID_OFFSET else 0
    if ldid in _LDID_CODECS:
        encoding, code_page = _LDID_CODECS[ldid]
        _require_decodes(texts, encoding, f"DBF 语言驱动字节 0x{ldid:02X}（代码页 {code_page}）")
        reason = f"依据 DBF 语言驱动字节 0x{ldid:02X}（代码页 {code_page}）→ {encoding}"
        return EncodingDetection(encoding, reason, "ldid")
    return _sniff(texts, ldid)


def _sniff(texts: list[bytes], ldid: int) -> EncodingDetection:
    """Choose UTF-8 or GB18030 from the bytes; strict UTF-8 wins when both decode."""
    note = f"（无 .cpg，语言驱动字节 0x{ldid:02X} 未指明中文代码页）"
    non_ascii = [t for t in texts if not t.isascii()]
    if not non_ascii:
        return EncodingDetection("utf-8", f"属性文本全为 ASCII，按 utf-8 读取{note}", "utf8")
    if _decodes(non_ascii, "utf-8"):
        return EncodingDetection("utf-8", f"属性文本是有效的 UTF-8{note}", "utf8")
    if _decodes(non_ascii, "gb18030"):
        reason = f"属性文本不是 UTF-8，按 GB18030（兼容 GBK）解码成功{note}"
        return EncodingDetection("gb18030", reason, "gb18030")
    raise EncodingError(
        "属性表既不是 UTF-8 也不是 GBK/GB18030，无法判断编码（unknown encoding）。", hint=_HINT
    )


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file next to ``path`` with ``suffix``, matched case-insensitively (Windows data)."""
    exact = path.with_suffix(suffix)
    if exact.is_file():
        return exact
    folder = path.parent
    if not folder.is_dir():
        return None
    wanted = (path.stem + suffix).lower()
    return next((p for p in folder.iterdir() if p.name.lower() == wanted and p.is_file()), None)


def _codec_name(value: str, *, what: str) -> str:
    """Normalise a code-page label to a Python codec name; GBK family → gb18030."""
    key = re.sub(r"[\s_\-]", "", value).upper()
    if key in _CPG_ALIASES:
        return _CPG_ALIASES[key]
    candidates = [value.strip(), f"cp{key}"] if key.isdigit() else [value.strip()]
    for candidate in candidates:
        try:
            name = codecs.lookup(candidate).name
        except LookupError:
            continue
        return "gb18030" if name in ("gbk", "gb2312") else name
    raise EncodingError(f"{what} 不是可识别的编码（unknown encoding）。", hint=_HINT)


def _text_values(raw: bytes) -> list[bytes]:
    """The distinct non-ASCII values of the DBF's character (C) fields."""
    if len(raw) < 32:
        raise EncodingError("属性表 .dbf 文件不完整（truncated .dbf）。")
    header_len = int.from_bytes(raw[8:10], "little")
    record_len = int.from_bytes(raw[10:12], "little")
    n_records = (len(raw) - header_len) // record_len if record_len else 0
    if n_records <= 0:
        return []
    records = np.frombuffer(raw, np.uint8, n_records * record_len, header_len)
    records = records.reshape(n_records, record_len)
    values: set[bytes] = set()
    for offset, width in _character_fields(raw, header_len):
        if offset + width > record_len:  # a damaged header; the fields that fit still tell
            continue
        cells = records[:, offset : offset + width]
        # Only values with a byte ≥ 0x80 can tell encodings apart: codes and numbers are skipped
        # without becoming Python objects.
        cells = np.ascontiguousarray(cells[(cells >= 0x80).any(axis=1)])
        values.update(v.rstrip(b" \x00") for v in np.unique(cells.view(f"S{width}")))
    values.discard(b"")
    return sorted(values)


def _character_fields(raw: bytes, header_len: int) -> list[tuple[int, int]]:
    """(offset within the record, width) of each C field, from the 32-byte descriptors."""
    fields, offset = [], 1  # each record starts with a one-byte deletion flag
    for start in range(32, header_len - 1, 32):
        if raw[start] == 0x0D:  # terminator after the last descriptor
            break
        width = raw[start + 16]
        if raw[start + 11] == ord("C"):
            fields.append((offset, width))
        offset += width
    return fields


def _decodes(texts: Iterable[bytes], encoding: str) -> bool:
    """Whether every value decodes strictly; a multi-byte character cut off at the end of a
    fixed-width field (some writers truncate by bytes) is tolerated. ASCII decodes the same in
    every candidate, so only the other values are tried (codes and numbers are most of them)."""
    for text in texts:
        if text.isascii():
            continue
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            decoder.decode(text, final=False)
        except UnicodeDecodeError:
            return False
    return True


def _require_decodes(texts: list[bytes], encoding: str, declared: str) -> None:
    if _decodes(texts, encoding):
        return
    other = next((e for e in ("utf-8", "gb18030") if e != encoding and _decodes(texts, e)), None)
    guess = f"数据看起来是 {other}。" if other else ""
    raise EncodingError(f"{declared} 与属性表内容不符，按 {encoding} 解码失败。{guess}", hint=_HINT)


# --- mojibake ------------------------------------------------------------------------------

# cp1252 puts printable characters at 0x80–0x9F; map them back to their bytes.
_CP1252_BYTES = {
    bytes([b]).decode("cp1252"): b
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_LATIN_RUN = re.compile("[\u0080-\u00ff" + "".join(_CP1252_BYTES) + "]{2,}")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_PLAUSIBLE = re.compile("[\u0020-\u007e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]*")


def check_no_mojibake(values: Iterable[str], *, field: str | None = None) -> None:
    """Raise :class:`EncodingError` if decoded attribute strings look like mojibake (乱码).

    The heuristic is conservative: a string is flagged only on positive evidence, and
    "plausible Chinese" below means only CJK ideographs, CJK/full-width punctuation and ASCII.

    1. It contains U+FFFD or a lone surrogate: something was decoded with replacement or
       ``surrogateescape``.
    2. It contains a run of Latin-1/cp1252 characters, at least two of them in U+00A1–U+00FF,
       whose bytes decode (UTF-8 or GB18030) to plausible Chinese: GBK or UTF-8 read as
       Latin-1/cp1252 ("ÖÐ¹ú" for 中国). A lone "°" or "²" never triggers it.
    3. Its GB18030 bytes are valid UTF-8 that is plausible Chinese with the same ASCII, and
       differs from it: UTF-8 read as GBK ("鏃卞湴" for 旱地). Genuine GBK text almost never
       passes: no 1–2 character string can, and in a test over 300 000 random strings of 3
       GBK ideographs about 1 in 20 000 did, none of 4 or more.
    """
    for value in values:
        if isinstance(value, str) and _looks_like_mojibake(value):
            where = f"字段 {field} 中" if field else ""
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise EncodingError(f"属性表{where}出现乱码（mojibake）：“{shown}”。", hint=_HINT)


def _looks_like_mojibake(value: str) -> bool:
    if "\ufffd" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        return True
    for run in _LATIN_RUN.findall(value):
        if sum("\u00a1" <= ch <= "\u00ff" for ch in run) < 2:
            continue
        data = bytes(_CP1252_BYTES.get(ch, ord(ch)) for ch in run)
        # A GBK value cut mid-character by a fixed-width field still counts.
        if _as_chinese(data, "gb18030", final=False) or _as_chinese(data, "utf-8", final=False):
            return True
    if value.isascii() or not _CJK.search(value):
        return False
    text = _as_chinese(value.encode("gb18030"), "utf-8", final=True)
    return text is not None and text != value and _ascii_count(text) == _ascii_count(value)


def _as_chinese(data: bytes, encoding: str, *, final: bool) -> str | None:
    """``data`` decoded strictly, if the result is plausible Chinese with an ideograph."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return None
    return text if _CJK.search(text) and _PLAUSIBLE.fullmatch(text) else None


def _ascii_count(text: str) -> int:
    return sum(ch.isascii() for ch in text)
