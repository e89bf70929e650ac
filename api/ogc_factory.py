"""tipg's endpoint factories, extended where desktop GIS clients need more than tipg gives.

Through tipg's documented extension point, subclassing its factories
(:class:`tipg.factory.OGCFeaturesFactory`, :class:`tipg.factory.OGCTilesFactory` and the
:class:`tipg.factory.Endpoints` that combines them), three route groups are replaced:

- ``/collections`` and ``/collections/{id}``: the registry's Chinese name as ``title`` (tipg
  puts the id there in the list), the offered CRSs (``crs``) and ``storageCrs`` of OGC API
  Features Part 2, and the link relations of OGC API Tiles (``tilesets-vector``) that GDAL's
  OGCAPI driver and QGIS follow;
- ``/collections/{id}/tiles`` and ``/collections/{id}/tiles/{tms}``: the tileset documents of
  OGC API Tiles 1.0 (links ``self``, ``tiling-scheme``, and ``item`` templated with
  ``{tileMatrix}/{tileRow}/{tileCol}``; the ``layers`` of the tiles with their fields), where
  tipg had a draft's ``tile`` relation with ``{z}/{x}/{y}`` that GDAL does not follow;
- conformance: Part 2 (``crs``) is declared.

Everything else (items, tiles, TileJSON, queryables, paging, filters) is tipg's.
"""

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Request
from starlette.datastructures import QueryParams
from tipg.collections import Collection, CollectionList
from tipg.collections import mvt_settings as tipg_mvt_settings
from tipg.dependencies import OutputType
from tipg.errors import MissingGeometryColumn
from tipg.factory import Endpoints, OGCFeaturesFactory, OGCTilesFactory
from tipg.resources.enums import MediaType
from tipg.resources.response import ORJSONResponse

from gis.crs_uri import CRS84, STORAGE, SUPPORTED

CRS_CONFORMANCE = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
MVT = MediaType.mvt.value
JSON = MediaType.json.value
GEOJSON = MediaType.geojson.value
#: OGC API Tiles geometry kinds of a tileset layer, by PostGIS geometry type.
GEOMETRY_KINDS = {"POINT": "points", "LINESTRING": "curves", "POLYGON": "surfaces"}


def absolute(request: Request, name: str, **params: Any) -> str:
    """The URL of route ``name`` of the whole OGC application (features and tiles)."""
    path = request.app.url_path_for(name, **params)
    return str(path.make_absolute_url(base_url=str(request.base_url)))


def link(href: str, rel: str, media_type: str, title: str, **extra: Any) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title, **extra}


def collection_links(request: Request, collection: Collection) -> list[dict]:
    """The links of a collection, in the list and in its own document."""
    cid = collection.id
    items = absolute(request, "items", collectionId=cid)
    queryables = absolute(request, "queryables", collectionId=cid)
    tilesets = absolute(request, "collection_tileset_list", collectionId=cid)
    tilejson = absolute(
        request, "collection_tilejson", collectionId=cid, tileMatrixSetId="WebMercatorQuad"
    )
    name = collection.title or cid
    return [
        link(absolute(request, "collection", collectionId=cid), "self", JSON, name),
        link(items, "items", GEOJSON, f"{name}：要素（GeoJSON，可用 crs 参数选坐标系）"),
        link(f"{items}?f=csv", "alternate", MediaType.csv.value, f"{name}：要素（CSV）"),
        link(queryables, "queryables", MediaType.schemajson.value, f"{name}：可查询字段"),
        link(queryables, OGC_REL + "queryables", MediaType.schemajson.value, "Queryables"),
        link(tilesets, OGC_REL + "tilesets-vector", JSON, f"{name}：矢量瓦片集"),
        link(tilejson, "describedby", JSON, f"{name}：TileJSON（WebMercatorQuad）"),
    ]


