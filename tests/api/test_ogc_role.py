"""The OGC API (tipg at /ogc) reads as its own role, ``watershed_ogc``: no superuser, not the
owner, SELECT on the published layer tables only, no write on any table, no CREATE on any
schema (tipg's catalogue functions go to the session's pg_temp) — and /ogc still serves
collections, items and tiles."""

import mapbox_vector_tile
import morecantile
import pytest
from asyncpg.exceptions import InsufficientPrivilegeError
from starlette.routing import Mount

from api.ogc import PREFIX
from layers.cluster import DB_USER, OGC_USER
from layers.registry import SPATIAL_LAYERS


def _ogc_pool(client):
    mount = next(r for r in client.app.routes if isinstance(r, Mount) and r.path == PREFIX)
    app = mount.app
    while not hasattr(app, "state"):  # the mount's wrappers (MountRoot …) around tipg's app
        app = app.app
    return app.state.pool


def _fetch(client, sql: str, *args):
    pool = _ogc_pool(client)

    async def run():
        async with pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    return client.portal.call(run)


def test_the_ogc_pool_is_not_the_owner_nor_a_superuser(client) -> None:
    (row,) = _fetch(
        client,
        "SELECT current_user AS who, r.rolsuper, r.rolcreaterole, r.rolcreatedb "
        "FROM pg_roles r WHERE r.rolname = current_user",
    )
    assert row["who"] == OGC_USER and row["who"] != DB_USER
    assert (row["rolsuper"], row["rolcreaterole"], row["rolcreatedb"]) == (False, False, False)


def test_the_ogc_role_reads_the_published_tables_only_and_writes_none(client) -> None:
    rows = _fetch(
        client,
        "SELECT tablename, "
        "has_table_privilege(current_user, format('public.%I', tablename), 'SELECT') AS can_read, "
        "has_table_privilege(current_user, format('public.%I', tablename), "
        "'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS can_write "
        "FROM pg_tables WHERE schemaname = 'public'",
    )
    published = {spec.table for spec in SPATIAL_LAYERS.values()}
    tables = {r["tablename"]: r for r in rows}
    assert published <= set(tables)
    assert not [t for t, r in tables.items() if r["can_write"]]
    readable = {t for t, r in tables.items() if r["can_read"]}
    # spatial_ref_sys: PostGIS grants SELECT to PUBLIC (tipg transforms through it).
    assert readable - {"spatial_ref_sys"} == published
    for secret in ("api_tokens", "sessions", "audit_log", "alembic_version"):
        assert secret not in readable
    (schema,) = _fetch(client, "SELECT has_schema_privilege('public', 'CREATE') AS c")
    assert schema["c"] is False
    with pytest.raises(InsufficientPrivilegeError):
        _fetch(client, "DELETE FROM eco_redline")
    with pytest.raises(InsufficientPrivilegeError):
        _fetch(client, "SELECT token_sha256 FROM api_tokens")
    with pytest.raises(InsufficientPrivilegeError):
        _fetch(client, "CREATE TABLE public.evil (x int)")


def test_ogc_still_serves_collections_items_and_tiles(client, viewer) -> None:
    collections = client.get(f"{PREFIX}/collections", headers=viewer).json()["collections"]
    assert {c["id"] for c in collections} == {f"public.{s.table}" for s in SPATIAL_LAYERS.values()}
    items = client.get(
        f"{PREFIX}/collections/public.eco_redline/items",
        params={"bbox": "113.99,24.49,114.05,24.55"},
        headers=viewer,
    )
    assert items.status_code == 200
    codes = {f["properties"]["code"] for f in items.json()["features"]}
    assert {"HX-T1", "HX-T2"} <= codes
    tile = morecantile.tms.get("WebMercatorQuad").tile(114.0125, 24.5075, 14)
    url = (
        f"{PREFIX}/collections/public.eco_redline/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    )
    response = client.get(url, headers=viewer)
    assert response.status_code == 200
    names = {
        f["properties"]["name"]
        for layer in mapbox_vector_tile.decode(response.content).values()
        for f in layer["features"]
    }
    assert "测试红线甲" in names
