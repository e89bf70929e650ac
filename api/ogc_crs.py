"""OGC API Features Part 2 (coordinate reference systems by reference) on top of tipg.

tipg 1.x answers in CRS84 only (upstream issue developmentseed/tipg#35). Its documented
extension points carry the rest: the collection dependency (``Endpoints(collection_
dependency=...)``) hands the routes a copy of the catalogue's collection that knows the
requested ``crs`` and ``bbox-crs``; that collection is a :class:`PgCollection` subclass whose
geometry expression and WHERE clause honour them; and a small ASGI middleware states the
answer's CRS in ``Content-Crs``. tipg's own SQL, paging, filters and output formats stay
untouched.
"""

import math
from typing import Any

from cql2 import Expr
from fastapi import FastAPI, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tipg.collections import PgCollection
from tipg.dependencies import CollectionParams
from tipg.dependencies import bbox_query as tipg_bbox_query

from gis.crs_uri import DEFAULT, SUPPORTED, OgcCrs, bbox_to_xy, check_bbox, parse_crs
from gis.errors import CrsError
from layers.sql import quote_identifier

#: Where the chosen CRS waits for the middleware (Starlette's ``request.state``).
STATE_KEY = "content_crs"


class OgcCollection(PgCollection):
    """A tipg table collection that answers in ``output_crs`` and reads ``bbox`` in
    ``bbox_crs`` (both CRS84 unless the request asks otherwise)."""

    output_crs: OgcCrs = DEFAULT
    bbox_crs: OgcCrs = DEFAULT

    def _geom_expr(self, geometry_column, bbox_only, simplify) -> str | None:
        if geometry_column is None:
            return None
        geom = f"CAST({quote_identifier(geometry_column.name)} AS geometry)"
        if geometry_column.srid != self.output_crs.srid:
            geom = f"ST_Transform({geom}, {int(self.output_crs.srid)})"
        if bbox_only:
            geom = f"ST_Envelope({geom})"
        elif simplify:
            tolerance = float(simplify)
            geom = f"ST_SnapToGrid(ST_SimplifyPreserveTopology({geom}, {tolerance}), {tolerance})"
        if self.output_crs.swap_axes:
            # Part 2: coordinates in the CRS's axis order (latitude or northing first).
            geom = f"ST_FlipCoordinates({geom})"
        return geom

    def cql_where(self, ids=None, datetime=None, bbox=None, *args: Any, **kwargs: Any):
        if bbox is None or self.bbox_crs == DEFAULT:
            return super().cql_where(ids, datetime, bbox, *args, **kwargs)
        where = super().cql_where(ids, datetime, None, *args, **kwargs)
        column = self.get_geometry_column(kwargs.get("geom"))
        if column is None:
            return where
        west, south, east, north = bbox_to_xy(bbox, self.bbox_crs)
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        box: dict = {
            "op": "st_setsrid",
            "args": [{"type": "Polygon", "coordinates": [ring]}, self.bbox_crs.srid],
        }
        if column.srid != self.bbox_crs.srid:
            box = {"op": "st_transform", "args": [box, column.srid]}
        expr = Expr({"op": "s_intersects", "args": [{"property": column.name}, box]})
        return expr if where is None else where + expr


def with_catalogue_types(collections: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's table collections as :class:`OgcCollection` (same data)."""
    return {
        key: OgcCollection.model_validate(value.model_dump(by_alias=True))
        if isinstance(value, PgCollection) and not isinstance(value, OgcCollection)
        else value
        for key, value in collections.items()
    }


def _requested(request: Request, parameter: str) -> OgcCrs | None:
    text = request.query_params.get(parameter)
    if text is None:
        return None
    try:
        return parse_crs(text, parameter)
    except CrsError as exc:
        # Part 2 (req. /req/crs/fc-crs-valid-value): an unsupported value is a 400.
        raise HTTPException(400, detail=str(exc)) from None


async def collection_params(request: Request, collectionId: str) -> PgCollection:
    """tipg's collection lookup, then the copy that answers in the requested CRSs."""
    collection = CollectionParams(request, collectionId)
    output = _requested(request, "crs")
    bbox_crs = _requested(request, "bbox-crs")
    if "/items" in request.url.path:
        setattr(request.state, STATE_KEY, output or DEFAULT)
    if output is None and bbox_crs is None:
        return collection
    if not isinstance(collection, OgcCollection):
        raise HTTPException(400, detail="此集合不支持 crs 参数 (crs not supported here).")
    update = {"output_crs": output or DEFAULT, "bbox_crs": bbox_crs or DEFAULT}
    return collection.model_copy(update=update)


def bbox_query(request: Request, bbox: str | None = None) -> list[float] | None:
    """tipg's ``bbox`` parser, which checks longitude and latitude ranges, except when a
    ``bbox-crs`` other than CRS84 says the numbers are latitudes first or metres."""
    crs = _requested(request, "bbox-crs")
    if crs is None or crs == DEFAULT or not bbox:
        return tipg_bbox_query(bbox)
    try:
        bounds = [float(value) for value in bbox.split(",")]
    except ValueError:
        raise HTTPException(
            400, detail=f"bbox 不是数字 (bbox is not numeric): {bbox[:120]}"
        ) from None
    if len(bounds) not in (4, 6) or not all(math.isfinite(b) for b in bounds):
        raise HTTPException(400, detail="bbox 需要 4 或 6 个数 (bbox needs 4 or 6 numbers).")
    try:
        check_bbox(bbox_to_xy(bounds, crs), crs)
    except CrsError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return bounds


class ContentCrs:
    """ASGI middleware: ``Content-Crs`` on feature answers (Part 2, req. /req/crs/ogc-crs-header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_crs(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 300:
                crs = scope.get("state", {}).get(STATE_KEY)
                if crs is not None:
                    headers = list(message.get("headers", []))
                    headers.append((b"content-crs", crs.header.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_crs)


ITEMS_PATHS = ("/collections/{collectionId}/items", "/collections/{collectionId}/items/{itemId}")


def document_crs_parameters(app: FastAPI) -> None:
    """Declare ``crs`` (and, on the items list, ``bbox-crs``) in the OpenAPI of the feature
    routes: the dependency reads them from the query string, so FastAPI cannot see them."""
    build = app.openapi
    uris = [crs.uri for crs in SUPPORTED]

    def parameter(name: str, description: str) -> dict:
        schema = {"type": "string", "enum": uris, "default": DEFAULT.uri}
        return {"name": name, "in": "query", "required": False, "schema": schema,
                "description": description}  # fmt: skip

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path in ITEMS_PATHS:
            operation = schema["paths"].get(path, {}).get("get")
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            parameters.append(
                parameter("crs", "输出坐标系（OGC API Features Part 2）；坐标按该坐标系的轴序")
            )
            if path == ITEMS_PATHS[0]:
                parameters.append(parameter("bbox-crs", "bbox 的坐标系，bbox 按该坐标系的轴序给出"))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
