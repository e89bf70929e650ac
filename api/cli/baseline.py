"""`watershed baseline …`: the bottom-line lists (底线管控清单) in data/baselines/."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, err_console, friendly_errors, print_json
from gis.baseline import Baseline, load_baseline
from gis.errors import WatershedError
from layers.settings import get_settings

app = typer.Typer(help="底线管控清单 (bottom-line lists)", no_args_is_help=True)


@app.command("list")
@friendly_errors
def list_() -> None:
    """列出 data/baselines/ 下的清单：名称、区县、片区数、底线数，以及是否有效。"""
    settings = get_settings()
    table = Table(title="底线管控清单")
    for column in ("名称", "清单", "区县", "片区", "底线", "状态"):
        table.add_column(column)
    for name in settings.list_names():
        mark = "（在用）" if name == settings.baseline else ""
        try:
            b = load_baseline(settings.list_path(name))
        except WatershedError as exc:
            table.add_row(name + mark, "", "", "", "", f"[red]无效：{exc.message}[/]")
            continue
        lines = sum(len(a.lines) for a in b.areas())
        district = f"{b.district.name}（{b.district.code}）"
        table.add_row(name + mark, b.name, district, str(len(b.units)), str(lines), "有效")
    console.print(table)


@app.command()
@friendly_errors
def show(
    name: str | None = typer.Argument(None, help="清单名称（默认：在用的清单）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示一份底线管控清单：全区与各片区的每条底线及其目标。"""
    settings = get_settings()
    baseline = load_baseline(settings.list_path(name or settings.baseline))
    if as_json:
        print_json(baseline.model_dump(mode="json"))
        return
    _print(baseline)


def _print(baseline: Baseline) -> None:
    table = Table(title=baseline.name, caption=baseline.source)
    for column in ("片区", "底线", "类型", "目标"):
        table.add_column(column)
    for area in baseline.areas():
        for line in area.lines:
            table.add_row(area.name, line.title(), line.type, line.target_text())
    console.print(table)
    if baseline.discrepancies:
        console.print("[bold]原文不一致之处（以附件为准）：[/]")
        for d in baseline.discrepancies:
            console.print(f"- {d.line}：附件 {d.annex}；正文 {d.main_text}。{d.note}")


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="清单 YAML 文件")],
    data: bool = typer.Option(
        False, "--data", help="同时核对已导入的数据（区县编码、片区编码、断面与水库）"
    ),
) -> None:
    """校验一份清单文件：格式、内部一致性（以及 --data 时与数据是否相符）。有误时退出码为 1。"""
    try:
        baseline = load_baseline(path)
        warnings = _fit(baseline) if data else []
    except WatershedError as exc:
        err_console.print(f"[bold red]无效[/]：{exc}", highlight=False)
        raise typer.Exit(code=1) from None
    for warning in warnings:
        err_console.print(f"[yellow]提示[/]：{warning}", highlight=False)
    lines = sum(len(a.lines) for a in baseline.areas())
    console.print(f"有效：{baseline.name}（{len(baseline.units)} 个片区，{lines} 条底线）")


def _fit(baseline: Baseline) -> list[str]:
    from layers.baseline_fit import require_fit
    from layers.db import make_engine

    engine = make_engine(get_settings())
    try:
        with engine.connect() as conn:
            return require_fit(conn, baseline)
    finally:
        engine.dispose()
