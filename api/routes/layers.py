"""`/api/layers`: the layer registry for the map, whole-layer GeoJSON, and file downloads."""

import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep, SettingsDep
from api.ogc import PREFIX, TILE_MATRIX_SET, collection_id
from etl.provenance import DEMO_NOTE, demo_layers
from layers.export import FORMATS, export_layer, layer_geojson
from layers.registry import SPATIAL_LAYERS

router = APIRouter(prefix="/api/layers", tags=["layers"])


class LayerLinks(BaseModel):
    geojson: str | None
    tiles: str
    ogc_items: str
    export: str


class PopupFieldInfo(BaseModel):
    column: str
    label: str = Field(description="中文标签")
    format: str = Field(description="text / area_m2 / datetime")


class OverlapRuleInfo(BaseModel):
    severity: Literal["prohibited", "restricted", "informational"] = Field(
        description="压占分析中的分量：prohibited 禁止占用 / restricted 受限 / informational 仅提示"
    )
    advice: str = Field(description="压占时给出的管控要求")
    coverage: Literal["district", "features"] = Field(
        description="数据覆盖范围的依据：district 行政区界 / features 图层自身要素"
    )


class LayerInfo(BaseModel):
    """A layer's card (layers/registry.py) as the API shows it."""

    key: str
    name: str
    table: str
    geometry_type: str
    protected: bool
    delivery: str
    label_field: str | None
    code_field: str | None = Field(description="要素编码字段（BSM、SKBM、红线编码…）")
    location_field: str | None = Field(description="坐落字段")
    map_order: int | None = Field(description="图层控件中的顺序（小者在上）")
    popup_fields: list[PopupFieldInfo]
    overlap: OverlapRuleInfo | None = Field(description="受保护图层的压占规则；非保护图层为空")
    style: dict[str, Any]
    collection: str
    links: LayerLinks
    demo: bool = False  # the layer holds the synthetic demonstration dataset (示例数据)
    data_note: str | None = None  # then: what people must be told, in Chinese and English


def _info(request: Request, key: str, demo: bool = False) -> LayerInfo:
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
        code_field=spec.code_field,
        location_field=spec.location_field,
        map_order=spec.map_order,
        popup_fields=[PopupFieldInfo(**f._asdict()) for f in spec.popup_fields],
        overlap=OverlapRuleInfo(**asdict(spec.overlap)) if spec.overlap else None,
        style=dict(spec.style),
        collection=collection,
        links=LayerLinks(
            geojson=f"{base}/api/layers/{key}.geojson" if spec.delivery == "geojson" else None,
            tiles=f"{ogc}/tiles/{TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
            ogc_items=f"{ogc}/items",
            export=f"{base}/api/layers/{key}/export?format=gpkg",
        ),
        demo=demo,
        data_note=DEMO_NOTE if demo else None,
    )


@router.get("", response_model=list[LayerInfo], summary="图层目录（样式、GeoJSON 与瓦片地址）")
def list_layers(
    request: Request, engine: EngineDep, settings: SettingsDep, _: ReaderDep
) -> list[LayerInfo]:
    """Every map layer of the registry with its style and the URLs the map and QGIS use.

    ``delivery`` tells the map how to fetch it: ``geojson`` (small layers, whole) or
    ``tiles`` (big layers, MVT from ``/ogc``). ``demo`` marks a layer holding the synthetic
    demonstration dataset, with ``data_note`` saying so (示例数据).
    """
    demo = set(demo_layers(engine, settings.data_dir))
    return [_info(request, key, key in demo) for key in SPATIAL_LAYERS]


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


@router.get(
    "/{key}/export",
    summary="下载图层文件（GeoPackage / Shapefile / GeoJSON，EPSG:4490）",
    response_class=FileResponse,
    responses={200: {"content": {f.media_type: {} for f in FORMATS.values()}}},
)
async def export(
    key: str,
    engine: EngineDep,
    _: ReaderDep,
    format: Literal["gpkg", "shp", "geojson"] = "gpkg",
) -> FileResponse:
    """The layer as a file in CGCS2000 (EPSG:4490); a shapefile comes zipped with a UTF-8 .cpg."""
    directory = Path(tempfile.mkdtemp(prefix="watershed-export-"))
    try:
        path = await run_in_threadpool(export_layer, engine, key, format, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=FORMATS[format].media_type,
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, directory, ignore_errors=True),
    )