def collection_document(request: Request, collection: Collection) -> dict:
    """A collection as OGC API Features Part 1 and 2 describe it."""
    extent = collection.extent
    document = {
        "id": collection.id,
        "title": collection.title or collection.id,
        "description": collection.description,
        "itemType": "feature",
        "crs": [crs.uri for crs in SUPPORTED],
        "storageCrs": STORAGE.uri,
        "links": collection_links(request, collection),
    }
    if extent is not None:
        document["extent"] = extent.model_dump(exclude_none=True, mode="json")
    return document


class FeaturesFactory(OGCFeaturesFactory):
    """tipg's features endpoints with CRS-aware, Chinese-titled collection documents."""

    @property
    def conforms_to(self) -> list[str]:
        return [*super().conforms_to, CRS_CONFORMANCE]

    def _collections_route(self) -> None:
        @self.router.get(
            "/collections",
            response_class=ORJSONResponse,
            responses={200: {"content": {JSON: {}, MediaType.html.value: {}}}},
            tags=["OGC Features API"],
            summary="图层集合列表（中文名、可用坐标系）",
        )
        def collections(
            request: Request,
            collection_list: Annotated[CollectionList, Depends(self.collections_dependency)],
            output_type: Annotated[MediaType | None, Depends(OutputType)] = None,
        ):
            """The collections with their Chinese names, offered CRSs and storage CRS."""
            here = self.url_for(request, "collections")
            links = [link(here, "self", JSON, "图层集合")]
            for rel, token in (
                ("next", collection_list["next"]),
                ("prev", collection_list["prev"]),
            ):
                if token is not None and (rel == "prev" or token):
                    query = QueryParams({**request.query_params, "offset": token})
                    links.append(link(f"{here}?{query}", rel, JSON, rel))
            data = {
                "links": links,
                "numberMatched": collection_list["matched"],
                "numberReturned": len(collection_list["collections"]),
                "collections": [
                    collection_document(request, collection)
                    for collection in collection_list["collections"]
                ],
            }
            if output_type == MediaType.html:
                return self._create_html_response(request, data, "collections", "图层集合")
            return ORJSONResponse(data)

    def _collection_route(self) -> None:
        @self.router.get(
            "/collections/{collectionId}",
            response_class=ORJSONResponse,
            responses={200: {"content": {JSON: {}, MediaType.html.value: {}}}},
            tags=["OGC Features API"],
            summary="一个图层集合（中文名、可用坐标系、瓦片链接）",
        )
        def collection(
            request: Request,
            collection: Annotated[Collection, Depends(self.collection_dependency)],
            output_type: Annotated[MediaType | None, Depends(OutputType)] = None,
        ):
            """One collection: Chinese name, offered CRSs, storage CRS, items and tiles links."""
            data = collection_document(request, collection)
            if output_type == MediaType.html:
                return self._create_html_response(request, data, "collection", data["title"])
            return ORJSONResponse(data)


