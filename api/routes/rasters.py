"""`/api/rasters`: the registered rasters, their basemap tiles and the land-cover legend (栅格).

Tile URLs keep one prefix, ``/api/rasters/{kind}/tiles/{z}/{x}/{y}.png``, so an offline cache
(the field tablets' service worker) can take them by prefix. A tile's ETag is the raster's
checksum, so a cached tile stays valid until the raster is reloaded.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep, SettingsDep
from api.nonfarm_xlsx import nonfarm_workbook
from api.params import XLSX
from api.raster_tiles import serve_tile
from gis.rasters import KIND_PATTERN, KINDS, LANDCOVER_CLASSES
from layers.nonfarm import DEFAULT_THRESHOLD, nonfarm_geojson, nonfarm_screening
from layers.rasters import registered

router = APIRouter(prefix="/api/rasters", tags=["rasters"])

TILE_TEMPLATE = "/api/rasters/{kind}/tiles/{z}/{x}/{y}.png"
_PNG = {200: {"content": {"image/png": {}}, "description": "PNG 瓦片（256 像素，无数据处透明）"}}


@router.get("", summary="已登记的栅格（DEM、土地覆盖、正射影像）")
async def list_rasters(engine: EngineDep, _: ReaderDep) -> list[dict[str, Any]]:
    """Each registered raster: kind and its Chinese name, source file, CRS, resolution, size,
    value range, as-of and the extent's bounds in CGCS2000 lon/lat, with its tile URL."""
    rows = await run_in_threadpool(registered, engine)
    return [
        {
            "kind": r.kind,
            "name": KINDS[r.kind],
            "source": r.source,
            "epsg": r.epsg,
            "resolution": [r.res_x, r.res_y],
            "size": [r.width, r.height],
            "bands": r.bands,
            "dtype": r.dtype,
            "nodata": r.nodata,
            "value_range": [r.value_min, r.value_max],
            "as_of": r.as_of,
            "loaded_at": r.loaded_at,
            "sha256": r.sha256,
            "tiles": TILE_TEMPLATE.replace("{kind}", r.kind),
        }
        for r in rows
    ]


@router.get("/landcover/legend", summary="土地覆盖图例（三调一级类）")
async def landcover_legend(_: ReaderDep) -> list[dict[str, Any]]:
    """Pixel value, class name and colour of every land-cover class drawn on the map."""
    return [{"value": c.value, "name": c.name, "colour": c.colour} for c in LANDCOVER_CLASSES]


@router.get(
    "/landcover/nonfarm", summary="耕地非农化筛查：非耕地覆盖比例超过阈值的耕地图斑（候选清单）"
)
async def nonfarm(
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    threshold: Annotated[
        float, Query(ge=0, lt=1, description="非耕地覆盖比例阈值（0–1），超过者列为候选")
    ] = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """Each 耕地 parcel's share of non-cropland cover in the land-cover raster (exact zonal
    statistics); parcels over ``threshold`` are candidates for a field check, never a verdict;
    parcels the raster covers for less than half are listed as 无法判定."""
    return await run_in_threadpool(nonfarm_screening, engine, settings, threshold)


Threshold = Annotated[
    float, Query(ge=0, lt=1, description="非耕地覆盖比例阈值（0–1），超过者列为候选")
]


@router.get(
    "/landcover/nonfarm.geojson",
    summary="耕地非农化候选图斑（GeoJSON，CGCS2000，供地图显示；候选，需实地核查）",
)
async def nonfarm_map(
    engine: EngineDep, settings: SettingsDep, _: ReaderDep, threshold: Threshold = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """The candidates of ``/landcover/nonfarm`` as GeoJSON features (BSM, 地类, 坐落, area and
    share of non-cropland cover), with the threshold, the parcels screened and the number of
    parcels not judged (无法判定)."""
    return await run_in_threadpool(nonfarm_geojson, engine, settings, threshold)


@router.get(
    "/landcover/nonfarm.xlsx",
    summary="耕地非农化候选清单（Excel）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "候选清单与无法判定的图斑"}},
)
async def nonfarm_xlsx(
    engine: EngineDep, settings: SettingsDep, _: ReaderDep, threshold: Threshold = DEFAULT_THRESHOLD
) -> Response:
    """The candidate list for the field check as an Excel workbook (candidates, then parcels
    the raster covers too little to judge; a second sheet states the threshold)."""
    result = await run_in_threadpool(nonfarm_screening, engine, settings, threshold)
    body = await run_in_threadpool(nonfarm_workbook, result)
    name = quote("耕地非农化候选.xlsx")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(body, media_type=XLSX, headers=headers)


@router.get(
    "/{kind}/tiles/{z}/{x}/{y}.png",
    summary="栅格底图瓦片（Web Mercator）",
    response_class=Response,
    responses=_PNG,
)
async def tile(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    kind: Annotated[str, Path(pattern=KIND_PATTERN, description="dem | landcover | ortho")],
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
) -> Response:
    """DEM as hillshade over colour relief, land cover in its legend's colours, orthophoto in
    true colour; transparent where the raster has no data. 404 when the kind is not loaded."""
    if x >= 2**z or y >= 2**z:
        return Response(status_code=404)
    status, png, headers = await serve_tile(
        engine, settings.var_dir, kind, z, x, y, request.headers.get("if-none-match")
    )
    if status == 304:
        return Response(status_code=304, headers=headers)
    return Response(png, media_type="image/png", headers=headers)
