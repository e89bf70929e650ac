"""The FastAPI application: wiring only (settings, engine lifespan, routers, error handlers)."""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from api import ogc
from api.allocator import tune_for_server
from api.docs import add_local_docs
from api.errors import register_error_handlers
from api.evaluations import validate_lists, warm_checks
from api.limits import BodyLimitMiddleware
from api.routes import (
    baseline,
    catchments,
    checks,
    exports,
    health,
    here,
    ingest,
    layers,
    overlap,
    projects,
    rasters,
    records,
    reservoirs,
    sections,
    webmap,
)
from api.security import SecurityMiddleware
from layers.db import make_app_engine
from layers.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    tune_for_server()  # raster tiles drawn on worker threads (api/allocator.py)
    ogc_app = ogc.create_ogc_app(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.list_problems = validate_lists(settings)  # the list in force must be valid
        app.state.engine = make_app_engine(settings)  # least privilege (layers/db.py)
        try:
            await ogc.start_ogc(ogc_app, settings, app.state.engine)
            app.state.warming = threading.Thread(
                target=warm_checks, args=(app.state.engine, settings), daemon=True
            )
            app.state.warming.start()
            try:
                yield
            finally:
                app.state.warming.join(timeout=30)  # before the engine it uses goes
                await ogc.stop_ogc(ogc_app)
        finally:
            app.state.engine.dispose()

    app = FastAPI(
        title="流域底线管控平台 API",
        description="Watershed bottom-line platform: GB 3838 checks, red-line overlaps, layers.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/docs.py: Swagger UI from our own copy, not a CDN; no ReDoc
        redoc_url=None,
    )
    add_local_docs(app, "流域底线管控平台 API")
    app.state.settings = settings
    register_error_handlers(app)
    # Inside the compression: it hashes the map page's inline scripts on the plain HTML.
    app.add_middleware(SecurityMiddleware, tianditu=bool(settings.tianditu_token))
    # JSON, GeoJSON, vector tiles and the map's assets compress 2-4×, which matters on a field
    # tablet's network. Level 1 keeps ~90% of level 9's saving in a tenth of the time (a z12
    # parcel tile: 878 → 406 KB in 12 ms).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.max_upload_mb * 1024 * 1024))
    # exports before overlap and checks: /api/overlap/{id}.xlsx must not reach /api/overlap/{id}
    for module in (
        health,
        baseline,
        exports,
        checks,
        sections,
        reservoirs,
        overlap,
        projects,
        layers,
        ingest,
        rasters,
        catchments,
        here,
        records,
    ):
        app.include_router(module.router)
    app.include_router(webmap.router)  # the map page at /, /static, sign-in
    # Vector tiles and GeoJSON items compress 2-4× and tipg sends them as they are; level 1
    # gets 90% of level 9's saving in a tenth of the time (a z12 parcel tile: 878 → 406 KB, 12 ms).
    app.mount(
        ogc.PREFIX,
        GZipMiddleware(
            ogc.MountRoot(ogc_app),
            minimum_size=1024,
            compresslevel=1,
            # HTML pages (its /docs) stay plain: the security middleware hashes their inline
            # scripts into the CSP, which it cannot do through compression.
            exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "text/html"),
        ),
    )

    return app
