"""`watershed baseline …`: the bottom-line control list in force."""

import typer
from rich.table import Table

from api.cli.common import console, friendly_errors, print_json
from gis.baseline import load_baseline
from layers.settings import get_settings

app = typer.Typer(help="底线管控清单 (bottom-line list)", no_args_is_help=True)

LINE_LABELS = {
    "reservoirs_medium": ("中型水库", "座"),
    "reservoirs_small": ("小型水库", "座"),
    "drinking_water_good_rate": ("县级及以上集中式饮用水水源地优良比例", "%"),
    "farmland_wanmu": ("耕地保护红线（不少于）", "万亩"),
    "basic_farmland_wanmu": ("永久基本农田（不少于）", "万亩"),
    "eco_redline_wanmu": ("生态保护红线（严控）", "万亩"),
}


@app.command()
@friendly_errors
def show(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """显示底线管控清单（全区与各片区）。"""
    baseline = load_baseline(get_settings().baseline_path)
    if as_json:
        print_json(baseline.model_dump(mode="json"))
        return
    table = Table(title=baseline.name, caption=baseline.source)
    areas = (baseline.district, *baseline.units)
    table.add_column("底线")
    for area in areas:
        table.add_column(area.name, justify="right")
    for key, (label, uom) in LINE_LABELS.items():
        values = [getattr(a.lines, key) for a in areas]
        if any(v is not None for v in values):
            table.add_row(f"{label}（{uom}）", *["–" if v is None else f"{v:g}" for v in values])
    for level, target in baseline.good_rate_targets.items():
        cells = [
            "、".join(s.name for s in a.lines.sections if s.control_level == level) or "–"
            for a in areas
        ]
        table.add_row(f"{level}断面（优良率≥{target:g}%）", *cells)
    console.print(table)
    if baseline.discrepancies:
        console.print("[bold]原文不一致之处（以附件为准）：[/]")
        for d in baseline.discrepancies:
            console.print(f"- {d.line}：附件 {d.annex}；正文 {d.main_text}。{d.note}")
