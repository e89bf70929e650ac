"""Samples tables refused before parsing (issue 16, defects 4 and 6): an XLSX formula with
no cached result (read as blank by every reader) names its cell; an empty CSV says so."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from etl.archive import MB, ArchiveLimits
from etl.loader import load_file
from etl.tables import precheck_table
from gis.errors import InvalidInputError
from tests.etl.loader_helpers import fingerprint

LIMITS = ArchiveLimits(max_archive_bytes=50 * MB, max_unzipped_bytes=200 * MB)


def _workbook(path, sheet_title="水质"):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "说明"
    first["A1"] = "本表由脚本生成"
    ws = book.create_sheet(sheet_title)
    ws.append(["断面编码", "采样日期", "氨氮", "总磷"])
    ws.append(["ZD-01", "2024-01-05", 0.5, 0.1])
    ws.append(["ZD-01", "2024-02-05", "=C2*2", 0.1])  # openpyxl stores no cached result
    ws.append(["ZD-01", "2024-03-05", 0.7, "=D2+0.05"])
    book.move_sheet(ws, offset=-1)  # the data sheet first: what a load reads by default
    book.save(path)
    return path


def _with_cached_values(path):
    """The same workbook as Excel saves it: each formula followed by its result."""
    out = path.with_name("cached.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                text = re.sub(r"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", r"\1<v>1.0</v>", text)
                data = text.encode()
            dst.writestr(item, data)
    return out


def test_formulas_without_results_are_refused_naming_each_cell(engine, settings, tmp_path):
    path = _workbook(tmp_path / "lab.xlsx")
    before = fingerprint(engine, "samples")
    with pytest.raises(InvalidInputError) as caught:
        load_file(engine, path, "samples", settings=settings)
    message = str(caught.value)
    assert "lab.xlsx" in message and "水质" in message
    assert "2 个公式单元格" in message and "C3" in message and "D4" in message
    assert fingerprint(engine, "samples") == before


def test_the_named_sheet_is_the_one_checked(tmp_path):
    path = _workbook(tmp_path / "lab.xlsx")
    precheck_table(path, "说明", LIMITS)  # no formula there
    with pytest.raises(InvalidInputError, match="C3"):
        precheck_table(path, "水质", LIMITS)


def test_formulas_with_cached_results_pass(tmp_path):
    path = _with_cached_values(_workbook(tmp_path / "lab.xlsx"))
    precheck_table(path, None, LIMITS)
    assert openpyxl.load_workbook(path, data_only=True)["水质"]["C3"].value == 1.0


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n  \n"])
def test_an_empty_csv_is_refused_with_a_message(engine, settings, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = fingerprint(engine, "samples")
    with pytest.raises(InvalidInputError, match="empty CSV"):
        load_file(engine, path, "samples", settings=settings)
    assert fingerprint(engine, "samples") == before


def _with_one_huge_cell(path, size: int, letter: bytes = b"x"):
    """The workbook with its data sheet's first cell replaced by ``size`` bytes of text:
    tiny compressed, huge inflated (issue 16: 616 KB on disk, 600 MB in one cell)."""
    out = path.with_name("huge.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cell = b'<c r="A1" t="inlineStr"><is><t>' + letter * size + b"</t></is></c>"
                data = re.sub(rb'<c r="A1"[^>]*>.*?</c>', lambda _, cell=cell: cell, data, count=1)
            dst.writestr(item.filename, data)
    return out


def test_a_workbook_inflating_like_a_zip_bomb_is_refused_before_reading(engine, settings, tmp_path):
    path = _with_one_huge_cell(_workbook(tmp_path / "lab.xlsx"), 20 * MB)
    assert path.stat().st_size < 100_000
    before = fingerprint(engine, "samples")
    with pytest.raises(InvalidInputError, match="zip bomb") as refused:
        load_file(engine, path, "samples", settings=settings)
    assert fingerprint(engine, "samples") == before
    # named as the user knows the file, with the workbook's remedy (not "repack the zip")
    assert refused.value.message.startswith("Excel 工作簿 huge.xlsx 中的 xl/worksheets/")
    assert "另存为 .xlsx" in refused.value.hint


def test_a_workbook_over_the_unzipped_limit_is_refused(engine, settings, tmp_path):
    import os

    # Random text: no bomb-like ratio, but 3 MB once inflated, over a 2 MB limit.
    letters = bytes(97 + b % 26 for b in os.urandom(3 * MB))
    path = _with_one_huge_cell(_workbook(tmp_path / "lab.xlsx"), 1, letters)
    small = settings.model_copy(update={"max_unzipped_mb": 2})
    with pytest.raises(InvalidInputError, match="uncompressed size over the limit") as refused:
        load_file(engine, path, "samples", settings=small)
    assert refused.value.message.startswith("Excel 工作簿 huge.xlsx 解压后共 3.0 MB")
