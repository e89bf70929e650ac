"""`/api/ingest`: upload a layer file or a samples sheet through the ETL loader (数据导入).

Role editor. The upload keeps its file name, because the loader keys a load by it: sending
the same file again replaces the rows it brought. The loader runs in one transaction; a
refused file leaves the layer as it was. Every attempt is written to the audit log.
"""

import pathlib
import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.audit import record_failure, record_separately, sha256_of
from api.auth import EditorDep, ReaderDep
from api.deps import EngineDep, SettingsDep
from api.routes.checks import warm_checks
from api.uploads import form_file, multipart_file_schema
from etl.loader import load_file
from gis.errors import WatershedError
from layers.models import Load
from layers.project_geometry import parse_crs
from layers.registry import LAYERS, get_layer

router = APIRouter(prefix="/api/ingest", tags=["ingest"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": multipart_file_schema(
                "图层：zip（shapefile）、shp、gpkg、geojson、kml；水质：csv、xlsx"
            )
        },
    }
}


@router.post(
    "/{layer}",
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
) -> dict[str, Any]:
    """Load one file into one layer (``samples`` for a CSV/XLSX of water-quality results)
    and return the loader's report: features read, loaded, repaired, dropped and replaced,
    the CRS and encoding detected and why, the loaded area (m², 亩), warnings."""
    spec = get_layer(layer)
    epsg = parse_crs(crs) if crs else None
    name, content = await form_file(request)
    digest = sha256_of(content)
    target = f"layers/{spec.key}"
    with tempfile.TemporaryDirectory(prefix="watershed-ingest-") as folder:
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        try:
            report = await run_in_threadpool(
                load_file,
                engine,
                path,
                spec.key,
                crs=epsg,
                encoding=encoding,
                gcj02=gcj02,
                sublayer=sublayer,
                actor=editor.name,
                settings=settings,
            )
        except WatershedError as exc:
            detail = {"file": name, "refused": exc.message}
            await run_in_threadpool(
                record_separately,
                engine,
                editor,
                "ingest.refused",
                target,
                source_sha256=digest,
                detail=detail,
            )
            raise
        except Exception as exc:  # a 500 or an outage: the attempt is recorded all the same
            await run_in_threadpool(
                record_failure,
                engine,
                editor,
                "ingest.failed",
                target,
                exc,
                source_sha256=digest,
                detail={"file": name},
            )
            raise
    detail = {
        "file": name,
        "load_id": report.load_id,
        "loaded": report.loaded,
        "replaced": report.replaced,
        "replaced_load": (report.previous_load or {}).get("id"),
        "same_file": report.same_file,
    }
    await run_in_threadpool(
        record_separately, engine, editor, "ingest", target, source_sha256=digest, detail=detail
    )
    background.add_task(warm_checks, engine, settings)  # after the response: the map's next view
    return report.to_dict()


@router.get("/loads", summary="数据导入记录（最近 100 次）")
def loads(
    engine: EngineDep,
    _: ReaderDep,
    layer: Annotated[str | None, Query(max_length=32, description="只看某一图层")] = None,
) -> list[dict[str, Any]]:
    """The latest loads with who loaded them and the loader's report."""
    query = select(Load).order_by(Load.id.desc()).limit(100)
    if layer is not None:
        query = query.where(Load.layer == get_layer(layer).key)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "layer": r.layer,
            "layer_name": LAYERS[r.layer].name_zh if r.layer in LAYERS else r.layer,
            "source": r.source,
            "sha256": r.sha256,
            "loaded_at": r.loaded_at,
            "actor": r.actor,
            "report": r.report,
        }
        for r in rows
    ]
