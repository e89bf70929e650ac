"""The FastAPI application: wiring only (settings, engine lifespan, routers, error handlers)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.errors import register_error_handlers
from api.routes import health
from layers.db import make_engine
from layers.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings)
        try:
            yield
        finally:
            app.state.engine.dispose()

    app = FastAPI(
        title="曾都区流域底线管控平台 API",
        description="Watershed bottom-line platform: GB 3838 checks, red-line overlaps, layers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    register_error_handlers(app)
    app.include_router(health.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return "<!doctype html><meta charset=utf-8><title>曾都区流域底线管控平台</title><h1>曾都区流域底线管控平台</h1><p><a href=/docs>API 文档</a></p>"

    return app
