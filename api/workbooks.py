"""Excel workbooks (.xlsx) as the bureau files them: the list evaluation and overlap reports."""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

STATUS_FILLS = {"pass": "C6EFCE", "warn": "FFEB9C", "fail": "FFC7CE", "nodata": "D9D9D9"}
VERDICT_FILLS = {
    "clear": "C6EFCE",
    "review": "FFEB9C",
    "conflict": "FFC7CE",
    "undetermined": "FFC7CE",  # red, as on the map: never to be read as clear
}
_RED_TEXT = Font(bold=True, color="C00000")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
NET_MU = "扣除田坎等后（亩）"


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _table(
    sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> int:
    """Write a header row and rows from the sheet's next row; returns the header's row number."""
    sheet.append(list(header))
    first = sheet.max_row
    for cell in sheet[first]:
        cell.font = _BOLD
        cell.fill = _fill("DDEBF7")
    for row in rows:
        sheet.append(list(row))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    return first


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _evidence_text(evidence: list[dict[str, Any]]) -> str:
    return "；".join(
        f"{e['layer']}#{e['id']}" + (f" {e['name']}" if e.get("name") else "") for e in evidence
    )


def checks_workbook(title: str, period: str | None, results: list[dict[str, Any]]) -> bytes:
    """底线管控清单核查表: one row per unit and line, coloured by status."""
    book = Workbook()
    sheet = book.active
    sheet.title = "底线核查"
    sheet.append([title])
    sheet["A1"].font = _TITLE
    sheet.append([f"评价时段：{period or '—'}", f"生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}"])
    sheet.append([])
    header = ("片区", "底线", "对象", "目标", "实测", "单位", "余量", "结论", "依据（图层#编号）")
    rows = [
        (
            r.get("unit"),
            r.get("line_label") or r.get("line"),
            r.get("subject") or "",
            r.get("target"),
            r.get("measured"),
            r.get("uom"),
            r.get("margin"),
            r.get("status_label") or r.get("status"),
            _evidence_text(r.get("evidence") or []),
        )
        for r in results
    ]
    first = _table(sheet, header, rows, (12, 22, 16, 10, 12, 8, 10, 10, 60))
    for offset, result in enumerate(results, start=1):
        colour = STATUS_FILLS.get(result.get("status"), "FFFFFF")
        sheet.cell(row=first + offset, column=8).fill = _fill(colour)
        sheet.cell(row=first + offset, column=9).alignment = _WRAP
    return _bytes(book)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _overlap_header(summary: Worksheet, report: dict[str, Any]) -> None:
    verdict = report["verdict"]
    summary.append(["项目编号", report.get("id")])
    summary.append(["项目状态", report.get("project_status") or "拟建"])
    if report.get("project_status_note"):
        summary.append(["状态说明", report["project_status_note"]])
    summary.append(["项目面积（m²）", round(report["project_area_m2"], 2)])
    summary.append(["项目面积（亩）", round(report["project_area_mu"], 4)])
    coverage = report.get("coverage")
    if coverage is None:
        summary.append(["行政区界内（%）", "保存时未量算覆盖范围"])
    else:
        summary.append(["行政区界内（%）", _share(coverage["covered_share"])])
        if coverage["uncovered_m2"] > 0:
            summary.append(
                [
                    "超出数据范围（m²）",
                    round(coverage["uncovered_m2"], 2),
                    f"占项目 {coverage['uncovered_share']:.2%}，无法判定（超出数据范围）",
                ]
            )
            for cell in summary[summary.max_row]:
                cell.font = _RED_TEXT
    summary.append(["结论", verdict["label"]])
    cell = summary.cell(row=summary.max_row, column=2)
    cell.fill = _fill(VERDICT_FILLS.get(verdict["status"], "FFFFFF"))
    if verdict["status"] == "undetermined":
        cell.font = _RED_TEXT
    summary.append(["说明", verdict["summary"]])
    for reason in verdict["reasons"]:
        summary.append(["依据", reason["text"]])
        if reason["severity"] == "undetermined":
            summary.cell(row=summary.max_row, column=2).font = _RED_TEXT
    for note in report["input"]["notes"]:
        summary.append(["输入处理", note])
    summary.append([])


def overlap_workbook(report: dict[str, Any]) -> bytes:
    """项目压占分析表: a summary sheet (one row per protected layer, with how much of the
    project its data cover and its finding) and the features touched."""
    book = Workbook()
    summary = book.active
    summary.title = "压占汇总"
    summary.append([f"项目压占分析：{report.get('project_name') or '未命名项目'}"])
    summary["A1"].font = _TITLE
    _overlap_header(summary, report)
    rows = [
        (
            layer["name"],
            layer["layer"],
            round(layer["area_m2"], 2),
            round(layer["area_mu"], 4),
            _rounded(layer.get("net_area_mu"), 4),
            round(layer["share"] * 100, 4),
            layer["feature_count"],
            _share((layer.get("coverage") or {}).get("covered_share")),
            (layer.get("finding") or {}).get("label", "保存时未量算覆盖范围"),
        )
        for layer in report["layers"]
    ]
    first = _table(
        summary,
        (
            "保护图层",
            "图层键",
            "重叠面积（m²）",
            "重叠面积（亩）",
            NET_MU,
            "占项目（%）",
            "涉及要素数",
            "数据覆盖（%）",
            "结论",
        ),
        rows,
        (22, 18, 16, 16, 20, 12, 12, 14, 40),
    )
    for offset, layer in enumerate(report["layers"], start=1):
        if (layer.get("finding") or {}).get("status") in ("partial", "undetermined"):
            summary.cell(row=first + offset, column=9).font = _RED_TEXT
    summary.freeze_panes = None
    details = book.create_sheet("涉及要素")
    rows = [
        (
            layer["name"],
            f["id"],
            f["name"],
            round(f["area_m2"], 2),
            round(f["area_mu"], 4),
            _rounded(f.get("net_area_mu"), 4),
        )
        for layer in report["layers"]
        for f in layer["features"]
    ]
    _table(
        details,
        ("保护图层", "要素编号", "名称", "重叠面积（m²）", "重叠面积（亩）", NET_MU),
        rows,
        (22, 12, 24, 16, 16, 20),
    )
    return _bytes(book)
