"""`/api/layers`: the layer registry for the map, whole-layer GeoJSON, and file downloads."""

import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep, SettingsDep
from api.ogc import PREFIX, TILE_MATRIX_SET, collection_id
from etl.aliases import FIELD_ALIASES
from layers.export import FORMATS, SHP_ENCODINGS, export_layer, layer_geojson
from layers.registry import SPATIAL_LAYERS

router = APIRouter(prefix="/api/layers", tags=["layers"])


class LayerLinks(BaseModel):
    geojson: str | None
    tiles: str
    ogc_items: str
    export: str


class LayerInfo(BaseModel):
    key: str
    name: str
    table: str
    geometry_type: str
    protected: bool
    delivery: str
    label_field: str | None
    style: dict[str, Any]
    collection: str
    links: LayerLinks


def _info(request: Request, key: str) -> LayerInfo:
    spec = SPATIAL_LAYERS[key]
    base = str(request.base_url).rstrip("/")
    collection = collection_id(spec.table)
    ogc = f"{base}{PREFIX}/collections/{collection}"
    return LayerInfo(
        key=key,
        name=spec.name_zh,
        table=spec.table,
        geometry_type=spec.geometry_type or "",
        protected=spec.protected,
        delivery=spec.delivery,
        label_field=spec.label_field,
        style=dict(spec.style),
        collection=collection,
        links=LayerLinks(
            geojson=f"{base}/api/layers/{key}.geojson" if spec.delivery == "geojson" else None,
            tiles=f"{ogc}/tiles/{TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
            ogc_items=f"{ogc}/items",
            export=f"{base}/api/layers/{key}/export?format=gpkg",
        ),
    )


@router.get("", response_model=list[LayerInfo], summary="图层目录（样式、GeoJSON 与瓦片地址）")
def list_layers(request: Request, _: ReaderDep) -> list[LayerInfo]:
    """Every map layer of the registry with its style and the URLs the map and QGIS use.

    ``delivery`` tells the map how to fetch it: ``geojson`` (small layers, whole) or
    ``tiles`` (big layers, MVT from ``/ogc``).
    """
    return [_info(request, key) for key in SPATIAL_LAYERS]


@router.get(
    "/{key}.geojson",
    summary="整图层 GeoJSON（EPSG:4490，适用于小图层）",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def layer_as_geojson(
    key: str, engine: EngineDep, settings: SettingsDep, _: ReaderDep
) -> Response:
    """The whole layer as a FeatureCollection built in PostGIS, coordinates in EPSG:4490.

    Layers with more than ``WATERSHED_GEOJSON_MAX_FEATURES`` features are refused (use tiles).
    """
    body = await run_in_threadpool(layer_geojson, engine, key, settings.geojson_max_features)
    return Response(body, media_type="application/geo+json")


def standard_names(key: str) -> dict[str, str]:
    """Each column's standard bureau name (its first alias: ``BSM``, ``DLBM``, ``HXMC``…),
    for rows whose load recorded no file field names."""
    return {column: aliases[0] for column, aliases in FIELD_ALIASES.get(key, {}).items()}


@router.get(
    "/{key}/export",
    summary="下载图层文件（GeoPackage / Shapefile / GeoJSON，EPSG:4490，原字段名）",
    response_class=FileResponse,
    responses={200: {"content": {f.media_type: {} for f in FORMATS.values()}}},
)
async def export(
    key: str,
    engine: EngineDep,
    _: ReaderDep,
    format: Literal["gpkg", "shp", "geojson"] = "gpkg",
    encoding: Annotated[
        Literal[tuple(SHP_ENCODINGS)],  # type: ignore[valid-type]
        Query(description="Shapefile 的编码：UTF-8 或 GBK（写入 .cpg）"),
    ] = "UTF-8",
    names: Annotated[
        Literal["bureau", "platform"],
        Query(description="bureau：导入文件的原字段名与字段；platform：平台的表结构"),
    ] = "bureau",
) -> FileResponse:
    """The layer as a file in CGCS2000 (EPSG:4490, declared in the file): the bureau's field
    names and fields as loaded (``BSM``, ``DLBM``, ``ZLDWMC``…), a shapefile zipped with its
    ``.cpg`` in the chosen encoding, a GeoPackage GDAL 3.6 reads without warnings."""
    directory = Path(tempfile.mkdtemp(prefix="watershed-export-"))
    try:
        path = await run_in_threadpool(
            partial(
                export_layer,
                engine,
                key,
                format,
                directory,
                names=names,
                encoding=encoding,
                default_names=standard_names(key),
            )
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=FORMATS[format].media_type,
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, directory, ignore_errors=True),
    )
