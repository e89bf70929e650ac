"""`GET /api/health`: is the database there, which versions, is data loaded."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import EngineDep
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


@router.get("/health", response_model=Health, summary="服务与数据库状态")
def health(engine: EngineDep) -> Health:
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


@router.get("/health/live", summary="进程存活检查（不访问数据库）")
async def live() -> dict[str, str]:
    """Liveness for a supervisor or load balancer: answers as long as the process serves,
    without touching the database (``/api/health`` is the readiness check). The benchmarks
    time it as the HTTP floor every request pays."""
    return {"status": "ok"}
