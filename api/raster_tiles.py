"""Basemap tiles from the registered rasters (栅格瓦片), read with rio-tiler.

rio-tiler reads the tile's window from the raster's Web Mercator COG
(:func:`etl.rasters.web_path`; its overviews at low zooms); this module only decides how each
kind is drawn:

- **dem**: hillshade (:func:`gis.rasters.hillshade`, computed on a tile read with a one-pixel
  buffer so neighbouring tiles join without a seam) over hypsometric tints spanning the DEM's
  own range, relief exaggerated :data:`Z_FACTOR` times (the district's low hills are barely
  visible at 1×);
- **landcover**: the legend's colours (:data:`gis.rasters.LANDCOVER_CLASSES`), class edges
  kept sharp (nearest neighbour, no blending of classes);
- **ortho**: true colour, bands 1-2-3.

Pixels without data are transparent, and a tile wholly outside the raster is one constant
transparent PNG.

:func:`serve_tile` answers a request. It looks the raster up in the register (every tile:
a deleted or reloaded raster must stop being drawn at once) and, **at the same time**, draws
the tile from the source the previous lookup found, in a second pool thread; the drawing is
served only if this request's lookup finds the same source, else the tile is drawn again from
the row just read. Under load the lookup is a round trip to PostgreSQL that waits for its
process to be scheduled (~5 ms of a ~40 ms tile on the reference machine at load 4–5), and
overlapping it with the drawing hides it (bench/README.md).

Opening a reader costs more than drawing a tile (rio-tiler computes the raster's geographic
bounds and zoom range: ~90 of ~120 ms on the reference machine), so each worker thread keeps
its readers open, one per kind; a reloaded raster has a new file name and replaces the old.
A rasterio dataset must not be shared between threads, hence per thread.
"""

from __future__ import annotations

import asyncio
import math
import threading
from functools import cache
from pathlib import Path

import numpy as np
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.utils import render
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from etl.rasters import web_path
from gis.errors import NotFoundError
from gis.rasters import hillshade, landcover_colormap, relief_rgba
from layers.rasters import TileSource, tile_source

TILE_SIZE = 256
Z_FACTOR = 2.0
_EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


@cache
def empty_png() -> bytes:
    """A fully transparent tile."""
    return render(
        np.zeros((3, TILE_SIZE, TILE_SIZE), "uint8"), np.zeros((TILE_SIZE, TILE_SIZE), "uint8")
    )


def ground_pixel_m(z: int, y: int) -> float:
    """Ground size (m) of one pixel of tile row ``y`` at zoom ``z`` (Web Mercator × cos φ)."""
    n = 2**z
    lat = math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n)))
    return _EARTH_CIRCUMFERENCE_M / (TILE_SIZE * n) * math.cos(lat)


# Per database and kind, what the last lookup found (touched on the event loop only).
_last: dict[tuple[int, str], TileSource] = {}


def tile_headers(source: TileSource) -> dict[str, str]:
    return {
        "ETag": f'"{source.sha256[:16]}"',
        "Cache-Control": "private, max-age=86400",
        # PNG is deflated already: this keeps the app's gzip layer from compressing it again.
        "Content-Encoding": "identity",
    }


async def serve_tile(
    engine: Engine, var_dir: Path, kind: str, z: int, x: int, y: int, etag: str | None
) -> tuple[int, bytes, dict[str, str]]:
    """(status, PNG, headers) of tile z/x/y of ``kind``: 304 when ``etag`` (If-None-Match) is
    the raster's; :class:`gis.errors.NotFoundError` when no raster of ``kind`` is registered."""
    key = (id(engine), kind)
    guess = _last.get(key)
    lookup = _quiet(asyncio.ensure_future(run_in_threadpool(tile_source, engine, kind)))
    draw = None
    if guess is not None and etag != tile_headers(guess)["ETag"]:
        draw = _quiet(
            asyncio.ensure_future(run_in_threadpool(_draw, var_dir, kind, guess, z, x, y))
        )
    try:
        source = await lookup
    except Exception:
        _last.pop(key, None)
        raise
    _last[key] = source
    headers = tile_headers(source)
    if etag == headers["ETag"]:
        return 304, b"", headers
    if draw is not None and source == guess:
        return 200, await draw, headers
    return 200, await run_in_threadpool(_draw, var_dir, kind, source, z, x, y), headers


