"""Generate, write, measure, verify and document the demonstration dataset."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.demo.attributes import layer_tables
from etl.demo.build import DEFAULT_SEED, SCALES, Progress, _silent, build
from etl.demo.readme import write_readme
from etl.demo.report import measure
from etl.demo.samples import sample_headers
from etl.demo.verify import verify
from etl.demo.writer import write_csv, write_layer
from layers.settings import REPO_ROOT

SAMPLES_FILE = "samples.csv"


@dataclass(frozen=True)
class GeneratedDataset:
    folder: Path
    files: list[Path]
    counts: dict[str, int]
    figures: dict[str, Any]


def default_out_dir(scale: str) -> Path:
    """data/shapefiles (demo, committed), data/shapefiles/full (git-ignored), var/demo-tiny."""
    return {
        "demo": REPO_ROOT / "data" / "shapefiles",
        "full": REPO_ROOT / "data" / "shapefiles" / "full",
        "tiny": REPO_ROOT / "var" / "demo-tiny",
    }[scale]


def generate(
    out_dir: Path | None = None,
    scale: str = "demo",
    seed: int = DEFAULT_SEED,
    progress: Progress = _silent,
) -> GeneratedDataset:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    folder = Path(out_dir) if out_dir else default_out_dir(scale)
    folder.mkdir(parents=True, exist_ok=True)
    data = build(scale, seed, progress)
    progress("写出文件", 0.9)
    files, counts = [], {}
    for table in layer_tables(data):
        files.append(write_layer(table, folder))
        counts[table.key] = len(table.geoms)
    files.append(write_csv(data.samples.samples, sample_headers(), folder / SAMPLES_FILE))
    counts["samples"] = len(data.samples.samples)
    progress("核对预设问题", 0.95)
    figures = measure(folder)
    verify(data, figures)
    files.append(write_readme(folder, data, counts, figures))
    progress("完成", 1.0)
    return GeneratedDataset(folder, files, counts, figures)
