"""OGC API Features and vector tiles (``/ogc``) from tipg, for every layer of the registry.

tipg is mounted as a sub-application at ``/ogc``. It builds its links from
``request.base_url``, which Starlette takes from the top application's root path, so inside
the mount they would point at ``/collections``; :class:`MountRoot` gives tipg the mount's
root path instead (tipg's own ``router_prefix`` misses the collections' tile links). Only
the registry's tables are published. The main app's lifespan opens tipg's asyncpg pool and
builds its catalogue (a mounted app's own lifespan does not run). tipg needs a DSN with a
host: the embedded cluster listens on 127.0.0.1. Reads follow the same token rule as the
rest of the API.

Extended for desktop GIS clients (:mod:`api.ogc_factory`, :mod:`api.ogc_crs`): features in the
CRS a request names (OGC API Features Part 2), Chinese collection titles, tileset documents
GDAL and QGIS follow, tiles also under ``.pbf``/``.mvt`` names, and pages of
:data:`DEFAULT_LIMIT` features (at most :data:`MAX_LIMIT`) instead of tipg's 10.
"""

import functools
import logging
import math
import re

import attr
import cql2
import jinja2
import morecantile
import tipg.collections
import tipg.dependencies
import tipg.factory
from asyncpg.exceptions import (
    DataError,
    DatatypeMismatchError,
    PostgresSyntaxError,
    UndefinedColumnError,
    UndefinedFunctionError,
    UndefinedObjectError,
)
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from morecantile.defaults import TileMatrixSets
from morecantile.models import TileMatrixSet
from pyproj import CRS
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send
from tipg.collections import register_collection_catalog
from tipg.database import close_db_connection, connect_to_db
from tipg.errors import (
    DEFAULT_STATUS_CODES,
    InvalidBBox,
    InvalidGeometryColumnName,
    InvalidPropertyName,
    MissingDatetimeColumn,
    MissingGeometryColumn,
    NotFound,
)
from tipg.middleware import CatalogUpdateMiddleware
from tipg.settings import DatabaseSettings, PostgresSettings

from api.auth import require_reader
from api.docs import add_local_docs
from api.errors import register_error_handlers
from api.ogc_crs import (
    ContentCrs,
    bbox_query,
    collection_params,
    document_crs_parameters,
    with_catalogue_types,
)
from api.ogc_factory import OgcEndpoints
from layers.db import ogc_url
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
    # A filter PostgreSQL cannot type (a value where a condition belongs, an unknown type).
    # Every published table has a geometry: "missing" means ``geom-column`` named another.
    MissingGeometryColumn: 400,
    DatatypeMismatchError: 400,
    UndefinedObjectError: 400,
    PostgresSyntaxError: 400,
}
#: What each of tipg's errors means, in Chinese, before tipg's English text.
_ZH = {
    NotFound: "未找到",
    InvalidBBox: "bbox 参数无效",
    InvalidGeometryColumnName: "没有这个几何字段",
    MissingGeometryColumn: "没有这个几何字段（geom-column）",
    InvalidPropertyName: "没有这个属性字段",
    MissingDatetimeColumn: "该图层没有日期字段，不能按时间过滤",
    ValueError: "参数无效",
}
logger = logging.getLogger(__name__)


