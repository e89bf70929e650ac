"""Benchmark: loading 三调 parcels — our loader vs ogr2ogr vs GeoDataFrame.to_postgis.

Not a test. Generates N parcels (default 200 000) as a grid of small quadrilaterals in
EPSG:4490 over 曾都区 with 三调 fields (GBK attribute table with .cpg, as a bureau sends it),
writes ONE shapefile, then times, side by side in one run, from the same file to an indexed
PostGIS table:

* ours      — ``etl.loader.load_file(engine, shp, "farmland")``: encoding and CRS detection,
              validity check and repair, alias mapping, then, the file being the whole
              layer and at least ``etl.replace.REBUILD_INDEXES_FROM`` rows: TRUNCATE,
              secondary indexes dropped, binary COPY straight into the constrained table
              (unique BSM, CHECKs), indexes rebuilt (smaller N: COPY into staging, then
              INSERT … SELECT); ellipsoidal area, ANALYZE. The reload goes the same way;
* ogr2ogr   — ``ogr2ogr -f PostgreSQL PG:… file.shp -nln t -lco GEOMETRY_NAME=geom
              -lco SPATIAL_INDEX=GIST`` (COPY is its default for new tables): a copy of the
              file, nothing checked, measured or mapped;
* ogr2ogr, same job — ogr2ogr doing what our loader does, as far as it can: a table built
              like ``farmland`` (the same CHECKs, unique BSM and indexes), secondary indexes
              dropped, ``ogr2ogr -append -makevalid -nlt MULTIPOLYGON`` with COPY, indexes
              rebuilt, ellipsoidal area summed, ANALYZE. Four steps, not one transaction,
              and the encoding is whatever the .cpg says;
* to_postgis — ``geopandas.read_file`` + ``GeoDataFrame.to_postgis`` + ``CREATE INDEX … GIST``.

Each tool runs ``--repeat`` times (default 3), the order rotating from one round to the next,
and the table shows medians: this machine's speed drifts by ±30 % within minutes, so a single
run of each, one after the other, can put any of them ahead.

Usage::

    python bench/bench_load.py [N] [--url postgresql://…] [--repeat R]

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
import statistics
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

from layers.sql import composed

SOURCE = "bench_parcels.shp"
OGR_TABLE = "bench_ogr2ogr"
SAME_TABLE = "bench_ogr2ogr_same"
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


LABELS = {
    "ours": "ours (etl.loader.load_file)",
    "reload": "ours, reload (replaces the same source)",
    "ogr2ogr": "ogr2ogr -f PostgreSQL (COPY) + GiST",
    "same job": "ogr2ogr, same job (see above)",
    "to_postgis": "GeoDataFrame.to_postgis + GiST",
}


def ours_then_reload(engine: Engine, shp: Path, stages: dict[str, float]) -> dict[str, float]:
    """A first load into the empty layer, then the same file again (replacing its rows);
    ``stages`` receives the first round's stage times."""
    first = timed(lambda: run_ours(engine, shp, None if stages else stages))
    return {"ours": first, "reload": timed(lambda: run_ours(engine, shp))}


def ogr2ogr(libpq: str, shp: Path, table: str, *options: str) -> None:
    cmd = ["ogr2ogr", "-f", "PostgreSQL", f"PG:{libpq}", str(shp), "-nln", table, *options]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def run_ogr2ogr(libpq: str, shp: Path) -> None:
    ogr2ogr(libpq, shp, OGR_TABLE, "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST")


def prepare_same_job(engine: Engine) -> list[str]:
    """The like-``farmland`` table for "ogr2ogr, same job"; returns its index definitions.

    ``extra`` loses its DEFAULT: GDAL falls back to one INSERT per feature when a column the
    file does not fill has a default (measured: 72 s instead of under 8 s for 200 000 parcels).
    The same for the ellipsoidal area PostgreSQL generates in ``farmland`` (INCLUDING
    GENERATED: 57.9 s), so the column comes as a plain one, left empty, and the area is
    summed with ST_Area as before: ogr2ogr's job is a little smaller than ours here.
    """
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {SAME_TABLE}"))
        conn.execute(
            text(
                f"CREATE TABLE {SAME_TABLE} (LIKE farmland INCLUDING CONSTRAINTS INCLUDING INDEXES);"
                f"ALTER TABLE {SAME_TABLE} ALTER id ADD GENERATED BY DEFAULT AS IDENTITY,"
                " ALTER extra DROP NOT NULL, ALTER extra DROP DEFAULT"
            )
        )
        cur = conn.connection.driver_connection.cursor()
        secondary = cur.execute(
            composed("load_secondary_indexes"), {"table": SAME_TABLE}
        ).fetchall()
        for name, _ in secondary:
            conn.execute(text(f"DROP INDEX {name}"))  # name from the catalog
    return [definition for _, definition in secondary]


