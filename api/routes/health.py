"""Health: an open liveness probe, an open readiness probe, and the detail behind a token.

``/api/health/live`` and ``/api/health/ready`` answer anyone (a supervisor, a load balancer,
Docker's HEALTHCHECK) and say nothing but ok / not ready. ``/api/health`` — versions, schema
revision, row counts — is reconnaissance for an attacker, so it needs a token (any role).
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from api.auth import ViewerDep
from api.deps import EngineDep
from api.errors import outage_response
from layers import migrate
from layers.db import server_info
from layers.registry import SPATIAL_LAYERS

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: str
    postgres: str
    postgis: str | None
    schema_revision: str | None
    features: dict[str, int]


@router.get("/health", response_model=Health, summary="服务与数据库状态（需令牌）")
def health(engine: EngineDep, _: ViewerDep) -> Health:
    info = server_info(engine)
    revision = migrate.current_revision(engine)
    counts: dict[str, int] = {}
    if revision:
        # Planner estimates: instant on big tables, exact enough to say "data loaded".
        sql = text(
            "SELECT c.relname, GREATEST(c.reltuples, 0)::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname = ANY(:tables)"
        )
        tables = [spec.table for spec in SPATIAL_LAYERS.values()]
        with engine.connect() as conn:
            estimates = dict(conn.execute(sql, {"tables": tables}).all())
        counts = {key: int(estimates.get(spec.table, 0)) for key, spec in SPATIAL_LAYERS.items()}
    return Health(
        status="ok" if info.postgis and revision else "degraded",
        postgres=info.postgres,
        postgis=info.postgis,
        schema_revision=revision,
        features=counts,
    )


@router.get("/health/live", summary="进程存活检查（不访问数据库，无需令牌）")
async def live() -> dict[str, str]:
    """Liveness for a supervisor or load balancer: answers as long as the process serves,
    without touching the database. The benchmarks time it as the HTTP floor every request
    pays."""
    return {"status": "ok"}


def _ready(engine) -> bool:
    return migrate.current_revision(engine) is not None


@router.get(
    "/health/ready",
    summary="就绪检查：数据库可用且已迁移（无需令牌）",
    responses={503: {"description": "数据库不可用或未迁移"}},
)
async def ready(engine: EngineDep) -> JSONResponse:
    """Readiness: 200 when the database answers and holds the schema, else 503 with
    Retry-After. Nothing else (no versions, no counts)."""
    if not await run_in_threadpool(_ready, engine):
        return outage_response()
    return JSONResponse({"status": "ok"})
