"""Loading the demonstration dataset through the ordinary loader (示例数据入库).

Every layer goes through :func:`etl.loader.load_file`, exactly as a bureau's file would, one
transaction per file, in dependency order: the sections before their samples. Reloading
replaces each file's earlier rows (the loader keys rows by source file).
"""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from etl.loader import LoadReport, load_file
from gis.errors import InvalidInputError

#: Layer keys in load order; each is ``<key>.shp`` except the samples.
LOAD_ORDER = (
    "district",
    "units",
    "rivers",
    "reservoirs",
    "sections",
    "water_source_zones",
    "farmland",
    "basic_farmland",
    "eco_redline",
    "urban_boundary",
    "projects",
    "samples",
)
SAMPLES_FILE = "samples.csv"


def demo_file(folder: Path, key: str) -> Path:
    return folder / (SAMPLES_FILE if key == "samples" else f"{key}.shp")


def load_demo(
    engine: Engine,
    folder: Path,
    *,
    actor: str | None = "demo",
    progress: Callable[[str, float], None] | None = None,
) -> list[LoadReport]:
    """Load every layer of the dataset in ``folder``; returns one report per file."""
    missing = [demo_file(folder, k).name for k in LOAD_ORDER if not demo_file(folder, k).is_file()]
    if missing:
        raise InvalidInputError(
            f"示例数据目录 {folder} 缺少文件（missing files）：{'、'.join(missing)}。",
            hint="先运行 watershed demo generate，或用 --dir 指向示例数据目录。",
        )
    reports = []
    for n, key in enumerate(LOAD_ORDER):

        def step(stage: str, fraction: float, n: int = n, key: str = key) -> None:
            if progress is not None:
                progress(f"{key}：{stage}", (n + fraction) / len(LOAD_ORDER))

        reports.append(load_file(engine, demo_file(folder, key), key, actor=actor, progress=step))
    return reports