class TilesFactory(OGCTilesFactory):
    """tipg's tiles endpoints with tileset documents GDAL's OGCAPI driver can follow."""

    def _tileset(self, request: Request, collection: Collection, tms_id: str) -> dict:
        tms = self.supported_tms.get(tms_id)
        cid = collection.id
        tile = absolute(
            request,
            "collection_get_tile",
            collectionId=cid,
            tileMatrixSetId=tms_id,
            z="{tileMatrix}",
            x="{tileCol}",
            y="{tileRow}",
        )
        tileset = {
            "title": f"{collection.title or cid}（{tms_id}）",
            "dataType": "vector",
            "crs": tms_crs_uri(tms),
            "links": [
                link(
                    absolute(
                        request, "collection_tileset", collectionId=cid, tileMatrixSetId=tms_id
                    ),
                    "self",
                    JSON,
                    f"{tms_id} 瓦片集",
                ),
                link(
                    absolute(request, "tilematrixset", tileMatrixSetId=tms_id),
                    OGC_REL + "tiling-scheme",
                    JSON,
                    f"{tms_id} 瓦片矩阵集定义",
                ),
                link(tile, "item", MVT, "矢量瓦片（模板）", templated=True),
                link(
                    absolute(
                        request, "collection_tilejson", collectionId=cid, tileMatrixSetId=tms_id
                    ),
                    "describedby",
                    JSON,
                    "TileJSON",
                ),
            ],
        }
        # A grid of our own (CGCS2000Quad) has no registered URI: its definition's URL
        # stands in (GDAL's TILEMATRIXSET option matches the name in it).
        tileset["tileMatrixSetURI"] = tms.uri or absolute(
            request, "tilematrixset", tileMatrixSetId=tms_id
        )
        if bounds := collection.bounds:
            tileset["boundingBox"] = {
                "lowerLeft": bounds[:2],
                "upperRight": bounds[2:],
                "crs": CRS84,
            }
        return tileset

    def _layers(self, collection: Collection) -> list[dict]:
        """The one layer of each tile: its name in the MVT, geometry kind and fields."""
        name = mvt_layer_name(collection)
        geometry = collection.geometry_column
        kind = (geometry.geometry_type if geometry else "").upper().removeprefix("MULTI")
        fields = {
            column.name: {"type": column.json_type}
            for column in collection.properties
            if column.type not in ("geometry", "geography")
        }
        return [
            {
                "id": name,
                "title": collection.title or collection.id,
                "dataType": "vector",
                "geometryDimension": {"points": 0, "curves": 1, "surfaces": 2}.get(
                    GEOMETRY_KINDS.get(kind, ""), 2
                ),
                "propertiesSchema": {"type": "object", "properties": fields},
            }
        ]

    def _tilejson_routes(self) -> None:
        tms_ids = tuple(self.supported_tms.list())

        @self.router.get(
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json",
            response_class=ORJSONResponse,
            responses={200: {"content": {JSON: {}}}},
            summary="图层的 TileJSON（QGIS 等客户端的矢量瓦片连接）",
            operation_id=".collection.vector.getTileJSONTms",
            tags=["OGC Tiles API"],
        )
        async def collection_tilejson(
            request: Request,
            collection: Annotated[Collection, Depends(self.collection_dependency)],
            tileMatrixSetId: Annotated[
                Literal[tms_ids],  # type: ignore[valid-type]
                Path(description="瓦片矩阵集 (tile matrix set)"),
            ],
        ):
            """TileJSON 3.0 of one layer: its tile URL, zoom range, bounds and the fields of
            its tile layer (named as in the tiles, where tipg names it otherwise)."""
            geom_column = request.query_params.get("geom-column")
            if geom_column and collection.get_geometry_column(geom_column) is None:
                raise MissingGeometryColumn(f"Invalid geometry column: {geom_column[:60]}")
            return ORJSONResponse(self._tilejson(request, collection, tileMatrixSetId))

    def _tilejson(self, request: Request, collection: Collection, tms_id: str) -> dict:
        tms = self.supported_tms.get(tms_id)
        tiles = absolute(
            request,
            "collection_get_tile",
            collectionId=collection.id,
            tileMatrixSetId=tms_id,
            z="{z}",
            x="{x}",
            y="{y}",
        )
        minzoom, maxzoom = (0, 22) if tms_id == "WebMercatorQuad" else (tms.minzoom, tms.maxzoom)
        layer = self._layers(collection)[0]
        document = {
            "tilejson": "3.0.0",
            "name": collection.title or collection.id,
            "description": collection.description,
            "scheme": "xyz",
            "tiles": [tiles],
            "minzoom": minzoom,
            "maxzoom": maxzoom,
            "vector_layers": [
                {
                    "id": layer["id"],
                    "description": layer["title"],
                    "fields": {
                        name: field["type"]
                        for name, field in layer["propertiesSchema"]["properties"].items()
                    },
                    "minzoom": minzoom,
                    "maxzoom": maxzoom,
                }
            ],
        }
        if bounds := collection.bounds:
            document["bounds"] = bounds
        return document

    def _tilesets_routes(self) -> None:
        tms_ids = tuple(self.supported_tms.list())

        @self.router.get(
            "/collections/{collectionId}/tiles",
            response_class=ORJSONResponse,
            responses={200: {"content": {JSON: {}}}},
            summary="图层的矢量瓦片集列表",
            operation_id=".collection.vector.getTileSetsList",
            tags=["OGC Tiles API"],
        )
        async def collection_tileset_list(
            request: Request,
            collection: Annotated[Collection, Depends(self.collection_dependency)],
        ):
            """The vector tilesets of a collection, one per tile matrix set."""
            here = absolute(request, "collection_tileset_list", collectionId=collection.id)
            return ORJSONResponse(
                {
                    "links": [link(here, "self", JSON, "矢量瓦片集")],
                    "tilesets": [self._tileset(request, collection, tms) for tms in tms_ids],
                }
            )

        @self.router.get(
            "/collections/{collectionId}/tiles/{tileMatrixSetId}",
            response_class=ORJSONResponse,
            responses={200: {"content": {JSON: {}}}},
            summary="图层在一个瓦片矩阵集中的矢量瓦片集",
            operation_id=".collection.vector.getTileSet",
            tags=["OGC Tiles API"],
        )
        async def collection_tileset(
            request: Request,
            collection: Annotated[Collection, Depends(self.collection_dependency)],
            tileMatrixSetId: Annotated[
                Literal[tms_ids],  # type: ignore[valid-type]
                Path(description="瓦片矩阵集 (tile matrix set)"),
            ],
        ):
            """One tileset: its links, its layers and the tile limits of the data."""
            tms = self.supported_tms.get(tileMatrixSetId)
            tileset = self._tileset(request, collection, tileMatrixSetId)
            tileset["layers"] = self._layers(collection)
            if bounds := collection.bounds:
                tileset["tileMatrixSetLimits"] = tile_limits(tms, bounds)
            return ORJSONResponse(tileset)


