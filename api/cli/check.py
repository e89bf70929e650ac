"""`watershed check`: evaluate the bottom-line list against the data."""

import typer
from rich.table import Table

from api.cli.common import console, friendly_errors, print_json
from gis.baseline import load_baseline
from gis.compliance import (
    STATUS_LABELS,
    LineResult,
    as_of_text,
    number_text,
    uom_label,
)
from layers.checks import evaluate
from layers.db import make_engine
from layers.settings import get_settings

# One style per status: the verdicts in green/yellow/red, the statuses that are no verdict
# apart from them and from each other, never looking like 达标.
STATUS_STYLE = {
    "pass": "green",
    "warn": "yellow",
    "fail": "bold red",
    "review": "bold dark_orange",
    "insufficient": "cyan",
    "undetermined": "magenta",
    "pending": "blue",
    "nodata": "dim",
}


def _figure(r: LineResult, value, signed: bool = False) -> str:
    """A figure rounded for people, without its unit (the table has a unit column)."""
    if r.uom == "class" and isinstance(value, int | float):
        return f"{int(value):+d}" if signed else str(value)
    return number_text(value, r.uom, signed)


def _evidence(r: LineResult, limit: int = 3) -> str:
    """The first features behind a line by the bureau's code (or name) and 坐落."""
    named = []
    for e in r.evidence:
        label = e.code or e.name
        if label and e.layer != "units":
            named.append(f"{label}（{e.location}）" if e.location else label)
    more = f" 等{len(named)}项" if len(named) > limit else ""
    return "、".join(named[:limit]) + more


@friendly_errors
def check(
    unit: str | None = typer.Option(None, "--unit", help="片区代码或名称（默认全区及各片区）"),
    period: str | None = typer.Option(
        None,
        "--period",
        help="时段：年份 2025、季度 2025-Q2 或年月 2025-06（默认：有断面满足年度样本数要求的最近一年）",
    ),
    list_name: str | None = typer.Option(
        None, "--list", help="清单名称（data/baselines/<名称>.yaml；默认在用的清单）"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """核查底线管控清单：每条底线的目标、实测、差额与状态。"""
    settings = get_settings()
    baseline = load_baseline(settings.list_path(list_name or settings.baseline))
    engine = make_engine(settings)
    try:
        results = evaluate(engine, baseline, settings, unit, period)
    finally:
        engine.dispose()
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    table = Table(title=f"{baseline.name} 核查结果")
    columns = ("片区", "底线", "对象", "目标", "实测", "单位", "差额", "状态", "依据", "数据时点")
    for column in columns:
        table.add_column(column, justify="right" if column in ("目标", "实测", "差额") else "left")
    for r in results:
        style = STATUS_STYLE[r.status]
        table.add_row(
            r.unit,
            r.label or r.line,
            r.subject or "",
            _figure(r, r.target),
            _figure(r, r.measured),
            uom_label(r.uom),
            _figure(r, r.margin, signed=True),
            f"[{style}]{STATUS_LABELS[r.status]}[/]",
            _evidence(r),
            as_of_text(r.as_of) if r.as_of else "",
        )
    console.print(table)
    counts = {s: sum(r.status == s for r in results) for s in STATUS_LABELS}
    console.print(
        "  ".join(f"[{STATUS_STYLE[s]}]{STATUS_LABELS[s]}[/] {n}" for s, n in counts.items() if n)
    )
