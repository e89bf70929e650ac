"""What the API benchmarks share: a database with data and the API as a real HTTP server.

:func:`database` yields settings for the configured database when it holds parcels (load the
full-scale demonstration data first), otherwise for a throwaway PostGIS cluster filled with a
synthetic district: a jittered grid of ``n`` 三调 parcels over 曾都区 and protected layers
(永久基本农田 on part of the 耕地, red-line blobs, water-source zones, an urban boundary),
written as shapefiles and loaded with the real loader. Either way the protected layers are
also left as shapefiles in a folder, for the GeoPandas script a user would otherwise write.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import shapely
from sqlalchemy import Engine, text

from etl.loader import load_file
from gis.compliance import FARMLAND_CODES
from layers import migrate
from layers.cluster import EmbeddedCluster
from layers.db import libpq_url, make_engine
from layers.registry import LAYERS, PROTECTED_LAYERS
from layers.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]
_LAND = (("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地"), ("0201", "果园"), ("0301", "乔木林地"), ("0702", "农村宅基地"))  # fmt: skip
EXTENT = (113.20, 31.65)  # south-west corner of the synthetic grid
STEP = 0.0008  # ≈ 75 m × 89 m parcels


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parcels(n: int, seed: int = 421303) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    gx, gy = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
    x = EXTENT[0] + (gx + rng.uniform(-0.25, 0.25, gx.shape)) * STEP
    y = EXTENT[1] + (gy + rng.uniform(-0.25, 0.25, gy.shape)) * STEP
    i, j = np.divmod(np.arange(n), cols)
    corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
    ring = np.stack([np.stack([x[a, b], y[a, b]], axis=-1) for a, b in corners], axis=1)
    land = rng.integers(0, len(_LAND), n)
    return gpd.GeoDataFrame(
        {
            "BSM": [f"BSM{k:09d}" for k in range(n)],
            "DLBM": [_LAND[k][0] for k in land],
            "DLMC": [_LAND[k][1] for k in land],
            "ZLDWMC": "合成村",
        },
        geometry=shapely.polygons(ring),
        crs=4490,
    )


def _blobs(rng, count: int, radius: tuple[float, float], bounds) -> list[shapely.Polygon]:
    """Irregular round polygons (~256 vertices) inside ``bounds``."""
    x0, y0, x1, y1 = bounds
    shapes = []
    for _ in range(count):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        angles = np.linspace(0, 2 * np.pi, 257)[:-1]
        r = rng.uniform(*radius) * (1 + 0.15 * np.sin(5 * angles + rng.uniform(0, 6)))
        shapes.append(
            shapely.Polygon(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]))
        )
    return shapes


def _disjoint(shapes: list[shapely.Polygon]) -> list[shapely.Polygon]:
    """The parts of the shapes' union: protected zones of one layer do not overlap."""
    return sorted(shapely.get_parts(shapely.union_all(shapes)), key=lambda p: -p.area)


