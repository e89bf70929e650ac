"""OGC API Features and vector tiles (``/ogc``) from tipg, for every layer of the registry.

tipg is mounted as a sub-application at ``/ogc``. It builds its links from
``request.base_url``, which Starlette takes from the top application's root path, so inside
the mount they would point at ``/collections``; :class:`MountRoot` gives tipg the mount's
root path instead (tipg's own ``router_prefix`` misses the collections' tile links). Only
the registry's tables are published. The main app's lifespan opens tipg's asyncpg pool and
builds its catalogue (a mounted app's own lifespan does not run). tipg needs a DSN with a
host: the embedded cluster listens on 127.0.0.1. Reads follow the same token rule as the
rest of the API. tipg answers GeoJSON in CRS84; the files a bureau files come in EPSG:4490
from ``/api/layers/{key}/export``.
"""

import functools

import attr
import cql2
import jinja2
import morecantile
import tipg.dependencies
import tipg.factory
from asyncpg.exceptions import DataError, UndefinedColumnError, UndefinedFunctionError
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from morecantile.defaults import TileMatrixSets
from morecantile.models import TileMatrixSet
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send
from tipg.collections import register_collection_catalog
from tipg.database import close_db_connection, connect_to_db
from tipg.errors import DEFAULT_STATUS_CODES, MissingDatetimeColumn, add_exception_handlers
from tipg.factory import Endpoints
from tipg.middleware import CatalogUpdateMiddleware
from tipg.settings import DatabaseSettings, PostgresSettings

from api.auth import require_reader
from api.docs import add_local_docs
from api.errors import register_error_handlers
from layers.db import libpq_url
from layers.registry import SPATIAL_LAYERS
from layers.settings import Settings

PREFIX = "/ogc"
#: tipg lets these reach its catch-all 500 although the request is at fault: a non-numeric
#: bbox (ValueError), a CQL2 filter that does not parse, a datetime filter on a layer that
#: has no date column, or a filter comparing a column with a value of the wrong type.
CLIENT_ERRORS: dict[type[Exception], int] = {
    ValueError: 422,
    MissingDatetimeColumn: 400,
    DataError: 400,
    UndefinedFunctionError: 400,
    UndefinedColumnError: 400,
}
SCHEMA = "public"
TILE_MATRIX_SET = "WebMercatorQuad"
#: tipg's dependencies that only parse request parameters or look up its in-memory catalogue.
PARAMETER_DEPENDENCIES = (
    "CollectionParams",
    "CollectionsParams",
    "ItemsOutputType",
    "OutputType",
    "QueryablesOutputType",
    "TileParams",
    "bbox_query",
    "datetime_query",
    "filter_query",
    "ids_query",
    "properties_query",
    "sortby_query",
)


def _on_event_loop(func):
    """``func`` as a coroutine function, with its signature, so FastAPI calls it in the loop."""

    @functools.wraps(func)
    async def call(*args, **kwargs):
        return func(*args, **kwargs)

    return call


# FastAPI runs every plain-function dependency in the thread pool: a tile request made eight
# hops there and back (about a millisecond in all) for parsers that take microseconds and
# never block. tipg's routes name them as globals of tipg.factory, looked up when the routes
# are built, so the coroutine versions go there (from the untouched originals: idempotent).
for _name in PARAMETER_DEPENDENCIES:
    setattr(tipg.factory, _name, _on_event_loop(getattr(tipg.dependencies, _name)))


def collection_id(table: str) -> str:
    """tipg's collection id of one of our tables."""
    return f"{SCHEMA}.{table}"


def database_settings() -> DatabaseSettings:
    """tipg's catalogue settings: our registry tables only, no functions."""
    return DatabaseSettings(
        _env_file=None,
        schemas=[SCHEMA],
        tables=[collection_id(spec.table) for spec in SPATIAL_LAYERS.values()],
        functions=[],
        only_spatial_tables=True,
    )


async def check_filter(request: Request) -> None:
    """A CQL2 ``filter`` that does not parse is the client's error (cql2 raises a bare
    Exception, which tipg would answer with a 500)."""
    text = request.query_params.get("filter")
    if text is None:
        return
    try:
        cql2.Expr(text)
    except Exception as exc:  # cql2 raises a bare Exception on a parse error
        message = str(exc).strip().replace("\n", " ")[:300]
        raise HTTPException(
            400, detail=f"CQL2 过滤表达式无法解析 (invalid filter): {message}"
        ) from None


