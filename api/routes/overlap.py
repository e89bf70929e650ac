"""`/api/overlap`: red-line overlap reports (红线压占分析) for proposed projects.

The outline comes as a GeoJSON body or as an uploaded file (zipped shapefile, GeoPackage,
KML, GeoJSON, the ministry's 界址点 TXT, DXF) read by :mod:`etl.project_files` with the same
CRS and encoding detection as a load; a file of several plots gives per-plot results too.
``?save=true`` keeps the outline and its report as a saved check (role analyst; its own
table, never a project of the register: a what-if never counts as occupation and no layer
serves it). Saved checks are listed, opened, renamed and deleted here
(:mod:`api.saved_reports` says who may); the filed documents (page, PDF, Excel) of a saved or
an unsaved check come from here too.
"""

import json
import math
import pathlib
import re
import tempfile
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from geoalchemy2.shape import from_shape
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.audit import record, sha256_of
from api.auth import CallerDep, Principal, ensure_role
from api.deps import EngineDep, SettingsDep
from api.params import XLSX
from api.report_page import overlap_html
from api.report_pdf import overlap_pdf
from api.saved_reports import delete_report, get_report, list_reports, rename_report
from api.schemas import OverlapReport, ProjectSummary
from api.uploads import form_file, multipart_file_schema
from api.workbooks import overlap_workbook
from etl.archive import ArchiveLimits
from etl.project_files import read_project_file
from gis.crs import CGCS2000
from gis.errors import InvalidInputError, WatershedError
from layers.db import session_scope
from layers.models import SavedCheck
from layers.overlap import (
    DISPLAY_TOLERANCE_DEG,
    overlap_report,
    report_document,
    report_json,
    snap_vertices,
)
from layers.project_geometry import ProjectGeometry, from_geojson, parse_crs, with_plots
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
            "multipart/form-data": multipart_file_schema(
                "zip（shapefile）、gpkg、kml、kmz、geojson、界址点 txt（部标格式）、dxf"
            ),
        },
    }
}
_JSON_TYPES = ("application/json", "application/geo+json", "")


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
    try:
        found = read_project_file(
            path,
            crs=parse_crs(crs) if crs else None,
            limits=ArchiveLimits.for_overlap(settings),
        )
    except WatershedError as exc:
        raise for_the_browser(exc) from None
    return with_plots(
        found.plots,
        epsg=found.epsg,
        gcj02=gcj02,
        max_vertices=settings.max_vertices,
        name=found.name,
        notes=[web_text(note) for note in found.notes],
    )


WEB_CRS_HINT = (
    "请补上 .prj，或在地图“坐标选项 › 输入坐标系”中选择坐标系（接口参数 crs）："
    "EPSG:4490（CGCS2000 经纬度）、EPSG:4526（3度带 38 带，X 含带号）、"
    "EPSG:4547（3度带 中央经线 114°E，X 不含带号）。"
)
_CLI_CRS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"用 ?--crs (\d{4,5})", r"选 EPSG:\1"),
        (r"--crs (\d{4,5})", r"EPSG:\1"),
        (r"用 ?--crs ?指定", "在“输入坐标系”中选择"),
        (r"用 ?--crs", "在“输入坐标系”中选择"),
        (r"按 ?--crs ?指定", "按所选坐标系"),
        (r" ?--crs ?", "所选坐标系"),
    )
)


def web_text(text: str) -> str:
    """The readers speak of the CLI's ``--crs``; on the web the choice is the 输入坐标系 menu
    (the ``crs`` parameter for API callers)."""
    for pattern, replacement in _CLI_CRS:
        text = pattern.sub(replacement, text)
    return text


def for_the_browser(exc: WatershedError) -> WatershedError:
    """The error with its hint for the map and the API rather than the command line."""
    hint = exc.hint
    if hint and "--crs" in hint:
        hint = WEB_CRS_HINT
    return type(exc)(web_text(exc.message), hint=hint)


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
        row = SavedCheck(
            name=name,
            owner=caller.name,
            report=report,
            geom=from_shape(project.geom, srid=CGCS2000),
        )
        session.add(row)
        session.flush()
        report = {**report, "id": row.id, "project_name": name, "submitted_by": caller.name}
        row.report = report
        record(
            session,
            caller,
            "overlap.save",
            f"saved_checks/{row.id}",
            source_sha256=digest,
            detail={"verdict": report["verdict"]["status"]},
        )
    return report


CrsQuery = Annotated[
    str | None,
    Query(max_length=80, description="输入坐标系（覆盖 GeoJSON 的 crs 成员），如 4490、EPSG:4526"),
]
Gcj02Query = Annotated[bool, Query(description="输入为 GCJ-02（高德等互联网地图坐标），先纠偏")]
NameQuery = Annotated[str | None, Query(max_length=200, description="项目名称")]
GeometryQuery = Annotated[
    Literal["none", "display", "full"],
    Query(
        description="各图层重叠范围的几何：none 不返回（只给面积，最快最小）；display 供绘图的"
        f"简化轮廓（各图层重叠部分合并后按 {DISPLAY_TOLERANCE_DEG}° ≈ 0.5 m 简化）；full 逐要素"
        "的重叠块（6 位小数）。面积始终按精确重叠块量算，与此无关。"
    ),
]


