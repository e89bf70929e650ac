"""Checks on a samples table (CSV/XLSX) before it is parsed (表格预检).

* An XLSX formula cell is stored as its formula plus, when the program that saved it
  calculated it, the cached result. Files written by scripts (openpyxl, pandas with
  formulas) or saved with calculation off carry no result, and every reader (pandas,
  openpyxl ``data_only``) then sees a blank: a concentration silently missing. Such a cell
  refuses the workbook, named by its sheet and cell reference, so the sender recalculates
  and saves in Excel/WPS first. The sheet's XML is streamed (``iterparse``), never loaded.
* An empty CSV (no header row) is refused with a message instead of a parser exception.
* An XLSX is a zip: the archive limits (:func:`etl.archive.check_archive`) apply before
  anything reads it.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

from etl.archive import ArchiveLimits, check_archive
from gis.errors import InvalidInputError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def precheck_table(path: Path, sheet: str | None, limits: ArchiveLimits) -> None:
    """Refuse an empty CSV, an XLSX over the archive limits (it is a zip) or an XLSX
    formula without a cached value."""
    suffix = path.suffix.lower()
    if suffix == ".csv" and path.is_file():
        with path.open("rb") as f:
            head = f.read(4096)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
            raise InvalidInputError(
                f"{path.name} 是空文件，没有表头和数据（empty CSV）。",
                hint="请导出含表头（断面编码、采样日期、各指标）的 CSV。",
            )
    elif suffix in (".xlsx", ".xlsm") and zipfile.is_zipfile(path):
        check_archive(path, limits, kind="Excel 工作簿")
        with zipfile.ZipFile(path) as book:
            name, member = _sheet_member(book, sheet)
            if member is not None:
                _check_formulas(book, member, path.name, name)


def _sheet_member(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str | None]:
    """The chosen sheet's name and XML part (the first sheet when none is named)."""
    try:
        with book.open("xl/workbook.xml") as f:
            sheets = [
                (el.get("name", ""), el.get(f"{_REL}id"))
                for _, el in iterparse(f)
                if el.tag == f"{_MAIN}sheet"
            ]
        with book.open("xl/_rels/workbook.xml.rels") as f:
            targets = {
                el.get("Id"): el.get("Target", "")
                for _, el in iterparse(f)
                if el.tag == f"{_PKG_REL}Relationship"
            }
    except (KeyError, SyntaxError):
        return "", None  # not a workbook we understand: pandas will say so
    chosen = next((s for s in sheets if sheet is None or s[0] == sheet), None)
    if chosen is None or chosen[1] not in targets:
        return "", None
    target = targets[chosen[1]]
    member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return chosen[0], posixpath.normpath(member)


def _check_formulas(book: zipfile.ZipFile, member: str, file_name: str, sheet: str) -> None:
    missing: list[str] = []
    try:
        with book.open(member) as f:
            for _, el in iterparse(f):
                if el.tag != f"{_MAIN}c":
                    continue
                formula = el.find(f"{_MAIN}f")
                value = el.find(f"{_MAIN}v")
                if formula is not None and (value is None or not (value.text or "").strip()):
                    missing.append(el.get("r", "?"))
                el.clear()
    except (KeyError, SyntaxError):
        return
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        raise InvalidInputError(
            f"{file_name} 工作表“{sheet}”中 {len(missing)} 个公式单元格没有计算结果"
            f"（{shown}），读出来会是空白（formula cells without cached values: "
            f"{', '.join(missing[:10])}）。",
            hint="请在 Excel 或 WPS 中打开该文件、重新计算并保存后再导入，或把公式粘贴为数值。",
        )
