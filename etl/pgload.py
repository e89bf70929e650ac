"""Writing to PostGIS (写库): packaged SQL, streamed COPY, and database errors explained.

Shared by the layer loader and the samples loader. SQL lives in ``layers/sql/load_*.sql``,
loaded by :func:`layers.sql.composed` (the one loader of packaged SQL); table and column names
are filled in with :mod:`psycopg.sql` identifiers taken from the model (never from input),
values are always bound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import psycopg
from geoalchemy2 import Geometry
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Boolean, Column, Date, Float, Integer, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB

from etl.pgcopy import copy_payload
from etl.report import Progress
from gis.errors import DatabaseUnavailableError, InvalidInputError
from layers.sql import composed

COPY_CHUNK_ROWS = 20_000
_COPY_LINE = re.compile(r"COPY \w+, line (\d+)")


def identifiers(names: Sequence[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def require_table(cur: psycopg.Cursor, table: str) -> None:
    if not cur.execute(composed("load_table_exists"), {"table": table}).fetchone()[0]:
        raise DatabaseUnavailableError(
            f"数据库中没有表 {table}（schema not migrated）。",
            hint="请先运行 `watershed db upgrade`。",
        )


def copy_kind(column: Column) -> str:
    """The :mod:`etl.pgcopy` encoding of a model column."""
    kind = column.type
    if isinstance(kind, Geometry):
        return "bytea"  # EWKB: PostGIS's geometry_recv reads it
    if isinstance(kind, JSONB):
        return "jsonb"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Float):
        return "float8"
    if isinstance(kind, SmallInteger):
        return "int2"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, String):
        return "text"
    raise TypeError(f"no COPY encoding for {column.name}: {kind!r}")


def copy_frame(
    cur: psycopg.Cursor,
    table: str,
    frame: pd.DataFrame,
    kinds: dict[str, str],
    progress: Progress,
    stage: str,
    span: tuple[float, float],
) -> None:
    """COPY ``frame`` (columns named as the table's) into ``table`` in binary, in chunks.

    ``kinds`` gives each column's encoding (:func:`copy_kind`); values are encoded a whole
    column at a time by :mod:`etl.pgcopy`, so there is no per-row Python. The server
    parses and checks rows slower than numpy encodes them, so psycopg's queued writer sends
    each chunk from its own thread (waiting on the socket without the GIL) while the next
    one is encoded; a refused row still surfaces here, at a later write or at the end.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(table), identifiers(list(frame.columns))
    )
    start, end = span
    total = max(len(frame), 1)
    with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        for data, done in copy_payload(frame, kinds, COPY_CHUNK_ROWS):
            copy.write(data)
            progress(stage, start + (end - start) * done / total)


def explain_error(
    exc: psycopg.Error,
    cur: psycopg.Cursor,
    *,
    label: str,
    table: str,
    unit: str,
    copy_rows: np.ndarray | None = None,
    staged: bool = False,
) -> InvalidInputError:
    """A database error as an :class:`InvalidInputError` naming the layer, the constraint
    and, when they can be found, the offending features (``unit`` is "个要素" or "行").

    ``copy_rows`` maps a COPY line (1-based) to the feature/row number shown to the user;
    ``staged`` says the transaction is still usable and ``_stage`` holds the features, so a
    CHECK violation can be traced to the features that fail it.
    """
    diag = exc.diag
    constraint = diag.constraint_name
    where = _copy_row(diag.context, copy_rows, unit)
    if isinstance(exc, psycopg.errors.CheckViolation) and constraint:
        definition = _constraint_definition(cur, constraint, table)
        if staged and not where:
            where = _failing_rows(cur, definition, unit)
        what = f"违反约束 {constraint}（{definition or diag.message_primary}）"
    elif isinstance(exc, psycopg.errors.UniqueViolation):
        what = f"违反唯一约束 {constraint}：{diag.message_detail or diag.message_primary}"
        where = where or _holder_of(cur, table, diag.message_detail)
    elif isinstance(exc, psycopg.errors.ForeignKeyViolation):
        what = f"违反外键约束 {constraint}：{diag.message_detail or diag.message_primary}"
    elif isinstance(exc, psycopg.errors.NotNullViolation):
        what = f"字段 {diag.column_name} 不能为空"
    else:
        what = f"数据库拒绝了数据：{diag.message_primary or exc}"
    located = f"（{where}）" if where else ""
    return InvalidInputError(
        f"图层 {label} 导入失败，{what}{located}（database refused the data: "
        f"{type(exc).__name__}）。数据未作任何改动。",
        hint="请修正文件中的这些要素后重新导入。",
    )


_KEY_DETAIL = re.compile(r"Key \((\w+)\)=\((.*)\) already exists\.")


def _holder_of(cur: psycopg.Cursor, table: str, detail: str | None) -> str:
    """Who already holds a unique key: a row of another source file (named), or, when no
    stored row has it, the file itself (the key appears twice in it). Runs after the
    failed statement's savepoint was rolled back, so the transaction is usable."""
    match = _KEY_DETAIL.fullmatch(detail or "")
    if not match:
        return "该值与已有数据重复"
    column, value = match.groups()
    try:
        found = cur.execute(
            composed("unique_holder", table=sql.Identifier(table), column=sql.Identifier(column)),
            {"value": value},
        ).fetchone()
    except psycopg.Error:  # the transaction is not usable after all: say no more than known
        return "该值与已有数据重复"
    if found is None:
        return f"文件中 {column} = {value} 出现了不止一次"
    return f"该值已存在于由来源文件 {found[0]} 导入的数据中"


def _copy_row(context: str | None, copy_rows: np.ndarray | None, unit: str) -> str | None:
    match = _COPY_LINE.search(context or "")
    if not match or copy_rows is None:
        return None
    line = int(match.group(1))
    return f"第 {int(copy_rows[line - 1])} {unit}" if 0 < line <= len(copy_rows) else None


def _constraint_definition(cur: psycopg.Cursor, name: str, table: str) -> str | None:
    row = cur.execute(composed("load_constraint_def"), {"name": name, "table": table}).fetchone()
    return row[0] if row else None


def _failing_rows(cur: psycopg.Cursor, definition: str | None, unit: str) -> str | None:
    match = re.fullmatch(r"CHECK \((.*)\)( NOT VALID)?", definition or "", flags=re.S)
    if not match:
        return None
    check = sql.SQL(match.group(1))  # from pg_constraint, not from input
    rows = [r[0] for r in cur.execute(composed("load_stage_violations", check=check)).fetchall()]
    return "、".join(f"第 {r} {unit}" for r in rows) if rows else None
