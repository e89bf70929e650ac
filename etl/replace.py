"""How a load replaces its source's rows (同源替换), set-based, from the staging table.

Ordinarily: ``DELETE FROM layer WHERE source = :source`` then one ``INSERT … SELECT`` from
``_stage``; the table's constraints run on the insert. Two refinements:

* A layer that other tables reference by key (``samples.section_code → sections.code``,
  ``ON DELETE CASCADE``) is *merged* by that key instead: rows still in the file are updated
  in place, new ones inserted, and rows gone from the file deleted — unless something still
  references them, which refuses the load. Deleting and re-inserting would silently cascade
  away every sample of every section on each reload.
* A load of at least :data:`REBUILD_INDEXES_FROM` rows, no fewer than the layer keeps besides
  them, drops the secondary indexes (GiST, plain b-trees) and rebuilds them after the insert:
  one sorted build is several times faster than 10⁵ index insertions. If the source is the
  whole layer (a district's parcels reloaded), :func:`bulk_replace` TRUNCATEs it and the
  loader COPYs straight into it, skipping the staging pass. Both are transactional, so a
  refused load gets everything back; readers of the layer wait for the commit.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from etl.pgload import explain_error, identifiers
from gis.errors import InvalidInputError
from layers.sql import composed

REBUILD_INDEXES_FROM = 50_000


def bulk_replace(cur: psycopg.Cursor, table: str, source: str, incoming: int) -> list | None:
    """Prepare a whole-layer reload for a direct COPY, or return None to go through staging.

    When at least :data:`REBUILD_INDEXES_FROM` rows replace a layer that holds only this
    source's rows (or nothing) and no other table references it, the staging pass buys
    nothing: the layer is TRUNCATEd and its secondary indexes dropped, the caller COPYs
    straight into it (constraint violations then abort the COPY, traced by line), and
    :func:`rebuild_indexes` restores them. Returns ``[rows replaced, index definitions]``.
    """
    name, params = sql.Identifier(table), {"source": source}
    if incoming < REBUILD_INDEXES_FROM:
        return None
    # Dropping indexes is DDL: only the table's owner (the CLI, migrations) may; the API's
    # least-privilege role goes through staging (layers/migrate.py grant_app_role).
    owner = cur.execute(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
        (table,),
    ).fetchone()
    if not owner or not owner[0]:
        return None
    if cur.execute(composed("load_dependents"), {"table": table}).fetchall():
        return None
    if not cur.execute(composed("load_source_owns_table", table=name), params).fetchone()[0]:
        return None
    replaced = cur.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()[0]
    indexes = [tuple(r) for r in cur.execute(composed("load_secondary_indexes"), {"table": table})]
    cur.execute(sql.SQL("TRUNCATE {}").format(name))
    for index, _ in indexes:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))  # name from the catalog
    return [replaced, [definition for _, definition in indexes]]


def rebuild_indexes(cur: psycopg.Cursor, definitions: list[str]) -> None:
    for definition in definitions:
        cur.execute(sql.SQL(definition))  # definition from the catalog


def replace_rows(
    pg: psycopg.Connection, table: str, columns: list[str], source: str, label: str
) -> tuple[int, int]:
    """Replace ``source``'s rows of ``table`` by the staged ones: (rows replaced, loaded)."""
    cur = pg.cursor()
    dependents = cur.execute(composed("load_dependents"), {"table": table}).fetchall()
    try:
        with pg.transaction():  # a savepoint: violations are then traced in _stage
            if dependents:
                return _merge(cur, table, columns, source, dependents)
            return _delete_insert(cur, table, columns, source)
    except psycopg.Error as exc:
        raise explain_error(exc, cur, label=label, table=table, unit="个要素", staged=True) from exc


def _delete_insert(
    cur: psycopg.Cursor, table: str, columns: list[str], source: str
) -> tuple[int, int]:
    name, params = sql.Identifier(table), {"source": source}
    staged = cur.execute("SELECT count(*) FROM _stage").fetchone()[0]
    deleted = cur.execute(composed("load_replace_delete", table=name), params).rowcount
    rebuild = _indexes_to_rebuild(cur, table, staged, deleted)
    for index, _ in rebuild:
        cur.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))  # name from the catalog
    insert = composed("load_replace_insert", table=name, columns=identifiers(columns))
    loaded = cur.execute(insert, params).rowcount
    rebuild_indexes(cur, [definition for _, definition in rebuild])
    return deleted, loaded


def _indexes_to_rebuild(
    cur: psycopg.Cursor, table: str, incoming: int, deleted: int
) -> list[tuple[str, str]]:
    """(name, definition) of the indexes to drop and rebuild; empty for ordinary loads."""
    if incoming < REBUILD_INDEXES_FROM:
        return []
    existing = cur.execute(composed("load_table_rows"), {"table": table}).fetchone()[0]
    if incoming < max(existing - deleted, 0):
        return []
    return [tuple(row) for row in cur.execute(composed("load_secondary_indexes"), {"table": table})]


def _merge(
    cur: psycopg.Cursor, table: str, columns: list[str], source: str, dependents: list
) -> tuple[int, int]:
    name, params = sql.Identifier(table), {"source": source}
    keys = {key for _, _, key in dependents}
    if len(keys) != 1:  # pragma: no cover - no layer is referenced by two keys
        raise NotImplementedError(f"{table} is referenced through several keys: {keys}")
    key = sql.Identifier(keys.pop())
    for child, child_column, _ in dependents:
        orphans = cur.execute(
            composed(
                "load_merge_orphans",
                table=name,
                key=key,
                child=sql.Identifier(child),
                child_column=sql.Identifier(child_column),
            ),
            params,
        ).fetchall()
        if orphans:
            listed = "、".join(f"{k}（{n} 条）" for k, n in orphans)
            raise InvalidInputError(
                f"新文件中不再有 {listed}，但表 {child} 仍有引用它们的数据"
                f"（rows still referenced by {child}）。数据未作任何改动。",
                hint=f"请在文件中保留这些要素，或先删除 {child} 中引用它们的数据再导入。",
            )
    deleted = cur.execute(composed("load_merge_delete", table=name, key=key), params).rowcount
    staged = sql.SQL(", ").join(sql.Identifier("s", c) for c in columns)
    update = composed(
        "load_merge_update", table=name, key=key, columns=identifiers(columns), staged=staged
    )
    updated = cur.execute(update, params).rowcount
    insert = composed("load_merge_insert", table=name, key=key, columns=identifiers(columns))
    inserted = cur.execute(insert, params).rowcount
    return deleted + updated, updated + inserted