def _quiet(task: asyncio.Future) -> asyncio.Future:
    """A task whose result may go unused (a speculative drawing, a request cancelled by its
    client) must not log "exception never retrieved"; awaiting it still raises."""
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


def _draw(var_dir: Path, kind: str, source: TileSource, z: int, x: int, y: int) -> bytes:
    value_range = (source.value_min or 0.0, source.value_max or 0.0)
    path = web_path(var_dir / source.path)
    if not path.is_file():  # registered, but its file is gone (data directory moved or wiped)
        raise NotFoundError(
            f"栅格 {kind} 已登记但其文件缺失，请重新导入 (the raster's file is missing: load it "
            "again with `watershed raster load`)."
        )
    return render_tile(kind, path, z, x, y, value_range)


def render_tile(
    kind: str, path: Path, z: int, x: int, y: int, value_range: tuple[float, float]
) -> bytes:
    """The PNG of tile z/x/y of the ``kind`` raster at ``path``."""
    src = _reader(kind, path)
    if not src.tile_exists(x, y, z):
        return empty_png()
    try:
        if kind == "dem":
            return _dem(src, z, x, y, value_range)
        if kind == "landcover":
            image = src.tile(x, y, z, tilesize=TILE_SIZE, indexes=1)
            return image.render(img_format="PNG", colormap=landcover_colormap())
        image = src.tile(
            x,
            y,
            z,
            tilesize=TILE_SIZE,
            indexes=(1, 2, 3),
            resampling_method="bilinear",
            reproject_method="bilinear",
        )
        return image.render(img_format="PNG")
    except TileOutsideBounds:
        return empty_png()


_local = threading.local()


def _reader(kind: str, path: Path) -> Reader:
    """This thread's open reader of ``path``, opened once (the old file's closed on reload)."""
    readers: dict[str, Reader] = getattr(_local, "readers", None) or {}
    _local.readers = readers
    reader = readers.get(kind)
    if reader is None or reader.input != str(path):
        if reader is not None:
            reader.close()
        reader = readers[kind] = Reader(str(path))
    return reader


def _dem(src: Reader, z: int, x: int, y: int, value_range: tuple[float, float]) -> bytes:
    image = src.tile(
        x,
        y,
        z,
        tilesize=TILE_SIZE,
        indexes=1,
        buffer=1,
        resampling_method="bilinear",
        reproject_method="bilinear",
    )
    elevation = image.array[0]
    valid = ~np.ma.getmaskarray(elevation)
    filled = np.ma.filled(
        elevation.astype("float64"), float(np.ma.median(elevation)) if valid.any() else 0.0
    )
    pixel = ground_pixel_m(z, y)
    shade = hillshade(filled * Z_FACTOR, pixel, pixel)
    rgba = relief_rgba(filled, valid, shade, *value_range)[:, 1:-1, 1:-1]
    return render(rgba[:3], rgba[3], img_format="PNG")


def estimated_bytes(
    engine: Engine, var_dir: Path, kind: str, tiles: list[tuple[int, int, int]], samples: int = 4
) -> int:
    """About how many bytes the PNGs of ``tiles`` of ``kind`` take, before any download (the
    offline area's size shown first): a few of the highest zoom's tiles drawn (they are most
    of the count), their mean size times the count."""
    if not tiles:
        return 0
    top = max(z for z, _, _ in tiles)
    pool = [t for t in tiles if t[0] == top]
    picked = pool[:: max(1, len(pool) // samples)][:samples]
    source = tile_source(engine, kind)
    sizes = [len(_draw(var_dir, kind, source, *t)) for t in picked]
    return round(sum(sizes) / len(sizes) * len(tiles))
