"""Inspection records (巡查记录) in PostGIS: the statements behind each write and read.

Every function takes the connection of the caller's transaction: a write, its history rows and
its audit row commit together (:mod:`api.inspection_records`). Values are always bound
(``layers/sql/records_*.sql``); the GeoJSON is produced by PostGIS.
"""

import datetime as dt
import json
from typing import Any
from uuid import UUID

from sqlalchemy import Connection

from layers.sql import query

SNAPSHOT_KEYS = (
    "kind", "severity", "notes", "lon", "lat", "accuracy_m", "located_by", "observed_at",
    "device_id", "status", "close_note", "closed_by", "closed_at", "version",
    "updated_by", "updated_at",
)  # fmt: skip


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def lock(conn: Connection, record_id: UUID) -> dict[str, Any] | None:
    """The record's current values (locked until the transaction ends), or None."""
    row = conn.execute(query("records_lock"), {"id": str(record_id)}).mappings().first()
    return dict(row) if row else None


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """The JSON-able copy of a version kept in the history."""
    return json.loads(_json({k: values.get(k) for k in SNAPSHOT_KEYS}))


def from_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """A kept version's values, with its times parsed back (for comparing with a row)."""
    out = dict(data)
    for key in ("observed_at", "closed_at", "updated_at"):
        if out.get(key):
            out[key] = dt.datetime.fromisoformat(out[key])
    return out


def insert(conn: Connection, record_id: UUID, values: dict[str, Any], actor: str) -> bool:
    """A new record; False when one with this id exists already (nothing written)."""
    params = {**values, "id": str(record_id), "actor": actor}
    return conn.execute(query("records_insert"), params).first() is not None


def update(conn: Connection, record_id: UUID, values: dict[str, Any], actor: str) -> int:
    """Write the editable fields as a new version; returns the version number."""
    params = {**values, "id": str(record_id), "actor": actor}
    return conn.execute(query("records_update"), params).scalar_one()


def close(conn: Connection, record_id: UUID, note: str, actor: str) -> int:
    params = {"id": str(record_id), "note": note, "actor": actor}
    return conn.execute(query("records_close"), params).scalar_one()


def keep(
    conn: Connection,
    record_id: UUID,
    version: int,
    values: dict[str, Any],
    actor: str,
    *,
    reason: str = "superseded",
    based_on: int | None = None,
    conflicts: tuple[str, ...] = (),
) -> None:
    """Keep a version in the history: one superseded by a newer one, or one that lost."""
    params = {
        "id": str(record_id),
        "version": version,
        "reason": reason,
        "based_on": based_on,
        "snapshot": _json(snapshot(values)),
        "conflicts": _json(list(conflicts)),
        "actor": actor,
    }
    conn.execute(query("records_history_insert"), params)


def conflict_known(
    conn: Connection, record_id: UUID, based_on: int, values: dict[str, Any]
) -> bool:
    params = {"id": str(record_id), "based_on": based_on, "snapshot": _json(snapshot(values))}
    return conn.execute(query("records_conflict_known"), params).scalar_one()


def version_values(conn: Connection, record_id: UUID, version: int) -> dict[str, Any] | None:
    """The values of an earlier, superseded version."""
    data = conn.execute(
        query("records_history_base"), {"id": str(record_id), "version": version}
    ).scalar()
    return from_snapshot(data) if data is not None else None


def history(conn: Connection, record_id: UUID) -> list[dict[str, Any]]:
    rows = conn.execute(query("records_history"), {"id": str(record_id)}).mappings()
    return [dict(r) for r in rows]


#: Records per page of the list: the most it sends at once (``limit``), and its default.
PAGE_MAX = 5000
PAGE_DEFAULT = 1000


def features(
    conn: Connection, *, limit: int = PAGE_DEFAULT, offset: int = 0, **filters: Any
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of one page of the records matching ``filters`` (see the
    SQL), with ``numberMatched`` and ``numberReturned``."""
    params: dict[str, Any] = dict.fromkeys(
        ("id", "kind", "status", "date_from", "date_to", "xmin", "ymin", "xmax", "ymax")
    )
    params.update({k: v for k, v in filters.items() if v is not None})
    params |= {"limit": limit, "offset": offset}
    if params["id"] is not None:
        params["id"] = str(params["id"])
    return conn.execute(query("records_features"), params).scalar_one()


def photo_owner(conn: Connection, photo_id: UUID) -> tuple[UUID, str] | None:
    row = conn.execute(query("records_photo_find"), {"id": str(photo_id)}).first()
    return (row.record_id, row.sha256) if row else None


def insert_photo(conn: Connection, params: dict[str, Any]) -> None:
    conn.execute(query("records_photo_insert"), params)


def photo(conn: Connection, record_id: UUID, photo_id: UUID) -> Any:
    return conn.execute(
        query("records_photo_bytes"), {"id": str(photo_id), "record_id": str(record_id)}
    ).first()
