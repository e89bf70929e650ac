"""Which layers hold the demonstration dataset (示例数据), so it is never taken for real data.

A layer holds demo data when the latest load of one of its source files was a file of the
demonstration dataset, recognised by checksum: the loader records each file's SHA-256 in
``loads`` (:mod:`etl.readers`), and the dataset's files are those under
``<data_dir>/shapefiles`` (and its ``full`` scale). Loading them by ``watershed demo load``,
the CLI or an upload makes no difference; a bureau's own file replacing one clears it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import Engine

from etl.readers import file_sha256, shapefile_sha256
from layers.registry import LAYERS
from layers.sql import composed

#: What people are told, wherever demo data are shown.
DEMO_LABEL = "示例数据"
DEMO_NOTE = (
    "示例数据（synthetic demonstration data）：由程序生成，用于演示和测试，"
    "不是真实调查或监测成果，不能作为管理判断的依据。"
)


@functools.lru_cache(maxsize=4)
def _checksums(folder: Path, stamp: tuple) -> frozenset[str]:
    sums = {shapefile_sha256(p) for p in folder.rglob("*.shp")}
    sums |= {file_sha256(p) for p in folder.rglob("*.csv")}
    return frozenset(sums)


def demo_checksums(data_dir: Path) -> frozenset[str]:
    """SHA-256 of every file of the demonstration dataset (as the loader computes them)."""
    folder = Path(data_dir) / "shapefiles"
    if not folder.is_dir():
        return frozenset()
    # Recomputed only when a file changes (regenerated dataset): the stamp is their mtimes.
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*.*")))
    return _checksums(folder, stamp)


def demo_layers(engine: Engine, data_dir: Path) -> list[str]:
    """Keys of the layers (registry order) whose current rows include demonstration data."""
    sums = demo_checksums(data_dir)
    if not sums:
        return []
    with engine.connect() as conn:
        pg = conn.connection.driver_connection
        rows = pg.execute(composed("current_loads")).fetchall()
    found = {layer for layer, _, sha in rows if sha in sums}
    return [key for key in LAYERS if key in found]