@attr.s(frozen=True)
class SharedTileMatrixSets(TileMatrixSets):
    """morecantile's registry without its per-call deep copy (about 0.5 ms per tile); tipg
    only reads the tile matrix sets."""

    def get(self, identifier: str) -> TileMatrixSet:
        tms = self.tilematrixsets.get(identifier)
        if not isinstance(tms, TileMatrixSet):
            tms = super().get(identifier)  # parses the definition once, raises when unknown
        return tms


class JsonTemplates(Jinja2Templates):
    """Where tipg would render an HTML page, the same content as JSON: its templates load
    Bootstrap, jQuery, Leaflet, MapLibre and OpenStreetMap tiles from outside hosts (blank
    on an intranet, and requests off the server). Every tipg factory renders through here."""

    def __init__(self) -> None:
        super().__init__(env=jinja2.Environment(autoescape=True))

    def TemplateResponse(self, request, name, context=None, *args, **kwargs):
        return JSONResponse((context or {}).get("response"))


class MountRoot:
    """ASGI wrapper making ``request.base_url`` of a mounted app include its mount path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "app_root_path": scope.get("root_path", "")}
        await self.app(scope, receive, send)


def create_ogc_app(settings: Settings) -> FastAPI:
    """The tipg application, to be mounted at :data:`PREFIX`."""
    app = FastAPI(
        title="曾都区流域底线管控平台 OGC API（要素与矢量瓦片）",
        # The same paths as the main app's: tipg's landing page resolves its service-desc
        # link by route name in the top router, then against the mount's base URL.
        openapi_url="/openapi.json",
        docs_url=None,  # our own /docs below: FastAPI's loads Swagger UI from a CDN
        redoc_url=None,
    )
    add_local_docs(app, "曾都区流域底线管控平台 OGC API")
    endpoints = Endpoints(
        title="曾都区流域底线管控平台 OGC API",
        templates=JsonTemplates(),
        with_tiles_viewer=False,  # its pages load MapLibre, jQuery and OSM tiles from outside
        supported_tms=SharedTileMatrixSets(dict(morecantile.tms.tilematrixsets)),
        collection_dependency=tipg.factory.CollectionParams,
        collections_dependency=tipg.factory.CollectionsParams,
    )
    app.include_router(
        endpoints.router, dependencies=[Depends(require_reader), Depends(check_filter)]
    )
    app.state.settings = settings
    if settings.ogc_catalog_ttl:
        app.add_middleware(
            CatalogUpdateMiddleware,  # type: ignore[arg-type]
            func=register_catalog,  # type: ignore[arg-type]
            ttl=settings.ogc_catalog_ttl,
            db_settings=database_settings(),
        )
    add_exception_handlers(app, {**DEFAULT_STATUS_CODES, **CLIENT_ERRORS})
    register_error_handlers(app)
    return app


async def register_catalog(app: FastAPI, db_settings: DatabaseSettings) -> None:
    """tipg's catalogue, titled in Chinese from the registry (tipg would show ``public.farmland``
    in QGIS's layer list: it takes no title from the database)."""
    await register_collection_catalog(app, db_settings=db_settings)
    collections = app.state.collection_catalog["collections"]
    for spec in SPATIAL_LAYERS.values():
        collection = collections.get(collection_id(spec.table))
        if collection is not None:
            collection.title = spec.name_zh
            collection.description = f"{spec.name_zh}（{spec.key}，CGCS2000 EPSG:4490 存储）"


async def start_ogc(app: FastAPI, settings: Settings, engine) -> None:
    """Open tipg's pool and build its catalogue (called from the main app's lifespan)."""
    app.state.engine = engine  # the token check of the mounted app looks it up here
    db_settings = database_settings()
    await connect_to_db(
        app,
        schemas=db_settings.schemas,
        tipg_schema=db_settings.tipg_schema,
        settings=PostgresSettings(
            _env_file=None, database_url=libpq_url(settings), db_max_conn_size=4
        ),
    )
    await register_catalog(app, db_settings=db_settings)


async def stop_ogc(app: FastAPI) -> None:
    await close_db_connection(app)
