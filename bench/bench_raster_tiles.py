"""Benchmark: a z14 relief (hillshade) tile from the API vs rio-tiler called in-process.

The demonstration DEM (30 m, made from data/shapefiles/ as ``demo load`` makes it) is loaded
into a throwaway database; the app runs under uvicorn in a subprocess. For the z14 tile at
the middle of the district and its eight neighbours, each fetched ``--repeat`` times:

- **API**: ``GET /api/rasters/dem/tiles/14/x/y.png`` over HTTP (registry lookup, rio-tiler
  read and reprojection, hillshade, PNG, the HTTP round trip);
- **in-process**: the same drawing called directly, rio-tiler's ``Reader`` opened per tile as
  the API does (:func:`api.raster_tiles.render_tile`);
- **rio-tiler bare**: ``Reader.tile`` + ``ImageData.render`` of the elevation as grey, on a
  reader kept open: the floor for any rio-tiler server, shown for scale;
- **HTTP floor**: ``GET /api/health/live`` on the same server, the cost of a request that does
  nothing (on a loaded machine, mostly the scheduling of two processes).

Target (issue 19): API p50 ≤ 1.3 × in-process p50. Printed only, never asserted.

``--baseline COMMIT`` adds a second server running that commit's code (``git archive`` into a
temporary folder, same database and COG), timed in the same rounds: an A/B of a change to the
tile path on a busy machine, where two separate runs differ by more than the change.

    .venv/bin/python bench/bench_raster_tiles.py [--repeat 20] [--baseline 6846c1d]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import morecantile
import numpy as np
from rio_tiler.io import Reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.raster_tiles import render_tile
from bench.synthetic import free_port, scratch_database
from etl.demo.rasters import write_dem
from etl.loader import load_file
from etl.rasters import load_raster, web_path
from layers.db import libpq_url
from layers.rasters import cog_path, get_raster
from layers.settings import REPO_ROOT

ZOOM = 14
DEMO = REPO_ROOT / "data" / "shapefiles"


def tiles_around(lon: float, lat: float) -> list[morecantile.Tile]:
    centre = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, ZOOM)
    return [
        morecantile.Tile(centre.x + dx, centre.y + dy, ZOOM)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    ]


def p50(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline", help="a commit whose API is timed alongside (A/B)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="watershed-bench-raster-"))
    folder.chmod(0o755)
    with scratch_database(folder) as (settings, engine):
        load_file(engine, DEMO / "district.shp", "district", settings=settings)
        dem = write_dem(DEMO, folder / "dem.tif")
        load_raster(engine, dem, "dem", settings=settings)
        row = get_raster(engine, "dem")
        path = web_path(cog_path(settings.var_dir, row))
        value_range = (row.value_min, row.value_max)
        lon = (row_bounds := _bounds(engine))[0] / 2 + row_bounds[2] / 2
        lat = row_bounds[1] / 2 + row_bounds[3] / 2
        tiles = tiles_around(lon, lat)
        print(f"DEM {row.width} × {row.height} @ {row.res_x:g} m (EPSG:{row.epsg}); z{ZOOM} "
              f"tiles around {lon:.3f}, {lat:.3f}: {len(tiles)} × {args.repeat}")  # fmt: skip

        env = {
            **os.environ,
            "DATABASE_URL": libpq_url(settings),
            "WATERSHED_VAR_DIR": str(settings.var_dir),
            "WATERSHED_READ_REQUIRES_TOKEN": "false",
            "WATERSHED_WARM_CHECKS": "false",
        }
        servers = [_serve(REPO_ROOT, env)]
        if args.baseline:
            servers.append(_serve(_checkout(args.baseline, folder), env))
        try:
            for _, base in servers:
                _wait(base)
            base = servers[0][1]
            with (
                httpx.Client(base_url=base, timeout=30) as http,
                httpx.Client(base_url=servers[-1][1], timeout=30) as other,
                Reader(str(path)) as reader,
            ):

                def fetch(t: morecantile.Tile, client: httpx.Client = http) -> None:
                    response = client.get(f"/api/rasters/dem/tiles/{t.z}/{t.x}/{t.y}.png")
                    assert response.status_code == 200 and len(response.content) > 1000

                def baseline(t: morecantile.Tile) -> None:
                    fetch(t, other)

                def direct(t: morecantile.Tile) -> None:
                    render_tile("dem", path, t.z, t.x, t.y, value_range)

                def bare(t: morecantile.Tile) -> None:
                    image = reader.tile(t.x, t.y, t.z, indexes=1)
                    image.rescale(in_range=(value_range,)).render(img_format="PNG")

                def health(t: morecantile.Tile) -> None:
                    http.get("/api/health/live")

                calls = {
                    "API (HTTP)": fetch,
                    "in-process": direct,
                    "rio-tiler bare": bare,
                    "HTTP floor (/api/health/live)": health,
                }
                if args.baseline:
                    calls[f"API at {args.baseline}"] = baseline
                for call in calls.values():  # warm-up: pool, GDAL's block cache
                    call(tiles[0])
                times = _time_interleaved(calls, tiles, args.repeat)
        finally:
            for server, _ in servers:
                server.terminate()
                server.wait(timeout=10)
    print(f"{'':24}{'p50 ms':>10}{'p90 ms':>10}")
    for name, values in times.items():
        print(f"{name:24}{p50(values):>10.1f}{np.percentile(values, 90) * 1000:>10.1f}")
    ratio = p50(times["API (HTTP)"]) / p50(times["in-process"])
    print(f"API / in-process p50: {ratio:.2f}× (target ≤ 1.3×)")
    if args.baseline:
        old = p50(times[f"API at {args.baseline}"]) / p50(times["in-process"])
        print(f"API at {args.baseline} / in-process p50: {old:.2f}×")


def _serve(root: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """uvicorn serving the app of the code at ``root``, on a free port."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=root, env={**env, "PYTHONPATH": str(root)})
    return server, f"http://127.0.0.1:{port}"


def _checkout(commit: str, folder: Path) -> Path:
    """The code of ``commit`` in ``folder``/baseline (git archive: no worktree to clean up)."""
    target = folder / "baseline"
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", commit], cwd=REPO_ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _bounds(engine) -> tuple[float, float, float, float]:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM district) s"
            )
        ).one()
    return tuple(row)


def _time_interleaved(calls: dict, tiles, repeat: int) -> dict[str, list[float]]:
    """Seconds per tile for each way, taken in turn tile by tile, so a busy machine slows
    every way alike and the ratio stays fair."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for tile in tiles:
            for name, call in calls.items():
                start = time.perf_counter()
                call(tile)
                times[name].append(time.perf_counter() - start)
    return times


def _wait(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("API server did not start")


if __name__ == "__main__":
    main()
