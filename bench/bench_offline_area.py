"""Benchmark: the size of one unit's offline area (离线区域) and the time to build it.

For each unit (or ``--unit``): the plan (GET /map/offline-area: every tile z13–z16 of the tiled
layers over the unit, measured in PostGIS; the relief and land-cover basemap tiles z10–z14 where
those rasters are registered, their size estimated from four drawn), then the area built as the tablet builds it: the
non-empty tiles with the map's own URLs (its ``?properties=``), the basemap tiles and the data the map shows
(the small layers' GeoJSON, sections and their assessments, the list evaluation), six at a
time over HTTP from the app under uvicorn, counted uncompressed (as the device stores them).
Budget (issue 18): one unit under 50 MB.

    .venv/bin/python bench/bench_offline_area.py [--unit CODE]

Uses the configured database when it holds units and parcels, otherwise a throwaway one with
the demonstration dataset (data/shapefiles/).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api import ogc
from bench.synthetic import api_server, scratch_database
from etl.demo.load import load_demo
from etl.demo.rasters import load_demo_rasters
from layers.db import make_engine
from layers.settings import REPO_ROOT, Settings, get_settings
from webmap.layers import map_layers

BUDGET_MB = 50
PARALLEL = 6
IDENTITY = {"Accept-Encoding": "identity"}


def _has_units(settings: Settings) -> bool:
    try:
        engine = make_engine(settings)
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM units")).scalar_one()) and bool(
                conn.execute(text("SELECT count(*) FROM farmland")).scalar_one()
            )
    except Exception:  # no database, no schema: the demonstration data instead
        return False


@contextmanager
def database():
    configured = get_settings()
    if _has_units(configured):
        yield configured, "已加载数据"
        return
    folder = Path(tempfile.mkdtemp(prefix="watershed-bench-"))
    folder.chmod(0o755)
    try:
        with scratch_database(folder) as (settings, engine):
            load_demo(engine, REPO_ROOT / "data" / "shapefiles", actor="bench")
            # as `watershed demo load` does: the relief and land-cover basemaps
            load_demo_rasters(engine, REPO_ROOT / "data" / "shapefiles", settings)
            yield settings, "示例数据（data/shapefiles，临时数据库）"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def data_urls(client: httpx.Client) -> list[str]:
    layers = map_layers("", ogc.collection_id)
    urls = [layer.geojson_url for layer in layers if layer.geojson_url]
    urls += ["/", "/api/sections", "/api/sections/default-period", "/api/checks"]
    period = client.get("/api/sections/default-period").json().get("period")
    for section in client.get("/api/sections").json():
        urls.append(f"/api/sections/{section['code']}/assessment?period={period}")
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", help="单元代码（默认：全部单元）")
    args = parser.parse_args()
    with database() as (settings, description):
        engine = make_engine(settings)
        with engine.connect() as conn:
            units = conn.execute(text("SELECT code, name FROM units ORDER BY code")).all()
        engine.dispose()
        if args.unit:
            units = [u for u in units if u.code == args.unit]
        tiles_urls = {
            layer.key: layer.tiles_url
            for layer in map_layers(
                f"{ogc.PREFIX}/collections/{{collection}}/tiles/{ogc.TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
                ogc.collection_id,
            )
            if layer.tiles_url
        }
        print(f"离线区域基准（{description}），z13–z16，{PARALLEL} 路并发，按未压缩字节计")
        print(
            f"{'单元':<16}{'瓦片':>7}{'有图斑':>7}{'底图块':>7}{'预估MB':>9}{'实际MB':>9}{'规划s':>8}{'下载s':>8}"
        )
        with (
            api_server(settings) as base,
            httpx.Client(base_url=base, timeout=120, headers=IDENTITY) as client,
        ):
            common = data_urls(client)
            for unit in units:
                started = time.perf_counter()
                answer = client.get("/map/offline-area", params={"unit": unit.code})
                plan = answer.raise_for_status().json()
                planned = time.perf_counter() - started
                urls = list(common)
                for layer in plan["layers"]:
                    template = tiles_urls[layer["key"]]
                    for z, x, y, size in layer["tiles"]:
                        if size:
                            urls.append(
                                template.replace("{z}", str(z))
                                .replace("{x}", str(x))
                                .replace("{y}", str(y))
                            )
                basemap_tiles = 0
                for basemap in plan["basemaps"]:
                    for z, x, y in basemap["tiles"]:
                        urls.append(basemap["tiles_url"].format(z=z, x=x, y=y))
                        basemap_tiles += 1
                started = time.perf_counter()
                with ThreadPoolExecutor(PARALLEL) as pool:
                    sizes = list(pool.map(lambda u: len(client.get(u).content), urls))
                built = time.perf_counter() - started
                nonempty = len(urls) - len(common) - basemap_tiles
                estimate = (plan["tile_bytes"] + plan["basemap_bytes"]) / 2**20
                actual = sum(sizes) / 2**20
                flag = "" if actual < BUDGET_MB else f"  超出 {BUDGET_MB} MB 预算"
                print(
                    f"{unit.name + '（' + unit.code + '）':<16}{plan['tile_count']:>7}{nonempty:>7}"
                    f"{basemap_tiles:>7}"
                    f"{estimate:>9.2f}{actual:>9.2f}{planned:>8.2f}{built:>8.2f}{flag}"
                )


if __name__ == "__main__":
    main()
