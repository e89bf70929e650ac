"""`/api/overlap`: red-line overlap reports (红线压占分析) for proposed projects.

The outline comes as a GeoJSON body or as an uploaded file (zipped shapefile, GeoPackage,
KML, GeoJSON) read by the ETL's readers with the same CRS and encoding detection as a load.
``?save=true`` keeps the outline and its report as a project record (role analyst), always
拟建: a what-if never counts as occupation. Saved checks are listed, opened, renamed and
deleted here (:mod:`api.saved_reports` says who may).
"""

import json
import pathlib
import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from geoalchemy2.shape import from_shape
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.audit import record, sha256_of
from api.auth import CallerDep, Principal, ensure_role
from api.deps import EngineDep, SettingsDep
from api.saved_reports import delete_report, get_report, list_reports, rename_report
from api.schemas import OverlapReport, ProjectSummary
from api.uploads import form_file, multipart_file_schema
from etl.archive import ArchiveLimits
from etl.readers import read_vector
from gis.compliance import PROJECT_STATUSES
from gis.crs import CGCS2000
from gis.errors import InvalidInputError
from layers.db import session_scope
from layers.models import Project
from layers.overlap import overlap_report, report_document, report_json
from layers.project_geometry import ProjectGeometry, from_geojson, parse_crs, prepare
from layers.settings import Settings

router = APIRouter(prefix="/api/overlap", tags=["overlap"])

_EXAMPLE = {
    "type": "Feature",
    "properties": {"name": "示例项目"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[113.36, 31.70], [113.37, 31.70], [113.37, 31.71], [113.36, 31.71], [113.36, 31.70]]
        ],
    },
}
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "项目范围：GeoJSON（几何、Feature 或 FeatureCollection），或上传文件。",
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "GeoJSON object"},
                "example": _EXAMPLE,
            },
            "multipart/form-data": multipart_file_schema("zip（shapefile）、gpkg、kml、geojson"),
        },
    }
}
_JSON_TYPES = ("application/json", "application/geo+json", "")
NAME_FIELDS = ("XMMC", "项目名称", "name", "名称", "MC")


def _reject_constant(name: str) -> None:
    raise InvalidInputError(f"GeoJSON 中出现非法数值 {name} (NaN/Infinity are not JSON).")


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: also a >4300-digit number
        raise InvalidInputError(
            f"请求体不是合法的 JSON：{exc} (malformed JSON).",
            hint="请提交 GeoJSON（UTF-8），或以 multipart/form-data 上传文件。",
        ) from None
    except RecursionError:
        raise InvalidInputError("JSON 嵌套过深 (JSON nested too deeply).") from None


def _from_upload(
    path: pathlib.Path, settings: Settings, crs: str | None, gcj02: bool
) -> ProjectGeometry:
    data = read_vector(
        path,
        crs=parse_crs(crs) if crs else None,
        limits=ArchiveLimits.for_overlap(settings),
    )
    project = prepare(
        list(data.frame.geometry.values),
        epsg=data.crs.epsg,
        gcj02=gcj02,
        max_vertices=settings.max_vertices,
    )
    notes = (f"坐标系：{data.crs.reason}", *data.crs.warnings, *data.warnings, *project.notes)
    return ProjectGeometry(
        project.geom, project.source_epsg, gcj02, project.repaired, notes, _file_name(data.frame)
    )


def _file_name(frame) -> str | None:
    """The project's name from a one-feature file's name field (XMMC, 项目名称, name …)."""
    columns = {str(c).casefold(): c for c in frame.columns}
    for key in NAME_FIELDS:
        column = columns.get(key.casefold())
        if column is not None and len(frame) == 1 and frame[column].notna().all():
            return str(frame[column].iloc[0])[:200]
    return None


async def _read_upload(
    request: Request, settings: Settings, crs: str | None, gcj02: bool
) -> tuple[ProjectGeometry, str]:
    name, content = await form_file(request)
    with tempfile.TemporaryDirectory(prefix="watershed-overlap-") as folder:
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        project = await run_in_threadpool(_from_upload, path, settings, crs, gcj02)
    return project, sha256_of(content)