def _tipg_error(status: int):
    """tipg's errors with a Chinese lead and tipg's English reason; for a 5xx, nothing of
    the exception's text (it may hold SQL, GEOS or connection details): it is logged."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if status >= 500:
            logger.error("ogc %s failed", request.url.path, exc_info=exc)
            detail = "服务器内部错误，已记录 (internal server error)"
        else:
            zh = next((t for c, t in _ZH.items() if isinstance(exc, c)), "请求无效")
            english = str(exc).strip().replace("\n", " ")[:200] or type(exc).__name__
            if isinstance(exc, tuple(c for c in CLIENT_ERRORS if c is not ValueError)):
                english = "the filter does not fit the layer's columns"  # not PostgreSQL's text
            detail = f"{zh} ({english})"
        return JSONResponse(status_code=status, content={"detail": detail})

    return handle


SCHEMA = "public"
TILE_MATRIX_SET = "WebMercatorQuad"
#: The deepest zoom served (WebMercatorQuad's last level in morecantile).
MAX_ZOOM = 24
#: The tile grids offered (morecantile has thirteen, none in CGCS2000): Web Mercator for the
#: map and QGIS, CRS84 (GDAL's OGCAPI driver prefers it), and the CGCS2000 lon/lat quadtree
#: 天地图's "c" tiles use (天地图 level n = zoom n − 1 here).
CGCS2000_QUAD = morecantile.TileMatrixSet.custom(
    [-180, -90, 180, 90],
    CRS.from_epsg(4490),
    id="CGCS2000Quad",
    title="CGCS2000 经纬度四叉树（天地图 c 切分）",
    matrix_scale=[2, 1],
    minzoom=0,
    maxzoom=20,
    geographic_crs=CRS.from_epsg(4490),
)
TILE_MATRIX_SETS = {
    "WebMercatorQuad": morecantile.tms.get("WebMercatorQuad"),
    "WorldCRS84Quad": morecantile.tms.get("WorldCRS84Quad"),
    "CGCS2000Quad": CGCS2000_QUAD,
}
#: Features per page without ``limit``, and the most a request may ask for. tipg's default
#: of 10 made ``ogr2ogr`` of 13.5 k parcels take 1,356 requests; a page of 1,000 parcels is
#: about 1 MB of GeoJSON, 10,000 about 10 MB, which a desktop client handles comfortably.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
#: A tile path with a file suffix, as GDAL's MVT driver and QGIS templates ask for it.
TILE_SUFFIX = re.compile(r"(/tiles/[^/]+/\d+/\d+/\d+)\.(?:pbf|mvt)$")
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
# ``bbox`` in the CRS ``bbox-crs`` names (Part 2): tipg's parser refuses numbers beyond ±180.
tipg.factory.bbox_query = _on_event_loop(bbox_query)
# tipg reads its page sizes from settings objects built at import (TIPG_DEFAULT_FEATURES_LIMIT,
# TIPG_MAX_FEATURES_PER_QUERY); ours are fixed here, before the routes are built.
for _settings in (tipg.factory.features_settings, tipg.collections.features_settings):
    _settings.max_features_per_query = MAX_LIMIT
    _settings.default_features_limit = DEFAULT_LIMIT
# Each tile's layer is named after its table (``farmland``), not tipg's ``default``: the name
# GDAL and QGIS show for the layer of a tile.
for _settings in (tipg.factory.mvt_settings, tipg.collections.mvt_settings):
    _settings.set_mvt_layername = True


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
    """A CQL2 ``filter`` that does not parse, or is not a condition (``-1``, ``1e309``), is
    the client's error (cql2 raises a bare Exception, PostgreSQL a type error: tipg would
    answer both with a 500)."""
    text = request.query_params.get("filter")
    if text is None:
        return
    try:
        parsed = cql2.Expr(text).to_json()
    except Exception as exc:  # cql2 raises a bare Exception on a parse error
        message = str(exc).strip().replace("\n", " ")[:300]
        raise HTTPException(
            400, detail=f"CQL2 过滤表达式无法解析 (invalid filter): {message}"
        ) from None
    if not (isinstance(parsed, bool) or (isinstance(parsed, dict) and "op" in parsed)):
        raise HTTPException(
            400,
            detail=f"CQL2 过滤表达式必须是条件（如 code = 'ZD-01'），而不是一个值：{text[:60]} "
            "(filter must be a boolean condition)",
        )


def _bad(message: str) -> HTTPException:
    return HTTPException(400, detail=message)


def _finite(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(f"参数 {name} 不是数值：{text[:40]} ({name} must be a number)") from None
    if not math.isfinite(value):
        raise _bad(f"参数 {name} 必须是有限数值：{text[:40]} ({name} must be finite)")
    return value


async def check_parameters(request: Request) -> None:
    """tipg's numeric parameters and tile address, checked before they reach PostGIS or
    morecantile (NaN bounds, a negative tolerance, zoom 99 or a 20-digit zoom each made a
    500 with PostgreSQL's or Python's text)."""
    query = request.query_params
    if "bbox" in query:
        parts = query["bbox"].split(",")
        values = [_finite("bbox", p) for p in parts]
        if len(values) not in (4, 6):
            raise _bad("参数 bbox 需要 4 个（或 6 个）数值 (bbox needs 4 or 6 numbers)")
        half = len(values) // 2
        lons, lats = values[0::half][:2], values[1::half][:2]
        # In another bbox-crs (lat/lon axis order, Gauss-Krüger metres) the OGC CRS check
        # (api/ogc_crs) judges the box; here only the default CRS84 range.
        if "bbox-crs" not in query and (
            any(abs(v) > 180 for v in lons) or any(abs(v) > 90 for v in lats)
        ):
            raise _bad("参数 bbox 超出经纬度范围 (bbox out of lon/lat range)")
    if "simplify" in query and _finite("simplify", query["simplify"]) < 0:
        raise _bad("参数 simplify 不能为负数 (simplify must not be negative)")
    for name in ("minzoom", "maxzoom"):
        if name in query and not (query[name].isdigit() and int(query[name]) <= MAX_ZOOM):
            raise _bad(f"参数 {name} 必须是 0～{MAX_ZOOM} 的整数 ({name} out of range)")
    for name in ("limit", "offset"):
        if name in query and not (query[name].isdigit() and len(query[name]) <= 9):
            raise _bad(f"参数 {name} 必须是非负整数 ({name} must be a non-negative integer)")
    path = request.path_params
    if {"z", "x", "y"} <= path.keys():
        z, x, y = (str(path[k]) for k in ("z", "x", "y"))
        if not (z.isdigit() and int(z) <= MAX_ZOOM):
            raise _bad(f"瓦片级别 z 必须是 0～{MAX_ZOOM} 的整数：{z[:20]} (zoom out of range)")
        width, height = _matrix_size(path.get("tileMatrixSetId"), int(z))
        if not (x.isdigit() and y.isdigit() and int(x) < width and int(y) < height):
            raise _bad(f"瓦片行列号超出第 {z} 级的范围 (tile x/y out of range)")
    item = path.get("itemId")
    if item is not None and not (str(item).isdigit() and int(item) < 2**63):
        raise HTTPException(404, detail=f"没有编号为 {str(item)[:30]} 的要素 (item not found)")


def _matrix_size(tms_id: str | None, z: int) -> tuple[int, int]:
    """Columns and rows of a grid's level ``z`` (CGCS2000Quad is two tiles wide at level 0)."""
    grid = TILE_MATRIX_SETS.get(tms_id or "WebMercatorQuad")
    if grid is None or z < grid.minzoom or z > grid.maxzoom:
        return 2**z, 2**z  # tipg answers an unknown grid or level itself
    matrix = grid.matrix(z)
    return matrix.matrixWidth, matrix.matrixHeight