def write_district(folder: Path, n: int) -> dict[str, Path]:
    """The synthetic protected layers as UTF-8 shapefiles in ``folder``; returns key → path."""
    rng = np.random.default_rng(7)
    land = parcels(n)
    bounds = land.total_bounds
    farm = land[land["DLBM"].isin(FARMLAND_CODES)]
    basic = farm.sample(frac=0.7, random_state=1)
    reds = _disjoint(_blobs(rng, 6, (0.01, 0.03), bounds))
    zones = _disjoint(_blobs(rng, 3, (0.005, 0.015), bounds))
    levels = ("一级", "二级", "准保护区")
    frames = {
        "farmland": land,
        "basic_farmland": gpd.GeoDataFrame(
            {"YJJBNTTBBH": basic["BSM"].str.replace("BSM", "JB"), "DLBM": basic["DLBM"]},
            geometry=basic.geometry.values,
            crs=4490,
        ),
        "eco_redline": gpd.GeoDataFrame(
            {
                "HXMC": [f"合成红线{k}" for k in range(len(reds))],
                "HXBH": [f"HX{k}" for k in range(len(reds))],
            },
            geometry=reds,
            crs=4490,
        ),
        "water_source_zones": gpd.GeoDataFrame(
            {
                "BHQMC": [f"合成水源保护区{k}" for k in range(len(zones))],
                "BHQJB": [levels[k % 3] for k in range(len(zones))],
            },
            geometry=zones,
            crs=4490,
        ),
        # the overlap report's coverage for the layers declared district-wide
        "district": gpd.GeoDataFrame(
            {"XZQDM": ["421303"], "XZQMC": ["合成区"]},
            geometry=[shapely.box(*bounds).buffer(0.01)],
            crs=4490,
        ),
        "urban_boundary": gpd.GeoDataFrame(
            {"BJMC": ["合成城镇开发边界"]},
            geometry=[shapely.box(*bounds).centroid.buffer(0.04, 64)],
            crs=4490,
        ),
    }
    paths = {}
    for key, frame in frames.items():
        paths[key] = folder / f"{key}.shp"
        frame.to_file(paths[key], encoding="utf-8")
    return paths


def export_protected(settings: Settings, folder: Path) -> dict[str, Path]:
    """The protected layers of a loaded database as shapefiles (for the GeoPandas peer)."""
    engine = make_engine(settings)
    paths = {}
    try:
        for key in PROTECTED_LAYERS:
            frame = gpd.read_postgis(
                text(f'SELECT * FROM "{LAYERS[key].table}"'), engine, geom_col="geom", crs=4490
            )
            frame = frame.drop(columns=["extra"]).rename_geometry("geometry")
            paths[key] = folder / f"{key}.shp"
            frame.to_file(paths[key], encoding="utf-8")
    finally:
        engine.dispose()
    return paths


def _parcel_count(settings: Settings) -> int:
    try:
        engine = make_engine(settings)
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM farmland")).scalar_one()
    except Exception:  # no database, no schema: fall back to the synthetic one
        return 0


@contextmanager
def scratch_database(folder: Path) -> Iterator[tuple[Settings, Engine]]:
    """A throwaway embedded PostGIS cluster under ``folder``, migrated (stopped afterwards)."""
    settings = Settings(
        _env_file=None, database_url=None, var_dir=folder / "var", pg_port=free_port()
    )
    cluster = EmbeddedCluster(base=settings.var_dir / "pg", port=settings.pg_port)
    cluster.up()
    try:
        engine = make_engine(settings)
        migrate.upgrade(engine)
        try:
            yield settings, engine
        finally:
            engine.dispose()
    finally:
        cluster.stop()


@contextmanager
def database(synthetic: int | None) -> Iterator[tuple[Settings, dict[str, Path], str]]:
    """Settings, the protected layers as shapefiles, and a description of the data."""
    folder = Path(tempfile.mkdtemp(prefix="watershed-bench-"))
    folder.chmod(0o755)
    try:
        configured = get_settings()
        count = 0 if synthetic else _parcel_count(configured)
        if count:
            yield (
                configured,
                export_protected(configured, folder),
                f"已加载数据：地类图斑 {count:,} 个",
            )
            return
        n = synthetic or 100_000
        with scratch_database(folder) as (settings, engine):
            paths = write_district(folder, n)
            for key, path in paths.items():
                load_file(engine, path, key, settings=settings)
            yield settings, paths, f"合成数据（临时数据库）：地类图斑 {n:,} 个"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def api_server(settings: Settings) -> Iterator[str]:
    """The app under uvicorn in a subprocess, reads open; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": libpq_url(settings),
        "WATERSHED_VAR_DIR": str(settings.var_dir),  # where the registered rasters' files are
        "WATERSHED_READ_REQUIRES_TOKEN": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("API server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))
