"""`/api/here`: every layer's features at a point (a tap on the map, or one's position)."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep
from layers.here import MAX_TOLERANCE_M, TOLERANCE_M, features_here

router = APIRouter(prefix="/api/here", tags=["layers"])


class HereHit(BaseModel):
    layer: str = Field(description="图层键")
    layer_name: str = Field(description="图层中文名")
    id: int = Field(description="要素 id（仅供地图高亮，不给人看）")
    code: str | None = Field(description="要素编码（BSM、红线编码、断面编码…）")
    name: str | None = Field(description="名称")
    location: str | None = Field(description="坐落")
    distance_m: float = Field(description="与该点的椭球距离（米）；面要素内为 0")
    properties: dict[str, Any] = Field(description="弹窗字段")


class HereAnswer(BaseModel):
    lon: float
    lat: float
    tolerance_m: float
    hits: list[HereHit] = Field(description="此处的要素，按图层顺序（上层在前）")
    without_data: list[str] = Field(description="没有任何数据的图层（无数据，无法判断此处）")


@router.get("", response_model=HereAnswer, summary="某点处各图层的要素")
async def here(
    engine: EngineDep,
    _: ReaderDep,
    lon: Annotated[float, Query(ge=-180, le=180, description="经度（CGCS2000）")],
    lat: Annotated[float, Query(ge=-85, le=85, description="纬度（CGCS2000）")],
    tolerance_m: Annotated[
        float, Query(ge=0, le=MAX_TOLERANCE_M, description="点、线要素的查找半径（米）")
    ] = TOLERANCE_M,
) -> dict:
    """Every feature of every spatial layer at the point, not only the one drawn on top:
    areas that contain it (edges included), points and lines within ``tolerance_m`` metres.
    Layers with no data at all are listed in ``without_data``."""
    return asdict(await run_in_threadpool(features_here, engine, lon, lat, tolerance_m))