def tms_crs_uri(tms) -> str:
    """The URI of a tile matrix set's CRS (morecantile wraps it in a model)."""
    return getattr(tms.crs, "srs", None) or str(tms.crs)


def mvt_layer_name(collection: Collection) -> str:
    """The name of the collection's layer inside its tiles (tipg's rule for ``get_tile``)."""
    return collection.table if tipg_mvt_settings.set_mvt_layername else "default"


def tile_limits(tms, bounds: list[float]) -> list[dict]:
    """The rows and columns holding data at each level (OGC API Tiles ``tileMatrixSetLimits``)."""
    limits = []
    for matrix in tms:
        zoom = int(matrix.id)
        upper_left = tms.tile(bounds[0], bounds[3], zoom)
        lower_right = tms.tile(bounds[2], bounds[1], zoom)
        limits.append(
            {
                "tileMatrix": matrix.id,
                "minTileRow": max(min(upper_left.y, lower_right.y), 0),
                "maxTileRow": min(max(upper_left.y, lower_right.y), matrix.matrixHeight - 1),
                "minTileCol": max(min(upper_left.x, lower_right.x), 0),
                "maxTileCol": min(max(upper_left.x, lower_right.x), matrix.matrixWidth - 1),
            }
        )
    return limits


class OgcEndpoints(Endpoints):
    """tipg's combined endpoints built from the two factories above."""

    def register_routes(self) -> None:
        self.ogc_features = FeaturesFactory(
            collections_dependency=self.collections_dependency,
            collection_dependency=self.collection_dependency,
            router_prefix=self.router_prefix,
            templates=self.templates,
            with_common=False,
        )
        self.router.include_router(self.ogc_features.router)
        self.ogc_tiles = TilesFactory(
            collection_dependency=self.collection_dependency,
            router_prefix=self.router_prefix,
            templates=self.templates,
            supported_tms=self.supported_tms,
            with_viewer=self.with_tiles_viewer,
            with_common=False,
        )
        self.router.include_router(self.ogc_tiles.router)
