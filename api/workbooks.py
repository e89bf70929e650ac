"""Excel workbooks (.xlsx) as the bureau files them: the list evaluation and overlap reports."""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from shapely.geometry import shape

from api.report_page import local_time
from gis.area import m2_to_mu
from gis.boundary_points import boundary_table
from gis.compliance import STATUS_LABELS, UOM_DIGITS, as_of_text, figure_text, uom_label
from layers.registry import LAYERS

# One fill per status, each distinct: the verdicts green/yellow/red, and the statuses that
# are no verdict apart from them and from each other (需核实 orange, 数据不足 blue, 无法判定
# violet, 无数据 grey), so a reader never takes one for 达标.
STATUS_FILLS = {
    "pass": "C6EFCE",
    "warn": "FFEB9C",
    "fail": "FFC7CE",
    "review": "F8CBAD",
    "insufficient": "BDD7EE",
    "undetermined": "D9C3E9",
    "pending": "9BC2E6",  # 待定（参照指标）: a deeper blue than 数据不足, as on the map
    "nodata": "D9D9D9",
}
#: Excel number formats matching the rounding people are shown (gis.compliance.UOM_DIGITS).
NUMBER_FORMATS = {
    "亩": "#,##0.00",
    "万亩": "0.0000",
    "公顷": "#,##0.00",
    "万公顷": "0.000000",
    "km²": "0.0000",
    "%": "0.00",
    "座": "0",
    "count": "0",
}
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


# The 地类图斑 layer's registry name says 耕地 (what its map shows); evidence may be any class.
_EVIDENCE_LAYER_LABELS = {"farmland": "地类图斑"}


def _layer_label(key: str) -> str:
    if key in _EVIDENCE_LAYER_LABELS:
        return _EVIDENCE_LAYER_LABELS[key]
    spec = LAYERS.get(key)
    return spec.name_zh if spec else key


def evidence_text(e: dict[str, Any]) -> str:
    """One feature for people: layer, the bureau's code, name, 坐落 and area — never the id."""
    parts = [_layer_label(e["layer"])]
    if e.get("code"):
        parts.append(str(e["code"]))
    if e.get("name") and e.get("name") != e.get("code"):
        parts.append(str(e["name"]))
    if not e.get("code") and not e.get("name"):
        parts.append("（无编码）")
    text = " ".join(parts)
    extras = [f"坐落 {e['location']}"] if e.get("location") else []
    if e.get("area_m2"):
        extras.append(figure_text(m2_to_mu(e["area_m2"]), "亩"))
    return text + (f"（{'，'.join(extras)}）" if extras else "")


def _evidence_text(evidence: list[dict[str, Any]]) -> str:
    return "；".join(evidence_text(e) for e in evidence)


def _figure(value: Any, uom: str) -> Any:
    """Numbers stay numbers (rounded as shown), class labels stay text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value, UOM_DIGITS.get(uom, 2))
    return value


CHECKS_HEADER = (
    "片区",
    "底线",
    "对象",
    "目标",
    "实测",
    "单位",
    "余量",
    "结论",
    "说明",
    "数据时点",
    "依据（编码 名称 坐落）",
)


def checks_workbook(title: str, period: str | None, results: list[dict[str, Any]]) -> bytes:
    """底线管控清单核查表: one row per unit and line, coloured by status; figures rounded for
    people with Chinese units, features named by the bureau's codes and 坐落."""
    book = Workbook()
    sheet = book.active
    sheet.title = "底线核查"
    sheet.append([title])
    sheet["A1"].font = _TITLE
    sheet.append([f"评价时段：{period or '—'}", f"生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}"])
    sheet.append([])
    rows = [
        (
            r.get("unit"),
            r.get("line_label") or r.get("line"),
            r.get("subject") or "",
            _figure(r.get("target"), r["uom"]),
            _figure(r.get("measured"), r["uom"]),
            uom_label(r["uom"]),
            _figure(r.get("margin"), r["uom"]),
            STATUS_LABELS.get(r["status"], r["status"]),
            _reason(r),
            as_of_text(r.get("as_of") or []),
            _evidence_text(r.get("evidence") or []),
        )
        for r in results
    ]
    first = _table(sheet, CHECKS_HEADER, rows, (12, 22, 16, 10, 12, 8, 10, 10, 40, 36, 60))
    for offset, result in enumerate(results, start=1):
        row = first + offset
        colour = STATUS_FILLS.get(result.get("status"), "FFFFFF")
        sheet.cell(row=row, column=8).fill = _fill(colour)
        number_format = NUMBER_FORMATS.get(result["uom"])
        for column in (4, 5, 7):
            if number_format and isinstance(sheet.cell(row=row, column=column).value, float | int):
                sheet.cell(row=row, column=column).number_format = number_format
        for column in (9, 10, 11):
            sheet.cell(row=row, column=column).alignment = _WRAP
    return _bytes(book)


