"""Loading a raster (栅格导入): check a GeoTIFF, write it as a Cloud-Optimized GeoTIFF, register it.

:func:`load_raster` reads the file with rasterio and refuses, with a message in Chinese, a file
that cannot be read to its last pixel (corrupt or truncated), has no CRS or one the platform
does not know (:func:`gis.crs.detect_crs`, so a Gauss-Krüger X with the zone number is
recognised even under a "CM 114E" definition), lies wholly outside the district, or whose bands
do not fit its kind (:func:`gis.rasters.check_type`). An accepted file becomes a COG under
``var_dir/rasters`` (rio-cogeo: 512-pixel internal tiles, overviews, DEFLATE) in the source
CRS (reprojecting would resample the data), is validated with rio-cogeo's validator and
registered in ``rasters``; a refused one leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import morecantile
import numpy as np
import rasterio
import shapely
from rasterio.errors import RasterioError
from rasterio.warp import transform_geom
from rio_cogeo.cogeo import cog_translate, cog_validate
from rio_cogeo.profiles import cog_profiles
from sqlalchemy import Engine

from gis.crs import CGCS2000, detect_crs
from gis.errors import CrsError, InvalidInputError
from gis.rasters import KINDS, check_type
from layers import rasters as register
from layers.settings import Settings

RASTER_DIR = "rasters"
#: Pixels × bands accepted in one file: a 10 m DEM of the district is ~30 million, a 0.5 m
#: orthophoto of a township ~1 billion; more is tiled by the bureau before loading.
MAX_PIXELS = 1_500_000_000
_ROWS_PER_READ = 1024
# Overviews of a DEM or photo average; of classes, the most frequent class (never a new one).
_OVERVIEW_RESAMPLING = {"dem": "average", "landcover": "mode", "ortho": "average"}


@dataclass
class RasterReport:
    """What a raster load did, in the terms a user checks (shown by the CLI and the API)."""

    kind: str
    kind_name: str
    source: str
    sha256: str
    epsg: int
    crs_reason: str
    res: tuple[float, float]
    size: tuple[int, int]  # width, height
    bands: int
    dtype: str
    nodata: float | None
    value_range: tuple[float, float] | None
    bounds_4490: tuple[float, float, float, float]
    district_share: float  # share of the district's area inside the raster's extent
    cog_bytes: int
    replaced: bool
    as_of: dt.date | None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat() if self.as_of else None
        return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_raster(
    engine: Engine,
    path: Path,
    kind: str,
    *,
    settings: Settings,
    crs: int | None = None,
    as_of: dt.date | None = None,
    actor: str | None = None,
    source: str | None = None,
) -> RasterReport:
    """Check ``path`` as a ``kind`` raster, write its COG and register it (replacing the kind)."""
    if kind not in KINDS:
        check_type(kind, 0, ())  # refuses the unknown kind before any reading
    path = Path(path)
    source = source or path.name
    digest = sha256_file(path)
    with _open(path) as src:
        check_type(kind, src.count, tuple(src.dtypes))
        if src.width * src.height * src.count > MAX_PIXELS:
            raise InvalidInputError(
                f"栅格过大：{src.width} × {src.height} × {src.count} 个像元，上限 {MAX_PIXELS:,}"
                "（raster too large）。",
                hint="请分幅后分别导入，或降低分辨率。",
            )
        detection = _detect(src, crs)
        values = _read_all(src, kind)
        extent = _extent_4490(src, detection.epsg)
    district_m2, covered_m2 = register.district_cover(engine, f"SRID={CGCS2000};{extent.wkt}")
    if district_m2 is None:
        raise InvalidInputError(
            "尚未导入区界（district），无法核对栅格是否在区内（no district loaded）。",
            hint="先导入 district 图层。",
        )
    if not covered_m2:
        raise InvalidInputError(
            f"栅格范围（经度 {extent.bounds[0]:.4f}–{extent.bounds[2]:.4f}，纬度 "
            f"{extent.bounds[1]:.4f}–{extent.bounds[3]:.4f}）与区界不相交（outside the district）。",
            hint="请核对坐标系（--crs）或文件是否为本区数据。",
        )
    folder = settings.var_dir / RASTER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{kind}-{digest[:16]}.tif"
    reloaded = final.exists()  # the same file again: the row in force already points here
    _write_cog(path, final, kind, detection.epsg)
    row = {
        "kind": kind,
        "path": str(final.relative_to(settings.var_dir)),
        "source": source,
        "sha256": digest,
        "epsg": detection.epsg,
        "res_x": values["res"][0],
        "res_y": values["res"][1],
        "width": values["size"][0],
        "height": values["size"][1],
        "bands": values["bands"],
        "dtype": values["dtype"],
        "nodata": values["nodata"],
        "value_min": values["range"][0] if values["range"] else None,
        "value_max": values["range"][1] if values["range"] else None,
        "as_of": as_of,
        "actor": actor,
        "extent": f"SRID={CGCS2000};{extent.wkt}",
    }
    try:
        old = register.replace(engine, row)
    except Exception:
        if not reloaded:
            final.unlink(missing_ok=True)
            web_path(final).unlink(missing_ok=True)
        raise
    if old and old != row["path"]:
        (settings.var_dir / old).unlink(missing_ok=True)
        web_path(settings.var_dir / old).unlink(missing_ok=True)
    return RasterReport(
        kind=kind,
        kind_name=KINDS[kind],
        source=source,
        sha256=digest,
        epsg=detection.epsg,
        crs_reason=detection.reason,
        res=values["res"],
        size=values["size"],
        bands=values["bands"],
        dtype=values["dtype"],
        nodata=values["nodata"],
        value_range=values["range"],
        bounds_4490=tuple(round(v, 6) for v in extent.bounds),
        district_share=round(min(covered_m2 / district_m2, 1.0), 4),
        cog_bytes=final.stat().st_size,
        replaced=old is not None,
        as_of=as_of,
        warnings=list(detection.warnings),
    )


class _open:
    """rasterio.open with unreadable files turned into a clear refusal."""

    def __init__(self, path: Path) -> None:
        try:
            self.src = rasterio.open(path)
        except RasterioError as exc:
            raise InvalidInputError(
                f"无法读取栅格文件 {path.name}：文件损坏或不是 GeoTIFF（unreadable raster）。",
                hint=f"GDAL：{exc}",
            ) from exc
        if self.src.driver != "GTiff":
            self.src.close()
            raise InvalidInputError(
                f"{path.name} 不是 GeoTIFF（{self.src.driver}），请转为 GeoTIFF 后导入（not a GeoTIFF）。"
            )

    def __enter__(self) -> rasterio.DatasetReader:
        return self.src

    def __exit__(self, *exc: object) -> None:
        self.src.close()


def _detect(src: rasterio.DatasetReader, override: int | None):
    if src.crs is None and override is None:
        raise CrsError(
            "栅格没有坐标系（no CRS）：GeoTIFF 中没有地理参照信息。",
            hint="请用 --crs 指定 EPSG 代码，例如 --crs 4547（CGCS2000 3度带 中央经线114°E）。",
        )
    if src.transform.is_identity:
        raise CrsError("栅格没有地理参照（no georeferencing）：像元未与坐标对应。")
    left, bottom, right, top = src.bounds
    corners = np.array([(left, bottom), (left, top), (right, bottom), (right, top)])
    wkt = src.crs.to_wkt() if src.crs is not None else None
    return detect_crs(wkt, corners, override)


def _read_all(src: rasterio.DatasetReader, kind: str) -> dict[str, Any]:
    """Read every pixel of every band (this is what finds a truncated file) and the range."""
    low, high = np.inf, -np.inf
    try:
        for row in range(0, src.height, _ROWS_PER_READ):
            window = rasterio.windows.Window(
                0, row, src.width, min(_ROWS_PER_READ, src.height - row)
            )
            data = src.read(window=window, masked=True)
            first = data[0]
            if first.count():
                low, high = min(low, float(first.min())), max(high, float(first.max()))
    except RasterioError as exc:
        raise InvalidInputError(
            "栅格文件不完整或已损坏，无法读出全部像元（truncated or corrupt raster）。",
            hint=f"GDAL：{exc}",
        ) from exc
    if not np.isfinite(low):
        raise InvalidInputError("栅格中没有有效像元（all pixels are nodata）。")
    return {
        "res": (abs(src.transform.a), abs(src.transform.e)),
        "size": (src.width, src.height),
        "bands": src.count,
        "dtype": src.dtypes[0],
        "nodata": None if src.nodata is None else float(src.nodata),
        "range": (low, high),
    }


def _extent_4490(src: rasterio.DatasetReader, epsg: int) -> shapely.Polygon:
    """The raster's footprint in EPSG:4490, each edge cut in 50 (a GK box is curved in degrees)."""
    left, bottom, right, top = src.bounds
    box = shapely.segmentize(
        shapely.box(left, bottom, right, top), max(right - left, top - bottom) / 50
    )
    geom = transform_geom(f"EPSG:{epsg}", f"EPSG:{CGCS2000}", shapely.geometry.mapping(box))
    return shapely.geometry.shape(geom)


