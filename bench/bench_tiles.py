"""Benchmark: a vector tile from /ogc (tipg) vs the same tile as raw ST_AsMVT in psql.

For the parcel layer (地类图斑, the map's biggest), at z12, z14 and z16: the tile holding the
middle of the data and its eight neighbours, each fetched ``--repeat`` times over HTTP from the
app under uvicorn, and built as many times by the canonical raw query (ST_AsMVTGeom of every
column, the tile envelope as filter, the same 4096/256 extent and buffer and the same
10 000-feature limit as tipg) run on one open psycopg connection, the tile fetched as binary
(psql would format the bytea as hex text and look slower than it is). The /ogc figure
includes the HTTP round trip (about 2 ms on the reference machine), which dominates small
z16 tiles. Target (issue 5): ≤ 1.5 × raw.

    .venv/bin/python bench/bench_tiles.py [--repeat 5] [--synthetic N]

Uses the configured database when it holds parcels, otherwise a throwaway synthetic one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx
import morecantile
import psycopg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import api_server, database, percentile
from layers.db import libpq_url, make_engine
from layers.registry import LAYERS

ZOOMS = (12, 14, 16)
TMS = morecantile.tms.get("WebMercatorQuad")
IDENTITY = {"Accept-Encoding": "identity"}
LAYER = LAYERS["farmland"]


def raw_tile_sql(z: int, x: int, y: int) -> str:
    """The canonical ST_AsMVT query of one tile, the filter envelope a CGCS2000 literal."""
    columns = ", ".join(f'"{c.name}"' for c in LAYER.model.__table__.columns if c.name != "geom")
    west, south, east, north = TMS.bounds(morecantile.Tile(x, y, z))
    return f"""
WITH t AS (
    SELECT {columns},
           ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope({z}, {x}, {y}), 4096, 256, true) AS geom
    FROM "{LAYER.table}"
    WHERE ST_Intersects(geom, ST_MakeEnvelope({west}, {south}, {east}, {north}, 4490))
    ORDER BY id
    LIMIT 10000
)
SELECT ST_AsMVT(t.*, 'default', 4096, 'geom') FROM t"""


def time_raw(url: str, statements: list[str]) -> list[float]:
    """Seconds per tile for the raw query on one open connection, the tile fetched as binary."""
    times = []
    with psycopg.connect(url) as conn:
        for sql in statements[:3]:  # warm up
            conn.execute(sql, binary=True).fetchone()
        for sql in statements:
            start = time.perf_counter()
            tile = conn.execute(sql, binary=True).fetchone()[0]
            times.append(time.perf_counter() - start)
            assert tile is not None
    return times


def tiles_around(lon: float, lat: float, zoom: int) -> list[morecantile.Tile]:
    centre = TMS.tile(lon, lat, zoom)
    return [
        morecantile.Tile(centre.x + dx, centre.y + dy, zoom)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=None, help="force N synthetic parcels")
    args = parser.parse_args()
    with database(args.synthetic) as (settings, _paths, description):
        engine = make_engine(settings)
        with engine.connect() as conn:
            lon, lat = conn.execute(
                text(
                    f'SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) AS c FROM "{LAYER.table}") s'
                )
            ).one()
        engine.dispose()
        rows = []
        with api_server(settings) as base, httpx.Client(base_url=base, timeout=120) as client:
            for zoom in ZOOMS:
                tiles = tiles_around(lon, lat, zoom)
                path = f"/ogc/collections/public.{LAYER.table}/tiles/WebMercatorQuad"
                urls = [f"{path}/{t.z}/{t.x}/{t.y}" for t in tiles]
                client.get(urls[0]).raise_for_status()  # warm up
                api, sizes, floor, plain = [], [], [], []
                for _ in range(args.repeat):
                    for url in urls:
                        start = time.perf_counter()
                        response = client.get(url)
                        api.append(time.perf_counter() - start)
                        response.raise_for_status()
                        sizes.append(len(response.content))
                        start = time.perf_counter()
                        client.get(url, headers=IDENTITY).raise_for_status()
                        plain.append(time.perf_counter() - start)
                        start = time.perf_counter()
                        client.get("/api/health/live").raise_for_status()
                        floor.append(time.perf_counter() - start)
                statements = [raw_tile_sql(t.z, t.x, t.y) for t in tiles] * args.repeat
                raw = time_raw(libpq_url(settings), statements)
                rows.append((zoom, api, raw, floor, plain, statistics.median(sizes)))
    print(f"{description}；每级 9 个瓦片 × {args.repeat} 次")
    print(
        f"{'zoom':<6}{'tile KB':>9}{'/ogc p50':>11}{'/ogc p95':>11}{'raw p50':>10}{'raw p95':>10}"
        f"{'floor':>9}{'ratio':>8}{'net':>8}{'no gzip':>9}"
    )
    for zoom, api, raw, floor, plain, size in rows:
        a50, r50, f50 = percentile(api, 50), percentile(raw, 50), percentile(floor, 50)
        print(
            f"z{zoom:<5}{size / 1024:>9.1f}{a50:>11.4f}{percentile(api, 95):>11.4f}"
            f"{r50:>10.4f}{percentile(raw, 95):>10.4f}{f50:>9.4f}{a50 / r50:>8.2f}"
            f"{(a50 - f50) / r50:>8.2f}{percentile(plain, 50) / r50:>9.2f}"
        )
    print("ratio = /ogc p50 ÷ raw ST_AsMVT p50 (target ≤ 1.5×)")
    print(
        "floor = GET /api/health/live p50, the HTTP cost every request pays and raw SQL does not;"
    )
    print("net = (/ogc p50 − floor) ÷ raw p50")
    print(
        "no gzip = /ogc p50 with Accept-Encoding: identity ÷ raw p50 (raw SQL compresses nothing)"
    )


if __name__ == "__main__":
    main()
