"""Benchmark: 50 clients for 60 s on a mixed load, beside a raw-SQL ceiling in the same run.

Each client (asyncio, httpx) sends, one after the other, requests drawn from the map's mix:
vector tiles (z12/z14 around the data's centre), ``/ogc`` items in a small bbox, overlap
checks of project outlines, the sections list and the list evaluation (``/api/checks``,
served from the API's cache after the first). Every non-2xx answer or transport error
counts as an error. Printed per kind: requests, errors, p50/p95; in all: requests/s.

The raw-SQL ceiling is the same statements (tiles as ST_AsMVT, the items' bbox query, the
overlap statement, the sections table) run by as many psycopg connections as the API's
pools hold, for ``--sql-seconds``, on the same machine right after: what the database
alone sustains, with no HTTP, JSON or Python. ``/api/checks`` has no raw peer (the API
serves it from its cache; bench_checks.py compares the evaluation itself).

    .venv/bin/python bench/bench_load_mixed.py [--clients 50] [--seconds 60] [--synthetic N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import psycopg
from shapely.geometry import mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_overlap import literal_sql, projects
from bench.bench_tiles import raw_tile_sql, tiles_around
from bench.synthetic import api_server, database, percentile
from layers.db import libpq_url

WEIGHTS = {"tiles": 0.40, "items": 0.15, "overlap": 0.20, "sections": 0.15, "checks": 0.10}
ITEMS_SQL = (
    "SELECT id, bsm, dlbm, ST_AsGeoJSON(geom) FROM farmland "
    "WHERE geom && ST_MakeEnvelope({0}, {1}, {2}, {3}, 4490) ORDER BY id LIMIT 50"
)
SQL_CONNECTIONS = 14  # the API's pools: SQLAlchemy 5 + 10 overflow, tipg 4 (not all at once)


def workload(paths: dict[str, Path], count: int = 30, seed: int = 11):
    """Requests (kind, method, path, body) and their raw-SQL peers (kind, sql)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = gpd.read_file(paths["farmland"]).total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tiles = [t for z in (12, 14) for t in tiles_around(cx, cy, z)]
    tile_path = "/ogc/collections/public.farmland/tiles/WebMercatorQuad/{}/{}/{}"
    requests = {
        "tiles": [("GET", tile_path.format(t.z, t.x, t.y), None) for t in tiles],
        "sections": [("GET", "/api/sections", None)],
        "checks": [("GET", "/api/checks", None)],
    }
    raw = {
        "tiles": [raw_tile_sql(t.z, t.x, t.y) for t in tiles],
        "sections": ["SELECT * FROM sections"],
    }
    boxes = []
    for _ in range(count):
        bx, by = rng.uniform(x0, x1 - 0.01), rng.uniform(y0, y1 - 0.01)
        boxes.append((bx, by, bx + 0.01, by + 0.01))
    requests["items"] = [
        (
            "GET",
            "/ogc/collections/public.farmland/items?limit=50&bbox=" + ",".join(map(str, b)),
            None,
        )
        for b in boxes
    ]
    raw["items"] = [ITEMS_SQL.format(*b) for b in boxes]
    shapes = projects((x0, y0, x1, y1), count)
    requests["overlap"] = [("POST", "/api/overlap", mapping(s)) for s in shapes]
    raw["overlap"] = [literal_sql(s) for s in shapes]
    return requests, raw


async def http_load(base: str, requests, clients: int, seconds: float):
    kinds = list(WEIGHTS)
    weights = np.array([WEIGHTS[k] for k in kinds])
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    # uvicorn closes a keep-alive connection idle for 5 s; a client that keeps one longer
    # may send on it as it closes (a transport error that is the client's, not the app's):
    # browsers retry such a request, httpx does not, so idle connections are dropped first.
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        for kind in kinds:  # warm every path once (the checks' first evaluation, tipg's catalogue)
            method, path, body = requests[kind][0]
            (await client.request(method, path, json=body)).raise_for_status()
        deadline = time.perf_counter() + seconds

        async def one(index: int) -> None:
            rng = np.random.default_rng(index)
            while time.perf_counter() < deadline:
                kind = kinds[rng.choice(len(kinds), p=weights / weights.sum())]
                method, path, body = requests[kind][rng.integers(len(requests[kind]))]
                start = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                    await response.aread()
                    if response.status_code >= 400:
                        errors[kind].append(f"{response.status_code} {path}")
                except httpx.HTTPError as exc:
                    errors[kind].append(f"{type(exc).__name__} {path}")
                times[kind].append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return times, errors, elapsed


async def sql_load(url: str, raw, seconds: float, connections: int):
    kinds = [k for k in WEIGHTS if k in raw]
    weights = np.array([WEIGHTS[k] for k in kinds])
    times: dict[str, list[float]] = defaultdict(list)
    deadline = time.perf_counter() + seconds

    async def one(index: int) -> None:
        rng = np.random.default_rng(1000 + index)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            while time.perf_counter() < deadline:
                kind = kinds[rng.choice(len(kinds), p=weights / weights.sum())]
                sql = raw[kind][rng.integers(len(raw[kind]))]
                start = time.perf_counter()
                await (await conn.execute(sql, binary=True)).fetchall()
                times[kind].append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(connections)))
    return times, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sql-seconds", type=float, default=20)
    parser.add_argument("--synthetic", type=int, default=None, help="force N synthetic parcels")
    args = parser.parse_args()
    with database(args.synthetic) as (settings, paths, description):
        requests, raw = workload(paths)
        with api_server(settings) as base:
            times, errors, elapsed = asyncio.run(
                http_load(base, requests, args.clients, args.seconds)
            )
        sql_times, sql_elapsed = asyncio.run(
            sql_load(libpq_url(settings), raw, args.sql_seconds, SQL_CONNECTIONS)
        )
    total = sum(len(v) for v in times.values())
    failed = sum(len(v) for v in errors.values())
    print(f"{description}；{args.clients} 个客户端，{elapsed:.0f} s")
    print(f"{'kind':<10}{'requests':>10}{'errors':>8}{'p50 (s)':>10}{'p95 (s)':>10}"
          f"{'raw p50':>10}{'raw p95':>10}")  # fmt: skip
    for kind in WEIGHTS:
        sql = sql_times.get(kind)
        raw_cols = (
            f"{percentile(sql, 50):>10.4f}{percentile(sql, 95):>10.4f}"
            if sql
            else f"{'—':>10}{'—':>10}"
        )
        print(f"{kind:<10}{len(times[kind]):>10}{len(errors[kind]):>8}"
              f"{percentile(times[kind], 50):>10.4f}{percentile(times[kind], 95):>10.4f}{raw_cols}")  # fmt: skip
    sql_total = sum(len(v) for v in sql_times.values())
    print(f"HTTP: {total / elapsed:.1f} requests/s, {failed} errors")
    print(
        f"raw SQL ceiling ({SQL_CONNECTIONS} connections, same statements without checks): "
        f"{sql_total / sql_elapsed:.1f} statements/s"
    )
    for kind, lines in errors.items():
        for line in lines[:5]:
            print(f"  error {kind}: {line}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