def _web_nodata(dtype: str) -> float:
    """A nodata value for the Web Mercator copy of a raster that has none, so the padding to
    whole tiles is clear: -9999 for a float DEM, the type's minimum for signed integers, 0
    otherwise (class 0 is no 三调 class; a pure black orthophoto pixel turns clear in tiles)."""
    if dtype.startswith("float"):
        return -9999.0
    if dtype.startswith("int"):
        return float(np.iinfo(dtype).min)
    return 0.0


def web_path(cog: Path) -> Path:
    """The Web Mercator copy of a registered COG, from which tiles are drawn."""
    return cog.with_name(cog.stem + "-web.tif")


def _write_cog(source: Path, final: Path, kind: str, epsg: int) -> None:
    """The COG of ``source`` at ``final`` (in the detected CRS) and its Web Mercator copy at
    :func:`web_path`, both validated, or nothing at all.

    The copy is a web-optimised COG (aligned to the WebMercatorQuad tiles), so a basemap tile
    is a plain window read: reprojecting from a CGCS2000 CRS per tile costs ~50 ms in PROJ's
    search for the CGCS2000→WGS84 operation alone. The registered COG keeps the source grid
    for analysis.
    """
    profile = cog_profiles.get("deflate")
    profile.update(blockxsize=512, blockysize=512)
    config = {"GDAL_NUM_THREADS": "2", "GDAL_TIFF_OVR_BLOCKSIZE": "512"}
    resampling = "nearest" if kind == "landcover" else "bilinear"
    with tempfile.TemporaryDirectory(prefix="watershed-raster-", dir=final.parent) as tmp:
        src_path = Path(tmp) / "source.tif"
        shutil.copyfile(source, src_path)
        with rasterio.open(src_path, "r+") as src:
            if src.crs is None or src.crs.to_epsg() != epsg:
                src.crs = rasterio.crs.CRS.from_epsg(epsg)
            web_nodata = src.nodata if src.nodata is not None else _web_nodata(src.dtypes[0])
        out, web = Path(tmp) / final.name, Path(tmp) / web_path(final).name
        common = {"overview_resampling": _OVERVIEW_RESAMPLING[kind], "in_memory": False}
        cog_translate(src_path, out, profile, quiet=True, config=config, **common)
        web_profile = cog_profiles.get("deflate")
        web_profile.update(blockxsize=256, blockysize=256)
        cog_translate(
            src_path,
            web,
            web_profile,
            tms=morecantile.tms.get("WebMercatorQuad"),  # web-optimised: aligned to the tiles
            resampling=resampling,
            nodata=web_nodata,
            quiet=True,
            config=config,
            **common,
        )
        for written in (out, web):
            valid, errors, _ = cog_validate(written, quiet=True)
            if not valid:  # our writing went wrong, not the user's file
                raise RuntimeError(f"COG validation failed: {errors}")
        web.replace(web_path(final))
        out.replace(final)
