"""`watershed demo …`: generate and load the demonstration dataset (示例数据)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import text

from api.cli.common import console, friendly_errors, print_json, progress_bar
from api.cli.db import ensure_up
from etl.demo import SCALES, default_out_dir
from etl.demo import generate as generate_dataset
from etl.demo.build import DEFAULT_SEED
from etl.demo.load import load_demo
from etl.demo.rasters import FULL_RESOLUTION, load_demo_rasters, write_dem, write_landcover
from layers.catchments import compute_catchments
from layers.db import make_engine
from layers.settings import get_settings

app = typer.Typer(help="示例数据：生成与导入 (demonstration dataset)", no_args_is_help=True)


ScaleOption = Annotated[
    str,
    typer.Option(
        "--scale",
        help=f"规模：{' | '.join(SCALES)}（full ≥ 20 万个图斑，写入 data/shapefiles/full，不提交）",
    ),
]
SeedOption = Annotated[int, typer.Option("--seed", help="随机种子（同一种子生成逐字节相同的文件）")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="输出目录（默认 demo→data/shapefiles，full→data/shapefiles/full）"),
]
ReportOption = Annotated[
    bool, typer.Option("--report", help="输出按文件独立量算的预期结果（JSON）")
]
DirOption = Annotated[
    Path | None, typer.Option("--dir", help="示例数据目录（默认 data/shapefiles）")
]


@app.command()
@friendly_errors
def generate(
    scale: ScaleOption = "demo",
    seed: SeedOption = DEFAULT_SEED,
    out: OutOption = None,
    report: ReportOption = False,
) -> None:
    """生成示例数据（shapefile + 水质 CSV + README），并核对预设问题。"""
    if scale not in SCALES:
        raise typer.BadParameter(
            f"未知规模 {scale}（可用：{', '.join(SCALES)}）", param_hint="--scale"
        )
    with progress_bar("生成示例数据") as step:
        result = generate_dataset(out or default_out_dir(scale), scale, seed, step)
    if scale == "full":  # the demo scale makes its rasters at load time (never committed)
        with console.status("生成 10 m DEM 与土地覆盖…"):
            write_dem(result.folder, result.folder / "dem.tif", FULL_RESOLUTION)
            write_landcover(result.folder, result.folder / "landcover.tif", FULL_RESOLUTION)
    if report:
        print_json(result.figures)
        return
    table = Table(title=f"示例数据（{scale}，seed {seed}）：{result.folder}")
    table.add_column("图层 / 文件")
    table.add_column("要素 / 行", justify="right")
    for key, count in result.counts.items():
        table.add_row(key, f"{count:,}")
    console.print(table)
    files = [p for p in result.folder.iterdir() if p.is_file()]
    size = sum(p.stat().st_size for p in files) / 1e6
    console.print(f"{len(files)} 个文件，共 {size:.1f} MB；预设问题及预期结果见 README.md。")


@app.command()
@friendly_errors
def load(
    folder: DirOption = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="数据库中已有导入记录时不再导入（make run 用）")
    ] = False,
    rasters: Annotated[
        bool, typer.Option("--rasters/--no-rasters", help="同时生成并导入示例 DEM 与土地覆盖栅格")
    ] = True,
) -> None:
    """把示例数据逐层导入数据库（通过标准导入流程，断面先于监测数据），并导入示例栅格。"""
    ensure_up()
    engine = make_engine(get_settings())
    if if_empty and _has_loads(engine):
        engine.dispose()
        console.print("数据库中已有数据（loads 表非空），跳过示例数据导入。")
        return
    try:
        with progress_bar("导入示例数据") as step:
            reports = load_demo(engine, folder or default_out_dir("demo"), progress=step)
        if rasters:
            with console.status("生成并导入示例栅格（DEM 30 m、土地覆盖），划定断面集水区…"):
                raster_reports = load_demo_rasters(
                    engine, folder or default_out_dir("demo"), get_settings()
                )
                catchments = compute_catchments(engine, get_settings())
    finally:
        engine.dispose()
    table = Table(title=f"示例数据导入：{folder or default_out_dir('demo')}")
    for column in ("图层", "来源", "读取", "导入", "坐标系", "编码", "面积（亩）"):
        table.add_column(
            column, justify="right" if column in ("读取", "导入", "面积（亩）") else "left"
        )
    for r in reports:
        area = "" if r.area_mu is None else f"{r.area_mu:,.2f}"
        table.add_row(
            r.layer_name,
            r.source,
            f"{r.read:,}",
            f"{r.loaded:,}",
            str(r.crs or ""),
            r.encoding or "",
            area,
        )
    console.print(table)
    for r in raster_reports if rasters else []:
        console.print(
            f"栅格 {r.kind_name}：{r.size[0]:,} × {r.size[1]:,} 像元，{r.res[0]:g} m，"
            f"EPSG:{r.epsg}，COG {r.cog_bytes / 1e6:.1f} MB"
        )
    if rasters:
        done = sum(c.catchment_km2 is not None for c in catchments)
        console.print(
            f"集水区：{done}/{len(catchments)} 个断面已划定（watershed raster catchments 查看）"
        )


def _has_loads(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT EXISTS (SELECT 1 FROM loads)")).scalar_one()
