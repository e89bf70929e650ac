"""Domain errors mapped to HTTP statuses: one table, handlers registered in one loop."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from gis.errors import (
    BaselineError,
    CrsError,
    DatabaseUnavailableError,
    EncodingError,
    InvalidInputError,
    NotFoundError,
    WatershedError,
)

STATUS_BY_ERROR: dict[type[WatershedError], int] = {
    NotFoundError: 404,
    CrsError: 422,
    EncodingError: 422,
    BaselineError: 422,
    InvalidInputError: 422,
    DatabaseUnavailableError: 503,
    WatershedError: 400,
}


def _handler(status: int):
    async def handle(request: Request, exc: WatershedError) -> JSONResponse:
        body = {"detail": exc.message, "type": type(exc).__name__}
        if exc.hint:
            body["hint"] = exc.hint
        return JSONResponse(status_code=status, content=body)

    return handle


async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    """A connection the server dropped (restart, failover) answers 503, not 500: SQLAlchemy has
    already discarded the pool's stale connections, so trying again reconnects."""
    if not exc.connection_invalidated:
        raise exc
    body = {
        "detail": "与数据库的连接已中断 (database connection lost).",
        "type": "DatabaseUnavailableError",
        "hint": "数据库可能刚重启，请稍后重试。",
    }
    return JSONResponse(status_code=503, content=body, headers={"Retry-After": "1"})


def register_error_handlers(app: FastAPI) -> None:
    for error, status in STATUS_BY_ERROR.items():
        app.add_exception_handler(error, _handler(status))
    app.add_exception_handler(DBAPIError, _database_error)
