"""`/api/records`: inspection records (巡查记录) from field tablets, with photos.

Ids are generated on the device (UUIDs), so a record or photo sent again after a lost answer
is the same row, never a second one. Writing needs the analyst role or higher (field teams'
tokens; a viewer only reads), closing a record the editor role. Every write is audited
(``record.create``, ``record.update``, ``record.conflict``, ``record.close``, ``record.photo``).
The conflict rule for a record edited on two devices: :mod:`gis.records`, docs/rules-records.md.
"""

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import inspection_records as service
from api.auth import AnalystDep, EditorDep, ReaderDep
from api.deps import EngineDep
from api.uploads import form_file, multipart_file_schema
from gis.errors import InvalidInputError
from gis.records import KINDS
from layers.records import PAGE_DEFAULT, PAGE_MAX

router = APIRouter(prefix="/api/records", tags=["records"])

RecordId = Annotated[UUID, Path(description="记录编号（设备生成的 UUID）")]
PhotoId = Annotated[UUID, Path(description="照片编号（设备生成的 UUID）")]


class RecordIn(BaseModel):
    """A record as the device holds it; ``base_version``: the version this edit started from
    (none for the device's first copy)."""

    kind: Literal[KINDS] = Field(description="类型")
    severity: Literal["low", "medium", "high"] = Field(description="严重程度：一般/较重/严重")
    notes: str = Field(default="", max_length=2000, description="说明")
    lon: float = Field(ge=-180, le=180, description="经度（CGCS2000）")
    lat: float = Field(ge=-90, le=90, description="纬度（CGCS2000）")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, description="定位精度 m")
    located_by: Literal["gps", "map"] = Field(description="定位方式：gps 定位 / map 地图点选")
    observed_at: AwareDatetime = Field(description="发现时间（设备时间，带时区）")
    device_id: str | None = Field(default=None, max_length=64, description="设备编号")
    base_version: int | None = Field(default=None, ge=1, description="本次修改所基于的版本")


class Saved(BaseModel):
    outcome: Literal["created", "updated", "conflict", "unchanged"]
    version: int
    applied: list[str]
    conflicts: list[str]
    record: dict[str, Any]


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="关闭说明")


class PhotoSaved(BaseModel):
    outcome: Literal["created", "unchanged"]
    id: str
    sha256: str


@router.put("/{record_id}", response_model=Saved, summary="新建或修改巡查记录（按设备编号幂等）")
def save_record(
    record_id: RecordId, body: RecordIn, engine: EngineDep, caller: AnalystDep, response: Response
) -> dict:
    """Create the record, or apply an edit; a repeat of the same request changes nothing.
    201 when created. A stale edit is merged; ``conflicts`` names the fields where the
    server's value was kept (the losing version is in the record's history)."""
    values = body.model_dump(exclude={"base_version"})
    values["lon"], values["lat"] = round(body.lon, 7), round(body.lat, 7)
    result = service.save(engine, caller, record_id, values, body.base_version)
    if result["outcome"] == "created":
        response.status_code = 201
    return {**result, "record": service.one(engine, record_id)}


@router.post("/{record_id}/close", summary="关闭巡查记录并填写说明（editor）")
def close_record(record_id: RecordId, body: CloseIn, engine: EngineDep, caller: EditorDep) -> dict:
    result = service.close(engine, caller, record_id, body.note)
    return {**result, "record": service.one(engine, record_id)}


@router.put(
    "/{record_id}/photos/{photo_id}",
    response_model=PhotoSaved,
    summary="上传巡查照片（JPEG/PNG/WebP，≤10 MB，按照片编号幂等）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": multipart_file_schema("照片")},
        }
    },
)
async def upload_photo(
    record_id: RecordId,
    photo_id: PhotoId,
    request: Request,
    engine: EngineDep,
    caller: AnalystDep,
    response: Response,
) -> dict:
    """Checked by decoding it (the type a client claims is not trusted); EXIF time and
    position kept. The same photo id with the same bytes again changes nothing (200)."""
    _, data = await form_file(request)
    result = await run_in_threadpool(service.add_photo, engine, caller, record_id, photo_id, data)
    if result["outcome"] == "created":
        response.status_code = 201
    return result


@router.get("/{record_id}/photos/{photo_id}", summary="巡查照片原件")
def get_photo(record_id: RecordId, photo_id: PhotoId, engine: EngineDep, _: ReaderDep) -> Response:
    data, content_type, sha256 = service.photo(engine, record_id, photo_id)
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"}
    return Response(data, media_type=content_type, headers=headers)


@router.get("", summary="巡查记录（GeoJSON，CGCS2000），可按类型、状态、日期、范围筛选，分页")
def list_records(
    request: Request,
    engine: EngineDep,
    _: ReaderDep,
    kind: Annotated[Literal[KINDS] | None, Query(description="类型")] = None,
    status: Annotated[Literal["open", "closed"] | None, Query(description="状态")] = None,
    date_from: Annotated[dt.date | None, Query(alias="from", description="发现日期起")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="发现日期止（含）")] = None,
    bbox: Annotated[
        str | None, Query(max_length=100, description="范围：最小经度,最小纬度,最大经度,最大纬度")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=PAGE_MAX, description=f"每页条数（至多 {PAGE_MAX}）")
    ] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="跳过的条数")] = 0,
) -> dict:
    """Newest observation first; dates are China days (Asia/Shanghai), both ends included.
    One page at a time: ``numberMatched`` is how many match, and a ``next`` link gives the
    following page while there is one (as OGC API Features pages)."""
    box = _bbox(bbox)
    page = service.feature_collection(
        engine,
        kind=kind,
        status=status,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
        **box,
    )
    links = []
    if offset + page["numberReturned"] < page["numberMatched"]:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"rel": "next", "type": "application/geo+json", "href": str(following)})
    return {**page, "links": links}


@router.get("/{record_id}", summary="一条巡查记录及其历史版本（含冲突中未采用的版本）")
def get_record(record_id: RecordId, engine: EngineDep, _: ReaderDep) -> dict:
    return service.one(engine, record_id)


def _bbox(text: str | None) -> dict[str, float]:
    if text is None:
        return {}
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInputError(
            f"范围参数 bbox 无效：{text[:60]!r} (bad bbox).",
            hint="格式：最小经度,最小纬度,最大经度,最大纬度，如 113.2,31.6,113.5,31.9",
        ) from None
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise InvalidInputError(f"范围参数 bbox 超出经纬度范围：{text[:60]!r} (bad bbox).")
    return {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}
