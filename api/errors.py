"""Domain errors mapped to HTTP statuses: one table, handlers registered in one loop.

A database outage (the server stopped, restarting, unreachable, or a connection it dropped)
answers 503 with ``Retry-After`` on every route, the main API's and tipg's alike, with a
fixed body: never the driver's text, which names hosts, ports, users and SQL.
"""

import logging

import asyncpg.exceptions
import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis.errors import (
    BaselineError,
    ConflictError,
    CrsError,
    DatabaseUnavailableError,
    EncodingError,
    InvalidInputError,
    NotFoundError,
    TooLargeError,
    UnsupportedMediaError,
    WatershedError,
)

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[WatershedError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    TooLargeError: 413,
    UnsupportedMediaError: 415,
    CrsError: 422,
    EncodingError: 422,
    BaselineError: 422,
    InvalidInputError: 422,
    DatabaseUnavailableError: 503,
    WatershedError: 400,
}

#: Seconds a client should wait before trying again during an outage: a restart of the
#: embedded cluster takes 1–3 s, a compose restart a few more.
RETRY_AFTER = "5"

#: Errors that mean "no database", whichever driver saw them: psycopg (SQLAlchemy, the API)
#: and asyncpg (tipg, /ogc). asyncpg's server-side shutdown errors (57P01 admin shutdown,
#: 57P03 cannot connect now) are OperatorInterventionError; a refused or reset socket is a
#: ConnectionError before any driver class.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseUnavailableError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
    TimeoutError,
)

OUTAGE_BODY = {
    "detail": "数据库暂时不可用 (database unavailable).",
    "type": "DatabaseUnavailableError",
    "hint": "数据库可能正在重启或维护，请稍后重试。",
}
INTERNAL_BODY = {"detail": "服务器内部错误，已记录 (internal server error)."}


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` or anything it was raised from says the database is not there."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DBAPIError) and (
            exc.connection_invalidated or isinstance(exc.orig, OUTAGE_ERRORS)
        ):
            return True
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def outage_response() -> JSONResponse:
    return JSONResponse(status_code=503, content=OUTAGE_BODY, headers={"Retry-After": RETRY_AFTER})


def _handler(status: int):
    async def handle(request: Request, exc: WatershedError) -> JSONResponse:
        if status == 503:
            log.warning("database unavailable on %s: %s", request.url.path, exc)
            return outage_response()
        body = {"detail": exc.message, "type": type(exc).__name__}
        if exc.hint:
            body["hint"] = exc.hint
        return JSONResponse(status_code=status, content=body)

    return handle


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A stopped server, a restart, a dropped connection: 503 with Retry-After. SQLAlchemy has
    already discarded the pool's stale connections, so trying again reconnects."""
    if not is_outage(exc):
        raise exc
    log.warning("database unavailable on %s: %s", request.url.path, type(exc).__name__)
    return outage_response()


class OutageMiddleware:
    """The last word on an exception no handler took: 503 for an outage, else a plain 500
    (logged). It does not re-raise: the server then closes the keep-alive connection, and a
    client's next request on it was reset (issue 16, defect 6)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            outage = is_outage(exc)
            if outage:
                log.warning("database unavailable on %s: %s", scope.get("path"), exc)
            else:
                log.error("unhandled error on %s", scope.get("path"), exc_info=exc)
            if started:
                return  # the status is gone; the body is cut short and the error logged
            response = (
                outage_response()
                if outage
                else JSONResponse(status_code=500, content=INTERNAL_BODY)
            )
            await response(scope, receive, send)


def register_error_handlers(app: FastAPI) -> None:
    for error, status in STATUS_BY_ERROR.items():
        app.add_exception_handler(error, _handler(status))
    for error in (DBAPIError, *OUTAGE_ERRORS[1:]):
        app.add_exception_handler(error, _database_error)
    app.add_middleware(OutageMiddleware)