@attr.s(frozen=True)
class SharedTileMatrixSets(TileMatrixSets):
    """morecantile's registry without its per-call deep copy (about 0.5 ms per tile); tipg
    only reads the tile matrix sets."""

    def get(self, identifier: str) -> TileMatrixSet:
        tms = self.tilematrixsets.get(identifier)
        if not isinstance(tms, TileMatrixSet):
            tms = super().get(identifier)  # parses the definition once, raises when unknown
        return tms


class TileSuffix:
    """ASGI wrapper serving ``…/{z}/{x}/{y}.pbf`` and ``.mvt`` as the tile ``…/{z}/{x}/{y}``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and TILE_SUFFIX.search(scope["path"]):
            path = TILE_SUFFIX.sub(r"\1", scope["path"])
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


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
        title="流域底线管控平台 OGC API（要素与矢量瓦片）",
        # The same paths as the main app's: tipg's landing page resolves its service-desc
        # link by route name in the top router, then against the mount's base URL.
        openapi_url="/openapi.json",
        docs_url=None,  # our own /docs below: FastAPI's loads Swagger UI from a CDN
        redoc_url=None,
    )
    add_local_docs(app, "流域底线管控平台 OGC API")
    endpoints = OgcEndpoints(
        title="流域底线管控平台 OGC API",
        templates=JsonTemplates(),
        with_tiles_viewer=False,  # its pages load MapLibre, jQuery and OSM tiles from outside
        supported_tms=SharedTileMatrixSets(TILE_MATRIX_SETS),
        collection_dependency=collection_params,
        collections_dependency=tipg.factory.CollectionsParams,
    )
    app.include_router(
        endpoints.router,
        dependencies=[
            Depends(require_reader),
            Depends(check_filter),
            Depends(check_parameters),
        ],
    )
    app.state.settings = settings
    if settings.ogc_catalog_ttl:
        app.add_middleware(
            CatalogUpdateMiddleware,  # type: ignore[arg-type]
            func=register_catalog,  # type: ignore[arg-type]
            ttl=settings.ogc_catalog_ttl,
            db_settings=database_settings(),
        )
    app.add_middleware(ContentCrs)  # type: ignore[arg-type]
    app.add_middleware(TileSuffix)  # type: ignore[arg-type]
    for error, status in {**DEFAULT_STATUS_CODES, **CLIENT_ERRORS}.items():
        app.add_exception_handler(error, _tipg_error(status))
    register_error_handlers(app)
    document_crs_parameters(app)
    return app


async def register_catalog(app: FastAPI, db_settings: DatabaseSettings) -> None:
    """tipg's catalogue, titled in Chinese from the registry (tipg would show ``public.farmland``
    in QGIS's layer list: it takes no title from the database)."""
    await register_collection_catalog(app, db_settings=db_settings)
    catalog = app.state.collection_catalog
    catalog["collections"] = collections = with_catalogue_types(catalog["collections"])
    for spec in SPATIAL_LAYERS.values():
        collection = collections.get(collection_id(spec.table))
        if collection is not None:
            collection.title = spec.name_zh
            collection.description = f"{spec.name_zh}（{spec.key}，CGCS2000 EPSG:4490 存储）"


async def start_ogc(app: FastAPI, settings: Settings, engine) -> None:
    """Open tipg's pool and build its catalogue (called from the main app's lifespan). The
    pool connects as the read-only ``watershed_ogc`` role (:func:`layers.db.ogc_url`): SELECT
    on the published tables only, so a flaw in tipg's SQL cannot write or read the tokens."""
    app.state.engine = engine  # the token check of the mounted app looks it up here
    db_settings = database_settings()
    await connect_to_db(
        app,
        schemas=db_settings.schemas,
        tipg_schema=db_settings.tipg_schema,
        settings=PostgresSettings(
            _env_file=None, database_url=ogc_url(settings), db_max_conn_size=4
        ),
    )
    await register_catalog(app, db_settings=db_settings)


async def stop_ogc(app: FastAPI) -> None:
    await close_db_connection(app)