def run_ogr2ogr_same_job(engine: Engine, libpq: str, shp: Path, indexes: list[str]) -> None:
    options = ("-append", "-makevalid", "-nlt", "MULTIPOLYGON", "--config", "PG_USE_COPY", "YES")
    ogr2ogr(libpq, shp, SAME_TABLE, *options)
    with engine.begin() as conn:
        for definition in indexes:
            conn.execute(text(definition))
        conn.execute(text(f"SELECT sum(ST_Area(geom::geography)) FROM {SAME_TABLE}"))
        conn.execute(text(f"ANALYZE {SAME_TABLE}"))


def run_to_postgis(engine: Engine, shp: Path) -> None:
    frame = gpd.read_file(shp, engine="pyogrio")
    frame.to_postgis(GPD_TABLE, engine, if_exists="replace", index=False)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE INDEX ON {GPD_TABLE} USING gist (geometry)"))


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one()


def clean_ours(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM farmland WHERE source = :s"), {"s": SOURCE})


def drop(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))


def clean(engine: Engine) -> None:
    clean_ours(engine)
    for table in (OGR_TABLE, GPD_TABLE, SAME_TABLE):
        drop(engine, table)


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


def bench(n: int, libpq: str, console: Console, repeat: int) -> None:
    engine = create_engine(libpq.replace("postgresql://", "postgresql+psycopg://", 1))
    with tempfile.TemporaryDirectory(prefix="watershed-bench-shp-") as folder:
        started = time.perf_counter()
        frame = make_parcels(n)
        expected = int((frame["ZLDWMC"] == _VILLAGES[6]).sum())
        shp = write_shapefile(frame, Path(folder))
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
        # Each step: (name, untimed set-up, the timed run given what the set-up returned);
        # "ours" then its reload is one step, which times its two loads itself.
        steps = [
            ("ours", lambda: clean_ours(engine), lambda _: ours_then_reload(engine, shp, stages)),
            ("ogr2ogr", lambda: drop(engine, OGR_TABLE), lambda _: run_ogr2ogr(libpq, shp)),
            (
                "same job",
                lambda: prepare_same_job(engine),
                lambda indexes: run_ogr2ogr_same_job(engine, libpq, shp, indexes),
            ),
            ("to_postgis", lambda: drop(engine, GPD_TABLE), lambda _: run_to_postgis(engine, shp)),
        ]
        seconds: dict[str, list[float]] = {}
        for round_ in range(repeat):
            # The machine's speed drifts within minutes: rotate the order, take medians.
            turn = round_ % len(steps)
            for name, prepare, run in steps[turn:] + steps[:turn]:
                prepared = prepare()
                start = time.perf_counter()
                measured = run(prepared)
                total = time.perf_counter() - start
                for key, value in (measured or {name: total}).items():
                    seconds.setdefault(key, []).append(value)
        results = {label: statistics.median(seconds[key]) for key, label in LABELS.items()}
        tables = {  # by the step names
            "ours": ("farmland", "zldwmc", f"source = '{SOURCE}'"),
            "ogr2ogr": (OGR_TABLE, "zldwmc", "true"),
            "same job": (SAME_TABLE, "zldwmc", "true"),
            "to_postgis": (GPD_TABLE, '"ZLDWMC"', "true"),
        }
        counts = {
            name: count(engine, t, f"WHERE {where}") for name, (t, _, where) in tables.items()
        }
        if set(counts.values()) != {n}:
            raise SystemExit(f"row counts differ from {n}: {counts}")
        # 㵐 is in GB18030 but not in GBK, which is what the .cpg (as ArcGIS writes it) says.
        intact = {
            name: count(engine, t, f"WHERE {where} AND {column} = '{_VILLAGES[6]}'")
            for name, (t, column, where) in tables.items()
        }
        clean(engine)
    engine.dispose()
    _print(results, n, repeat, console)
    console.print(
        f"「{_VILLAGES[6]}」 parcels arriving intact (of {expected:,}): "
        + ", ".join(f"{name} {found:,}" for name, found in intact.items())
    )
    console.print(
        "ours by stage: "
        + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items())
    )


def _print(results: dict[str, float], n: int, repeat: int, console: Console) -> None:
    ours = next(iter(results.values()))
    title = f"Loading {n:,} parcels into an indexed PostGIS table (median of {repeat})"
    table = Table(title=title)
    for name in ("tool", "seconds", "features/s", "× ours"):
        table.add_column(name, justify="left" if name == "tool" else "right")
    for name, seconds in results.items():
        table.add_row(name, f"{seconds:.2f}", f"{n / seconds:,.0f}", f"{seconds / ours:.2f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200_000, help="number of parcels")
    parser.add_argument("--url", help="libpq URL of a migrated PostGIS (default: throwaway)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, in rotating order")
    args = parser.parse_args()
    if shutil.which("ogr2ogr") is None:
        raise SystemExit("ogr2ogr not found (apt-get install gdal-bin)")
    console = Console()
    os.environ.setdefault("PG_USE_COPY", "YES")
    if args.url:
        bench(args.n, args.url, console, args.repeat)
        return
    with throwaway_database() as url:
        bench(args.n, url, console, args.repeat)


if __name__ == "__main__":
    main()