async def _project(
    request: Request, settings: Settings, crs: str | None, gcj02: bool
) -> tuple[ProjectGeometry, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return await _read_upload(request, settings, crs, gcj02)
    if media not in _JSON_TYPES:
        raise HTTPException(
            415,
            detail=f"不支持的内容类型 {media[:60]} (unsupported media type)："
            "请提交 GeoJSON（application/json）或 multipart/form-data 文件。",
        )
    body = await request.body()
    obj = _parse_json(body)
    project = from_geojson(obj, crs=crs, gcj02=gcj02, max_vertices=settings.max_vertices)
    return project, sha256_of(body)


def _save(
    engine: Engine,
    caller: Principal,
    project: ProjectGeometry,
    report: dict,
    name: str,
    digest: str,
) -> dict[str, Any]:
    report = report_document(report)
    with session_scope(engine) as session:
        row = Project(
            name=name,
            kind="拟建项目",
            # a what-if is always 拟建: it never counts as occupation in the list; only
            # projects loaded from the bureau's register can be 已批/在建/已建
            status=PROJECT_STATUSES[0],
            submitted_by=caller.name,
            report=report,
            geom=from_shape(project.geom, srid=CGCS2000),
        )
        session.add(row)
        session.flush()
        report = {**report, "id": row.id, "project_name": name}
        row.report = report
        record(
            session,
            caller,
            "overlap.save",
            f"projects/{row.id}",
            source_sha256=digest,
            detail={"verdict": report["verdict"]["status"]},
        )
    return report


@router.post(
    "",
    response_model=OverlapReport,
    summary="红线压占分析（项目范围与各保护图层叠加）",
    openapi_extra=_BODY_DOC,
    responses={413: {"description": "上传内容过大"}, 415: {"description": "内容类型不支持"}},
)
async def overlap(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    crs: Annotated[
        str | None,
        Query(
            max_length=80, description="输入坐标系（覆盖 GeoJSON 的 crs 成员），如 4490、EPSG:4526"
        ),
    ] = None,
    gcj02: Annotated[
        bool, Query(description="输入为 GCJ-02（高德等互联网地图坐标），先纠偏")
    ] = False,
    save: Annotated[bool, Query(description="保存为项目记录（需 analyst 及以上角色）")] = False,
    name: Annotated[str | None, Query(max_length=200, description="保存时的项目名称")] = None,
) -> Response:
    """For each protected layer of the registry (生态保护红线, 永久基本农田, 耕地, 饮用水水源
    保护区, 城镇开发边界 …): the overlapping area in m² and 亩 (ellipsoidal, CGCS2000), its
    share of the project, the features touched and the intersection geometry (GeoJSON in
    EPSG:4490); and the overall verdict (冲突 / 需审查 / 不涉及). Self-intersecting outlines
    are repaired and the repair is reported under ``input.notes``."""
    if save:
        ensure_role(caller, "analyst")
    elif settings.read_requires_token:
        ensure_role(caller, "viewer")
    project, digest = await _project(request, settings, crs, gcj02)
    report = await run_in_threadpool(overlap_report, engine, project)
    if save:
        title = name or project.name or "未命名项目"
        report = await run_in_threadpool(_save, engine, caller, project, report, title, digest)
    # Written by orjson with the database's GeoJSON as it came: no re-validation of a report
    # this module built (``response_model`` still documents it in OpenAPI).
    return Response(report_json(report), media_type="application/json")


@router.get("", response_model=list[ProjectSummary], summary="已保存的红线核查列表")
def saved_projects(engine: EngineDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Saved checks, newest first, with their verdicts: an analyst's or editor's own (by the
    token's name), an admin's everyone's; a viewer has none to see (403)."""
    return list_reports(engine, caller)


def saved_report(engine: Engine, project_id: int, caller: Principal) -> dict[str, Any]:
    return get_report(engine, caller, project_id)


ProjectId = Annotated[int, Path(ge=1, le=2**31 - 1, description="项目编号")]


class Rename(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="新的项目名称")


@router.get("/{project_id}", response_model=OverlapReport, summary="打开已保存的红线核查")
def saved(project_id: ProjectId, engine: EngineDep, caller: CallerDep) -> dict[str, Any]:
    """The report as it was saved (figures of the day it was checked)."""
    return saved_report(engine, project_id, caller)


@router.patch("/{project_id}", summary="重命名已保存的红线核查")
def rename(project_id: ProjectId, body: Rename, engine: EngineDep, caller: CallerDep) -> dict:
    """Rename a saved check (own, or any for an admin); audited as ``overlap.rename``."""
    return rename_report(engine, caller, project_id, body.name)


@router.delete("/{project_id}", status_code=204, summary="删除已保存的红线核查")
def remove(project_id: ProjectId, engine: EngineDep, caller: CallerDep) -> Response:
    """Delete a saved check (own, or any for an admin); audited as ``overlap.delete``. Saved
    checks are 拟建, so no figure of the list moves."""
    delete_report(engine, caller, project_id)
    return Response(status_code=204)
