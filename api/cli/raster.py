"""`watershed raster …`: load a GeoTIFF as a registered COG, list the registered rasters (栅格)."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, friendly_errors, print_json
from api.cli.db import ensure_up
from etl.rasters import RasterReport, load_raster
from gis.area import M2_PER_MU
from gis.catchments import SNAP_M
from gis.rasters import KINDS
from layers.catchments import compute_catchments
from layers.db import make_engine
from layers.nonfarm import DEFAULT_THRESHOLD, nonfarm_screening
from layers.rasters import registered
from layers.settings import get_settings

app = typer.Typer(help="栅格：DEM、土地覆盖、正射影像 (rasters)", no_args_is_help=True)


@app.command()
@friendly_errors
def load(
    path: Annotated[Path, typer.Argument(help="GeoTIFF 文件")],
    kind: str = typer.Option(..., "--kind", "-k", help=f"类型：{' | '.join(KINDS)}"),
    crs: int | None = typer.Option(None, "--crs", help="EPSG 代码，覆盖文件中的坐标系"),
    as_of: Annotated[
        dt.datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="数据时点（如 2024-06-30）"),
    ] = None,
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出导入报告"),
) -> None:
    """检查 GeoTIFF，写为云优化 GeoTIFF（COG）并登记；同类栅格重复导入会替换旧文件。"""
    ensure_up()
    settings = get_settings()
    engine = make_engine(settings)
    try:
        report = load_raster(
            engine,
            path,
            kind,
            settings=settings,
            crs=crs,
            as_of=as_of.date() if as_of else None,
            actor="cli",
        )
    finally:
        engine.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report)


def print_report(report: RasterReport) -> None:
    table = Table(title=f"栅格导入：{report.kind_name}（{report.source}）")
    table.add_column("项目")
    table.add_column("结果")
    low_high = report.value_range or (None, None)
    rows = (
        ("坐标系（EPSG）", str(report.epsg)),
        ("坐标系依据", report.crs_reason),
        ("分辨率", f"{report.res[0]:g} × {report.res[1]:g}"),
        ("行列数", f"{report.size[0]:,} × {report.size[1]:,}"),
        ("波段 / 类型", f"{report.bands} / {report.dtype}"),
        ("无数据值", "无" if report.nodata is None else f"{report.nodata:g}"),
        ("值域（第1波段）", f"{low_high[0]:g} – {low_high[1]:g}"),
        ("范围（CGCS2000 经纬度）", ", ".join(f"{v:.4f}" for v in report.bounds_4490)),
        ("覆盖区界面积比例", f"{report.district_share:.1%}"),
        ("COG 大小", f"{report.cog_bytes / 1e6:.1f} MB"),
        ("替换旧栅格", "是" if report.replaced else "否"),
        ("校验和（SHA-256）", report.sha256[:16] + "…"),
    )
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]注意：{warning}[/yellow]")


@app.command(name="list")
@friendly_errors
def list_() -> None:
    """已登记的栅格。"""
    ensure_up()
    engine = make_engine(get_settings())
    try:
        rows = registered(engine)
    finally:
        engine.dispose()
    table = Table(title="已登记的栅格")
    for column in ("类型", "来源", "EPSG", "分辨率", "行列数", "数据时点", "导入时间"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            KINDS[r.kind],
            r.source,
            str(r.epsg),
            f"{r.res_x:g}",
            f"{r.width:,} × {r.height:,}",
            r.as_of.isoformat() if r.as_of else "未注明",
            f"{r.loaded_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@app.command()
@friendly_errors
def catchments() -> None:
    """由已登记的 DEM 划定各监测断面的集水区与区间集水区，并写入数据库（替换旧结果）。"""
    ensure_up()
    settings = get_settings()
    engine = make_engine(settings)
    try:
        with console.status("划定集水区（河道烙印、填洼、D8 流向）…"):
            rows = compute_catchments(engine, settings)
    finally:
        engine.dispose()
    table = Table(title=f"监测断面集水区（吸附距离上限 {SNAP_M:.0f} m）")
    for column in (
        "断面编码",
        "下游断面",
        "集水面积（km²）",
        "区间面积（km²）",
        "吸附距离（m）",
        "说明",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.code,
            r.downstream or "—",
            "" if r.catchment_km2 is None else f"{r.catchment_km2:,.2f}",
            "" if r.incremental_km2 is None else f"{r.incremental_km2:,.2f}",
            "" if r.snap_distance_m is None else f"{r.snap_distance_m:.0f}",
            r.reason or "",
        )
    console.print(table)


@app.command()
@friendly_errors
def nonfarm(
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", help="非耕地覆盖比例阈值（0–1）"
    ),
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="候选清单另存为 Excel")] = None,
) -> None:
    """耕地非农化筛查：列出非耕地覆盖比例超过阈值的耕地图斑（供实地核查的候选，不是认定）。"""
    ensure_up()
    settings = get_settings()
    engine = make_engine(settings)
    try:
        result = nonfarm_screening(engine, settings, threshold)
    finally:
        engine.dispose()
    table = Table(
        title=f"耕地非农化候选（非耕地覆盖 > {threshold:.0%}，共筛查 {result['parcels']:,} 个耕地图斑）"
    )
    for column in ("标识码 BSM", "地类编码", "坐落单位", "图斑面积（亩）", "非耕地覆盖比例"):
        table.add_column(column)
    for c in result["candidates"]:
        table.add_row(
            c["bsm"],
            c["dlbm"],
            c["zldwmc"] or "",
            f"{c['area_m2'] / M2_PER_MU:,.2f}",
            f"{c['nonfarm_share']:.1%}",
        )
    console.print(table)
    if result["undetermined"]:
        console.print(f"另有 {len(result['undetermined'])} 个图斑栅格覆盖不足一半，无法判定。")
    if xlsx:
        _write_xlsx(xlsx, result)
        console.print(f"已写出 {xlsx}")


def _write_xlsx(path: Path, result: dict) -> None:
    from api.nonfarm_xlsx import nonfarm_workbook

    path.write_bytes(nonfarm_workbook(result))
