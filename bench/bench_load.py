"""Benchmark: loading 三调 parcels — our loader vs ogr2ogr vs GeoDataFrame.to_postgis.

Not a test. Generates N parcels (default 200 000) as a grid of small quadrilaterals in
EPSG:4490 over 曾都区 with 三调 fields (GBK attribute table with .cpg, as a bureau sends it),
writes ONE shapefile, then times, side by side in one run, from the same file to an indexed
PostGIS table:

* ours      — ``etl.loader.load_file(engine, shp, "farmland")``: encoding and CRS detection,
              validity check and repair, alias mapping, COPY into staging, INSERT … SELECT
              into the constrained table (GiST, unique BSM, CHECKs), ellipsoidal area, ANALYZE;
* ogr2ogr   — ``ogr2ogr -f PostgreSQL PG:… file.shp -nln t -lco GEOMETRY_NAME=geom
              -lco SPATIAL_INDEX=GIST`` (COPY is its default for new tables);
* to_postgis — ``geopandas.read_file`` + ``GeoDataFrame.to_postgis`` + ``CREATE INDEX … GIST``.

Usage::

    python bench/bench_load.py [N] [--url postgresql://…]

Without ``--url`` a throwaway PostGIS cluster is started in a temporary directory (as the
tests do) and removed afterwards. With ``--url`` (e.g. ``$(watershed db url)``) only the
benchmark's own rows and tables are touched: our load uses its own source name, the peers'
tables are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, text

SOURCE = "bench_parcels.shp"
OGR_TABLE = "bench_ogr2ogr"
GPD_TABLE = "bench_to_postgis"
_LAND = (
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("0201", "果园"),
    ("0301", "乔木林地"),
    ("0702", "农村宅基地"),
    ("1101", "河流水面"),
    ("1104", "坑塘水面"),
)
_VILLAGES = ("何店村", "洛阳店村", "府河村", "万店村", "东城社区", "涢水村", "㵐水村", "南郊村")


def make_parcels(n: int, seed: int = 421303) -> gpd.GeoDataFrame:
    """``n`` parcels: a jittered grid (neighbours share corners, so the cover has no gaps)."""
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    step = 0.0008  # ≈ 75 m × 89 m at 31.7°N
    gx, gy = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
    x = 113.10 + gx * step + rng.uniform(-0.25, 0.25, gx.shape) * step
    y = 31.60 + gy * step + rng.uniform(-0.25, 0.25, gy.shape) * step
    i, j = np.divmod(np.arange(n), cols)
    corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
    ring = np.stack([np.stack([x[a, b], y[a, b]], axis=-1) for a, b in corners], axis=1)
    geoms = shapely.polygons(ring)
    land = rng.integers(0, len(_LAND), n)
    farmland = land < 3
    village = rng.integers(0, len(_VILLAGES), n)
    tbmj = np.round(gpd.GeoSeries(geoms, crs=4490).to_crs(4547).area.to_numpy(), 2)
    kcxs = np.where(farmland, np.round(rng.uniform(0.04, 0.12, n), 4), 0.0)
    kcmj = np.round(tbmj * kcxs, 2)
    codes = np.array([c for c, _ in _LAND])
    names = np.array([m for _, m in _LAND])
    villages = np.array(_VILLAGES)
    return gpd.GeoDataFrame(
        {
            "BSM": np.char.add("4213032024", np.char.zfill(np.arange(n).astype(str), 8)),
            "DLBM": codes[land],
            "DLMC": names[land],
            "QSDWDM": np.char.add("4213031002", np.char.zfill(village.astype(str), 9)),
            "QSDWMC": villages[village],
            "ZLDWDM": np.char.add("4213031002", np.char.zfill(village.astype(str), 9)),
            "ZLDWMC": villages[village],
            "TBMJ": tbmj,
            "KCDLBM": np.where(farmland, "1203", ""),
            "KCXS": kcxs,
            "KCMJ": kcmj,
            "TBDLMJ": np.round(tbmj - kcmj, 2),
        },
        geometry=geoms,
        crs=4490,
    )


def write_shapefile(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    path = folder / SOURCE
    # RESIZE: fields as wide as their longest value, as survey software writes them.
    pyogrio.write_dataframe(frame, path, encoding="GB18030", layer_options={"RESIZE": "YES"})
    path.with_suffix(".cpg").write_text("GBK")  # what ArcGIS writes for CP936 data
    return path


def timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def run_ours(engine: Engine, shp: Path, stages: dict[str, float] | None = None) -> None:
    """Our loader; ``stages`` receives the seconds spent in each of its progress stages."""
    from etl.loader import load_file

    clock = {"stage": None, "at": time.perf_counter()}

    def progress(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if stages is not None and clock["stage"] is not None:
            stages[clock["stage"]] = stages.get(clock["stage"], 0.0) + now - clock["at"]
        clock["stage"], clock["at"] = stage, now

    report = load_file(engine, shp, "farmland", progress=progress)
    assert report.loaded == report.read, report.to_dict()


def run_ogr2ogr(libpq: str, shp: Path) -> None:
    dsn = f"PG:{libpq}"
    cmd = [
        "ogr2ogr",
        "-f",
        "PostgreSQL",
        dsn,
        str(shp),
        "-nln",
        OGR_TABLE,
        "-lco",
        "GEOMETRY_NAME=geom",
        "-lco",
        "SPATIAL_INDEX=GIST",
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def run_to_postgis(engine: Engine, shp: Path) -> None:
    frame = gpd.read_file(shp, engine="pyogrio")
    frame.to_postgis(GPD_TABLE, engine, if_exists="replace", index=False)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE INDEX ON {GPD_TABLE} USING gist (geometry)"))


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one()


def clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM farmland WHERE source = :s"), {"s": SOURCE})
        conn.execute(text(f"DROP TABLE IF EXISTS {OGR_TABLE}, {GPD_TABLE}"))


@contextmanager
def throwaway_database():
    """A private PostGIS cluster in a temporary directory, migrated; yields its libpq URL."""
    from layers import migrate
    from layers.cluster import EmbeddedCluster
    from layers.db import make_engine
    from layers.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="watershed-bench-"))
    folder.chmod(0o755)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(_env_file=None, database_url=None, var_dir=folder, pg_port=port)
    cluster = EmbeddedCluster(base=folder / "pg", port=port)
    cluster.up()
    try:
        engine = make_engine(settings)
        migrate.upgrade(engine)
        engine.dispose()
        yield cluster.url()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench(n: int, libpq: str, console: Console) -> None:
    engine = create_engine(libpq.replace("postgresql://", "postgresql+psycopg://", 1))
    with tempfile.TemporaryDirectory(prefix="watershed-bench-shp-") as folder:
        started = time.perf_counter()
        shp = write_shapefile(make_parcels(n), Path(folder))
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        console.print(
            f"生成 {n:,} 个图斑并写出 shapefile（{size:.0f} MB）："
            f"{time.perf_counter() - started:.1f} 秒"
        )
        clean(engine)
        # Imported before the clock starts, as a running service (the API, a batch job) has it;
        # it costs about 0.5 s once per process (SQLAlchemy models, pyproj, geopandas).
        import etl.loader  # noqa: F401

        stages: dict[str, float] = {}
        results = {
            "ours (etl.loader.load_file)": timed(lambda: run_ours(engine, shp, stages)),
            "ours, reload (replaces the same source)": timed(lambda: run_ours(engine, shp)),
            "ogr2ogr -f PostgreSQL (COPY) + GiST": timed(lambda: run_ogr2ogr(libpq, shp)),
            "GeoDataFrame.to_postgis + GiST": timed(lambda: run_to_postgis(engine, shp)),
        }
        counts = (
            count(engine, "farmland", f"WHERE source = '{SOURCE}'"),
            count(engine, OGR_TABLE),
            count(engine, GPD_TABLE),
        )
        if set(counts) != {n}:
            raise SystemExit(f"row counts differ from {n}: {counts}")
        clean(engine)
    engine.dispose()
    _print(results, n, console)
    console.print(
        "ours by stage: "
        + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items())
    )


def _print(results: dict[str, float], n: int, console: Console) -> None:
    ours = next(iter(results.values()))
    table = Table(title=f"Loading {n:,} parcels into an indexed PostGIS table")
    for name in ("tool", "seconds", "features/s", "× ours"):
        table.add_column(name, justify="left" if name == "tool" else "right")
    for name, seconds in results.items():
        table.add_row(name, f"{seconds:.2f}", f"{n / seconds:,.0f}", f"{seconds / ours:.2f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200_000, help="number of parcels")
    parser.add_argument("--url", help="libpq URL of a migrated PostGIS (default: throwaway)")
    args = parser.parse_args()
    if shutil.which("ogr2ogr") is None:
        raise SystemExit("ogr2ogr not found (apt-get install gdal-bin)")
    console = Console()
    os.environ.setdefault("PG_USE_COPY", "YES")
    if args.url:
        bench(args.n, args.url, console)
        return
    with throwaway_database() as url:
        bench(args.n, url, console)


if __name__ == "__main__":
    main()