def _reason(result: dict[str, Any]) -> str:
    """Why a line has the status it has, where the line says (数据不足 counts, a reference
    target's text, the shortfall of a group)."""
    detail = result.get("detail") or {}
    reference = detail.get("reference")
    if reference:
        return f"目标为参照指标（{reference.get('reference')}），由持有该指标者核定"
    return detail.get("reason") or ""


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _overlap_header(summary: Worksheet, report: dict[str, Any]) -> None:
    verdict = report["verdict"]
    summary.append(["核查编号", report.get("id") or "未保存"])
    summary.append(["核查人", report.get("submitted_by") or "未登录用户"])
    summary.append(["核查日期", f"{local_time(report.get('checked_at'))}（北京时间）"])
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
    for entry in report.get("data_as_of") or []:
        summary.append([f"数据现势性：{entry['name']}", local_time(entry.get("loaded_at"))])
        if not entry.get("loaded_at"):
            summary.cell(row=summary.max_row, column=2).value = "无导入记录"
            summary.cell(row=summary.max_row, column=2).font = _RED_TEXT
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
    # features by the bureau's codes (BSM, 图斑编号, 红线编码) and 坐落, never database ids
    rows = [
        (
            layer["name"],
            f.get("code") or "（无编码）",
            f["name"],
            f.get("location"),
            round(f["area_m2"], 2),
            round(f["area_mu"], 4),
            _rounded(f.get("net_area_mu"), 4),
        )
        for layer in report["layers"]
        for f in layer["features"]
    ]
    _table(
        details,
        ("保护图层", "要素编码", "名称/地类", "坐落", "重叠面积（m²）", "重叠面积（亩）", NET_MU),
        rows,
        (22, 24, 20, 24, 16, 16, 20),
    )
    _plots_sheet(book, report)
    _points_sheet(book, report)
    return _bytes(book)


def _plots_sheet(book: Workbook, report: dict[str, Any]) -> None:
    """分地块结果 of a multi-plot input: one row per plot and the total, overlaps in 亩."""
    plots = report.get("plots") or []
    if not plots:
        return
    sheet = book.create_sheet("分地块结果")
    names = [layer["name"] for layer in report["layers"]]

    def row(label, area_mu, layers, verdict):
        return (label, round(area_mu, 4), *(round(x["area_mu"], 4) for x in layers), verdict)

    rows = [row(p["name"], p["area_mu"], p["layers"], p["verdict"]["label"]) for p in plots]
    rows.append(
        row("合计", report["project_area_mu"], report["layers"], report["verdict"]["label"])
    )
    header = ("地块", "面积（亩）", *(f"{n}（亩）" for n in names), "结论")
    _table(sheet, header, rows, (20, 14, *(16 for _ in names), 12))


def _points_sheet(book: Workbook, report: dict[str, Any]) -> None:
    """界址点坐标: the outline's points in CGCS2000 3-degree Gauss-Krüger, the zone stated."""
    table = boundary_table(shape(report["project_geometry"]))
    sheet = book.create_sheet("界址点坐标")
    sheet.append([table.crs_text])
    sheet.append(["X 为纵坐标（北），Y 为横坐标（东，含带号）", table.note or ""])
    rows = [(p.label, p.ring, round(p.x, 3), round(p.y, 3)) for p in table.points]
    first = _table(sheet, ("点号", "圈号", "X（m）", "Y（m）"), rows, (10, 8, 16, 16))
    for row in sheet.iter_rows(min_row=first + 1, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "0.000"
