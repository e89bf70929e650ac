"""`/api/ingest`: upload a layer file or a samples sheet through the ETL loader (数据导入).

Role editor. The upload keeps its file name, because the loader keys a load by it: sending
the same file again replaces the rows it brought. The loader runs in one transaction; a
refused file leaves the layer as it was. Every attempt is written to the audit log.
"""

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from api.auth import EditorDep, ReaderDep
from api.deps import EngineDep, SettingsDep
from api.evaluations import warm_checks
from api.responses import LoadRecord, LoadReport
from api.services.ingest import ingest_raster_upload, ingest_upload, list_loads
from api.uploads import form_file, multipart_file_schema
from gis.crs import parse_crs
from gis.rasters import KIND_PATTERN as RASTER_KIND_PATTERN
from layers.registry import get_layer

router = APIRouter(prefix="/api/ingest", tags=["ingest"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": multipart_file_schema(
                "图层：zip（shapefile）、shp、gpkg、geojson、kml、kmz；水质：csv、xlsx"
            )
        },
    }
}


@router.post(
    "/{layer}",
    response_model=LoadReport,
    summary="上传并导入图层文件或水质监测数据（需 editor 角色）",
    openapi_extra=_BODY_DOC,
    responses={413: {"description": "上传内容过大"}},
)
async def ingest(
    layer: str,
    request: Request,
    background: BackgroundTasks,
    engine: EngineDep,
    settings: SettingsDep,
    editor: EditorDep,
    crs: Annotated[str | None, Query(max_length=80, description="坐标系 EPSG，覆盖 .prj")] = None,
    encoding: Annotated[
        str | None,
        Query(max_length=20, pattern=r"^[A-Za-z0-9_-]+$", description="属性表编码，如 gb18030"),
    ] = None,
    gcj02: Annotated[bool, Query(description="输入为 GCJ-02（高德/火星坐标），纠偏后入库")] = False,
    sublayer: Annotated[
        str | None,
        Query(
            max_length=100, description="GeoPackage/KML 图层、zip 中的 shapefile 名或 Excel 工作表"
        ),
    ] = None,
) -> dict:
    """Load one file into one layer (``samples`` for a CSV/XLSX of water-quality results)
    and return the loader's report: features read, loaded, repaired, dropped and replaced,
    the CRS and encoding detected and why, the loaded area (m², 亩), warnings."""
    spec = get_layer(layer)
    epsg = parse_crs(crs) if crs else None
    name, content = await form_file(request)
    report = await run_in_threadpool(
        ingest_upload,
        engine,
        settings,
        editor,
        spec,
        name,
        content,
        crs=epsg,
        encoding=encoding,
        gcj02=gcj02,
        sublayer=sublayer,
    )
    background.add_task(warm_checks, engine, settings)  # after the response: the map's next view
    return report.to_dict()


_RASTER_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": multipart_file_schema("GeoTIFF（.tif/.tiff）")},
    }
}


@router.post(
    "/raster/{kind}",
    summary="上传并登记栅格：DEM、土地覆盖或正射影像（需 editor 角色）",
    openapi_extra=_RASTER_BODY_DOC,
    responses={413: {"description": "上传内容过大"}},
)
async def ingest_raster(
    kind: Annotated[
        str, PathParam(pattern=RASTER_KIND_PATTERN, description="dem | landcover | ortho")
    ],
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    editor: EditorDep,
    crs: Annotated[
        str | None, Query(max_length=80, description="坐标系 EPSG，覆盖文件中的")
    ] = None,
    as_of: Annotated[dt.date | None, Query(description="数据时点，如 2024-06-30")] = None,
) -> dict[str, Any]:
    """Check a GeoTIFF, write it as a Cloud-Optimized GeoTIFF and register it as the ``kind``
    raster, replacing the one before; returns the report (CRS and why, resolution, size, value
    range, extent, share of the district covered, COG size). The body is bounded by
    ``WATERSHED_MAX_UPLOAD_MB`` and the pixels by :data:`etl.rasters.MAX_PIXELS`."""
    epsg = parse_crs(crs) if crs else None
    name, content = await form_file(request)
    report = await run_in_threadpool(
        partial(
            ingest_raster_upload,
            engine,
            settings,
            editor,
            kind,
            name,
            content,
            crs=epsg,
            as_of=as_of,
        )
    )
    return report.to_dict()


@router.get(
    "/loads",
    response_model=list[LoadRecord],
    response_model_exclude_unset=True,
    summary="数据导入记录（最近 100 次）",
)
def loads(
    engine: EngineDep,
    _: ReaderDep,
    layer: Annotated[str | None, Query(max_length=32, description="只看某一图层")] = None,
) -> list[dict]:
    """The latest loads with who loaded them and the loader's report."""
    return list_loads(engine, get_layer(layer) if layer is not None else None)
