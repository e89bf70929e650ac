"""`watershed overlap FILE`: the red-line overlap check of a project file, and its filed report.

Reads every format the map accepts (zipped shapefile, GeoPackage, GeoJSON, KML/KMZ, 界址点 TXT,
DXF; :mod:`etl.project_files`), prints the verdict, the areas per layer and, for a multi-plot
file, per plot; ``--pdf``/``--xlsx``/``--html`` write the same documents as the map.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, friendly_errors, print_json
from api.report_page import overlap_html
from api.report_pdf import overlap_pdf
from api.workbooks import overlap_workbook
from etl.archive import ArchiveLimits
from etl.project_files import read_project_file
from layers.db import make_engine
from layers.overlap import overlap_report, report_document
from layers.project_geometry import parse_crs, with_plots
from layers.settings import get_settings

VERDICT_STYLE = {
    "conflict": "bold red",
    "review": "yellow",
    "clear": "green",
    "undetermined": "magenta",
}


@friendly_errors
def overlap(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="项目范围文件")],
    crs: str | None = typer.Option(
        None, "--crs", help="输入坐标系 EPSG，如 4490、4526（文件无坐标系时）"
    ),
    gcj02: bool = typer.Option(False, "--gcj02", help="坐标为 GCJ-02（高德等），先纠偏"),
    name: str | None = typer.Option(None, "--name", help="项目名称（默认取文件属性 XMMC 等）"),
    pdf: Annotated[Path | None, typer.Option("--pdf", help="写出 PDF 报告")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="写出 Excel 报告")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="写出打印版 HTML 报告")] = None,
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出报告"),
) -> None:
    """红线压占分析：项目范围与各保护图层叠加，给出面积、结论，可写出 PDF / Excel 报告。"""
    settings = get_settings()
    found = read_project_file(
        path, crs=parse_crs(crs) if crs else None, limits=ArchiveLimits.from_settings(settings)
    )
    project = with_plots(
        found.plots,
        epsg=found.epsg,
        gcj02=gcj02,
        max_vertices=settings.max_vertices,
        name=name or found.name or path.stem,
        notes=found.notes,
    )
    engine = make_engine(settings)
    try:
        report = report_document(overlap_report(engine, project))
    finally:
        engine.dispose()
    report["submitted_by"] = "命令行"
    for target, write in ((pdf, overlap_pdf), (xlsx, overlap_workbook)):
        if target is not None:
            target.write_bytes(write(report))
    if html is not None:
        html.write_text(overlap_html(report), encoding="utf-8")
    if as_json:
        print_json(report)
        return
    _print(report)


def _print(report: dict) -> None:
    verdict = report["verdict"]
    style = VERDICT_STYLE[verdict["status"]]
    console.print(f"项目：{report['project_name']}　面积 {report['project_area_mu']:.2f} 亩")
    console.print(f"结论：[{style}]{verdict['label']}[/]　{verdict['summary']}", highlight=False)
    table = Table(title="各保护图层压占面积（亩）")
    names = [layer["name"] for layer in report["layers"]]
    table.add_column("范围")
    table.add_column("面积", justify="right")
    for column in names:
        table.add_column(column, justify="right")
    table.add_column("结论")
    for plot in report["plots"]:
        cells = [f"{x['area_mu']:.2f}" for x in plot["layers"]]
        table.add_row(plot["name"], f"{plot['area_mu']:.2f}", *cells, plot["verdict"]["label"])
    cells = [f"{x['area_mu']:.2f}" for x in report["layers"]]
    table.add_row(
        "合计", f"{report['project_area_mu']:.2f}", *cells, verdict["label"], style="bold"
    )
    console.print(table)
    for note in report["input"]["notes"]:
        console.print(f"· {note}", highlight=False)