async def _checked(
    request: Request,
    engine: Engine,
    settings: Settings,
    caller: Principal,
    crs: str | None,
    gcj02: bool,
    geometry: str = "display",
) -> tuple[ProjectGeometry, dict[str, Any], str]:
    project, digest = await _project(request, settings, crs, gcj02)
    report = await run_in_threadpool(overlap_report, engine, project, geometry)
    report["submitted_by"] = caller.name if caller.role else None
    return project, report, digest


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
    crs: CrsQuery = None,
    gcj02: Gcj02Query = False,
    save: Annotated[bool, Query(description="保存为项目记录（需 analyst 及以上角色）")] = False,
    name: Annotated[str | None, Query(max_length=200, description="保存时的项目名称")] = None,
    geometry: GeometryQuery = "none",
) -> Response:
    """For each protected layer of the registry (生态保护红线, 永久基本农田, 耕地, 饮用水水源
    保护区, 城镇开发边界 …): the overlapping area in m² and 亩 (ellipsoidal, CGCS2000), its
    share of the project, the features touched and, on request (``geometry``), the overlap's
    geometry (GeoJSON in EPSG:4490); and the overall verdict (冲突 / 需审查 / 不涉及).
    Self-intersecting outlines are repaired and the repair is reported under
    ``input.notes``. A saved check keeps at least the ``display`` drawing, so its documents
    and the map can draw it when it is opened again."""
    if save:
        ensure_role(caller, "analyst")
        geometry = "display" if geometry == "none" else geometry
    elif settings.read_requires_token:
        ensure_role(caller, "viewer")
    project, report, digest = await _checked(
        request, engine, settings, caller, crs, gcj02, geometry
    )
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


PDF = "application/pdf"
DOCUMENTS: dict[str, tuple[str, str]] = {
    "html": ("text/html; charset=utf-8", "打印版"),
    "pdf": (PDF, "PDF"),
    "xlsx": (XLSX, "Excel"),
}


def _document(report: dict[str, Any], fmt: str, stem: str) -> Response:
    """The report as a printable page, a PDF or a workbook (built off the event loop)."""
    body = {"html": lambda: overlap_html(report).encode(), "pdf": lambda: overlap_pdf(report)}.get(
        fmt, lambda: overlap_workbook(report)
    )()
    media_type = DOCUMENTS[fmt][0]
    headers = {}
    if fmt != "html":
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem)}.{fmt}"
    return Response(body, media_type=media_type, headers=headers)


@router.post(
    "/report.{fmt}",
    summary="红线压占分析报告（打印版 HTML / PDF / Excel），不保存",
    openapi_extra=_BODY_DOC,
    response_class=Response,
    responses={200: {"content": {"text/html": {}, PDF: {}, XLSX: {}}}},
)
async def report_document_of_check(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    fmt: Annotated[Literal["html", "pdf", "xlsx"], Path(description="html、pdf 或 xlsx")],
    crs: CrsQuery = None,
    gcj02: Gcj02Query = False,
    name: NameQuery = None,
) -> Response:
    """The report a land-use officer files, for any outline (the same body as ``POST
    /api/overlap``), checked afresh here so the document holds the server's figures, never a
    client's copy; nothing is saved, so a viewer may print one too."""
    if settings.read_requires_token:
        ensure_role(caller, "viewer")
    _, report, _ = await _checked(request, engine, settings, caller, crs, gcj02)
    report["project_name"] = name or report.get("project_name")
    report = report_document(report)
    document = await run_in_threadpool(_document, report, fmt, "红线压占分析报告")
    return document


@router.get("/vertices", summary="绘制吸附用的图斑与红线拐点（小范围）")
async def vertices(
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    bbox: Annotated[
        str, Query(max_length=120, description="西,南,东,北（EPSG:4490），宽高不超过 0.03°")
    ],
) -> dict[str, Any]:
    """Vertices of 地类图斑, 永久基本农田 and 生态保护红线 in a small view: the map snaps a
    drawn vertex to the nearest one within a few pixels at zoom 16 and closer."""
    if settings.read_requires_token:
        ensure_role(caller, "viewer")
    try:
        box = tuple(float(v) for v in bbox.split(","))
    except ValueError:
        box = ()
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise InvalidInputError("bbox 应为四个数：西,南,东,北 (bad bbox).")
    return await run_in_threadpool(snap_vertices, engine, box)


@router.get(
    "/{project_id}.pdf",
    summary="已保存核查的压占分析报告（PDF）",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}},
)
async def saved_pdf(project_id: ProjectId, engine: EngineDep, caller: CallerDep) -> Response:
    """A saved check's report as PDF (its owner or an admin), as the printable page shows it."""
    report = await run_in_threadpool(saved_report, engine, project_id, caller)
    return await run_in_threadpool(_document, report, "pdf", f"红线压占分析报告-{project_id}")


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
