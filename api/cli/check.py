"""`watershed check`: evaluate the bottom-line list against the data."""

import typer
from rich.table import Table

from api.cli.common import console, friendly_errors, print_json
from gis.baseline import load_baseline
from gis.compliance import LINE_LABELS, STATUS_LABELS
from layers.checks import evaluate
from layers.db import make_engine
from layers.settings import get_settings

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "nodata": "dim"}


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@friendly_errors
def check(
    unit: str | None = typer.Option(None, "--unit", help="片区代码或名称（默认全区及各片区）"),
    period: str | None = typer.Option(
        None, "--period", help="时段：2025 或 2025-06（默认最近有数据的年份）"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """核查底线管控清单：每条底线的目标、实测、差额与状态。"""
    settings = get_settings()
    engine = make_engine(settings)
    try:
        results = evaluate(engine, load_baseline(settings.baseline_path), settings, unit, period)
    finally:
        engine.dispose()
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    table = Table(title="底线管控清单核查结果")
    for column in ("片区", "底线", "对象", "目标", "实测", "单位", "差额", "状态"):
        table.add_column(column, justify="right" if column in ("目标", "实测", "差额") else "left")
    for r in results:
        style = STATUS_STYLE[r.status]
        table.add_row(
            r.unit,
            LINE_LABELS[r.line],
            r.subject or "",
            _fmt(r.target),
            _fmt(r.measured),
            {"count": "座", "class": "类"}.get(r.uom, r.uom),
            _fmt(r.margin),
            f"[{style}]{STATUS_LABELS[r.status]}[/]",
        )
    console.print(table)
    counts = {s: sum(r.status == s for r in results) for s in STATUS_LABELS}
    console.print("  ".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items()))
