"""`/api/reservoirs`: reservoir read models beyond the layer itself (trophic state)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.auth import ReaderDep
from api.deps import EngineDep
from api.params import PERIOD_PATTERN
from api.responses import ReservoirTrophic
from layers.monitoring import reservoir_trophic

router = APIRouter(prefix="/api/reservoirs", tags=["reservoirs"])


@router.get(
    "/{code}/trophic",
    response_model=ReservoirTrophic,
    response_model_exclude_unset=True,
    summary="水库综合营养状态指数 TLI(Σ)",
)
async def trophic(
    code: Annotated[str, Path(max_length=32, description="水库编码")],
    engine: EngineDep,
    _: ReaderDep,
    period: Annotated[
        str | None,
        Query(
            pattern=PERIOD_PATTERN,
            description="时段：2025、2025-Q2 或 2025-06；缺省为最近有数据的年份",
        ),
    ] = None,
) -> dict:
    """TLI(Σ) from the period means of chla, TP, TN, SD and CODMn at the reservoir's lake
    sections (weights renormalised over what was measured) and its grade (贫营养 … 重度富营养);
    ``index`` is null when nothing was measured in the period; an index from fewer than the five
    parameters has ``complete`` false, ``flag`` 参数不全 and the ``missing`` ones named."""
    return await run_in_threadpool(reservoir_trophic, engine, code, period)
