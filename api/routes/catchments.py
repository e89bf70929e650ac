"""`/api/catchments`: sections' catchments from the DEM and their upstream/downstream tree (集水区).

Computed by ``watershed raster catchments`` (:mod:`layers.catchments`); read here. A section
too far from any river has no geometry and says why (``reason``).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep
from api.params import SectionPeriodQuery
from gis.errors import NotFoundError
from layers.catchments import attribution, catchment_rows, upstream_verdicts

router = APIRouter(prefix="/api/catchments", tags=["catchments"])


@router.get("", summary="各监测断面的集水区面积与上下游关系")
async def list_catchments(engine: EngineDep, _: ReaderDep) -> list[dict[str, Any]]:
    """Per section: downstream section, upstream sections, catchment and incremental catchment
    areas (km², ellipsoidal), snapping distance to the river, or the reason it has none."""
    return await run_in_threadpool(catchment_rows, engine)


@router.get("/{code}", summary="一个断面的集水区与区间集水区（GeoJSON，CGCS2000）")
async def catchment(
    code: Annotated[str, Path(max_length=32, description="断面编码")],
    engine: EngineDep,
    _: ReaderDep,
) -> dict[str, Any]:
    """The section's row with its catchment and incremental catchment as GeoJSON geometries."""
    rows = await run_in_threadpool(catchment_rows, engine, code, True)
    if not rows:
        raise NotFoundError(
            f"断面 {code} 没有集水区记录（no catchment）。",
            hint="先导入 DEM，再运行 watershed raster catchments。",
        )
    return rows[0]


@router.get(
    "/{code}/attribution", summary="断面集水区溯源：耕地、建设用地、林地、生态红线、水源地、水库"
)
async def catchment_attribution(
    code: Annotated[str, Path(max_length=32, description="断面编码")],
    engine: EngineDep,
    _: ReaderDep,
) -> dict[str, Any]:
    """For the catchment and the incremental catchment: the area (m²) and, for 耕地
    (0101–0103), 建设用地 (三大类), 林地 (03), 生态保护红线 and water-source protection zones,
    the area in m² and 亩 and its share; the reservoirs inside; the upstream sections."""
    return await run_in_threadpool(attribution, engine, code)


@router.get("/{code}/upstream", summary="上游断面水质类别：不达标断面的问题河段夹在哪两组断面之间")
async def upstream(
    code: Annotated[str, Path(max_length=32, description="断面编码")],
    engine: EngineDep,
    _: ReaderDep,
    period: SectionPeriodQuery = None,
) -> dict[str, Any]:
    """The section's verdict and those of all upstream sections for the same period, nearest
    first; for a failing section, the upstream sections that fail too, those that pass, and
    those that cannot be judged (数据不足/无数据)."""
    return await run_in_threadpool(upstream_verdicts, engine, code, period)
