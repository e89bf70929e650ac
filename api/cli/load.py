"""`watershed load PATH --layer NAME`: load one file into one layer (数据导入)."""

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.audit import attempt_audited, cli_actor, record_separately
from api.cli.common import console, friendly_errors, print_json, progress_bar
from api.cli.db import ensure_up
from etl.loader import LoadReport, load_file
from gis.errors import InvalidInputError
from layers.db import make_engine
from layers.registry import LAYERS
from layers.settings import get_settings

_ROWS = (
    ("layer_name", "图层"),
    ("source", "来源文件"),
    ("read", "读取要素"),
    ("loaded", "导入"),
    ("repaired", "修复几何"),
    ("dropped", "丢弃"),
    ("replaced", "替换旧数据（同源）"),
    ("crs", "坐标系（EPSG）"),
    ("crs_reason", "坐标系依据"),
    ("encoding", "属性编码"),
    ("encoding_reason", "编码依据"),
    ("area_m2", "椭球面积（m²）"),
    ("area_mu", "椭球面积（亩）"),
    ("seconds", "耗时（秒）"),
)


@friendly_errors
def load(
    path: Annotated[
        Path, typer.Argument(help="文件：.shp/.zip/.gpkg/.geojson/.kml/.kmz，或水质 .csv/.xlsx")
    ],
    layer: str = typer.Option(..., "--layer", "-l", help=f"图层：{', '.join(LAYERS)}"),
    crs: int | None = typer.Option(
        None, "--crs", help="EPSG 代码，覆盖 .prj（如 4490、4526、4547）"
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="属性表编码，覆盖 .cpg（如 gb18030）"
    ),
    gcj02: bool = typer.Option(False, "--gcj02", help="输入为 GCJ-02（高德/火星坐标），纠偏后入库"),
    sublayer: str | None = typer.Option(
        None, "--sublayer", help="GeoPackage/KML 图层、zip 中的 shapefile 名或 Excel 工作表"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出导入报告"),
) -> None:
    """导入一个文件到一个图层（一次事务；同一来源文件重复导入会替换旧数据）。"""
    _require_utf8_name(path)
    ensure_up()
    engine = make_engine(get_settings())
    actor = cli_actor()
    target = f"layers/{layer}"
    try:
        attempt = attempt_audited(engine, actor, "load", target, detail={"file": path.name})
        with attempt, progress_bar("导入", disabled=as_json) as step:
            report = load_file(
                engine,
                path,
                layer,
                crs=crs,
                encoding=encoding,
                gcj02=gcj02,
                sublayer=sublayer,
                actor=actor.name,
                progress=step,
            )
        detail = {
            "file": path.name,
            "load_id": report.load_id,
            "loaded": report.loaded,
            "replaced": report.replaced,
            "replaced_load": (report.previous_load or {}).get("id"),
            "same_file": report.same_file,
        }
        record_separately(
            engine, actor, "load", target, source_sha256=report.sha256 or None, detail=detail
        )
    finally:
        engine.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)


def _require_utf8_name(path: Path) -> None:
    """A name that is not UTF-8 (a GBK name unpacked from a Windows zip) reaches Python as
    surrogates: printing it, or storing it as the layer's source, would fail mid-way."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise InvalidInputError(
            f"文件名不是有效的 UTF-8 编码：{shown}（file name is not valid UTF-8）。",
            hint="请把文件（及同名的 .shx/.dbf/.prj/.cpg）重命名为 UTF-8 名称后再导入，"
            "例如在解压时选择 GBK 编码，或改用英文/拼音文件名。",
        ) from None


def _print_report(report: LoadReport) -> None:
    data = report.to_dict()
    table = Table(title="导入报告", show_header=False)
    table.add_column("项目", style="bold")
    table.add_column("值")
    for key, label in _ROWS:
        value = data.get(key)
        if value is None:
            continue
        if key in ("area_m2", "area_mu"):
            value = f"{value:,.2f}"
        table.add_row(label, str(value))
    console.print(table)
    for note in report.notes:
        console.print(f"[cyan]说明[/]：{note}", highlight=False)
    for warning in report.warnings:
        console.print(f"[yellow]注意[/]：{warning}", highlight=False)
