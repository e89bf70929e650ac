"""Inspection records (巡查记录) as services for the router: each write is one transaction
holding the record, its history rows and its audit row.

Idempotent by the device's ids: a record or photo sent again (a retry after a lost answer)
changes nothing and writes no second row. A stale edit (based on an older version) is merged
by :func:`gis.records.merge`; the version that lost a conflict is kept in the history.
"""

from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from api.audit import attempt_audited, sha256_of
from api.audit import record as audit
from api.auth import Principal
from gis.errors import ConflictError, NotFoundError
from gis.records import inspect_photo, merge
from layers import records
from layers.db import reading, session_scope


def attempted(
    engine: Engine,
    caller: Principal,
    action: str,
    record_id: UUID,
    source_sha256: str | None = None,
    **detail: Any,
) -> AbstractContextManager[None]:
    """A refused or failed write of a record audited as ``{action}.refused`` / ``.failed``
    (api.audit.attempt_audited): who tried to change which record, and why it was refused."""
    return attempt_audited(
        engine, caller, action, str(record_id), source_sha256=source_sha256, detail=detail
    )


def _not_found(record_id: UUID) -> NotFoundError:
    return NotFoundError(f"没有编号为 {record_id} 的巡查记录 (unknown inspection record).")


def _editable(values: dict[str, Any]) -> dict[str, Any]:
    """The fields the conflict rule compares; the position is one field."""
    location = (values["lon"], values["lat"], values["accuracy_m"], values["located_by"])
    return {
        "kind": values["kind"],
        "severity": values["severity"],
        "notes": values["notes"],
        "location": location,
        "observed_at": values["observed_at"],
    }


def _columns(editable: dict[str, Any], device_id: str | None) -> dict[str, Any]:
    lon, lat, accuracy, located_by = editable["location"]
    return {
        "kind": editable["kind"],
        "severity": editable["severity"],
        "notes": editable["notes"],
        "lon": lon,
        "lat": lat,
        "accuracy_m": accuracy,
        "located_by": located_by,
        "observed_at": editable["observed_at"],
        "device_id": device_id,
    }


def save(
    engine: Engine, caller: Principal, record_id: UUID, values: dict[str, Any], base: int | None
) -> dict[str, Any]:
    """Create the record, or apply an edit of version ``base`` (None: the device's first copy,
    i.e. version 1). Returns the outcome, the fields applied and those that conflicted."""
    with attempted(engine, caller, "record.save", record_id), session_scope(engine) as session:
        conn = session.connection()
        current = records.lock(conn, record_id)
        if current is None:
            if base is not None:
                raise _not_found(record_id)
            if records.insert(conn, record_id, values, caller.name):
                audit(session, caller, "record.create", str(record_id), detail={"version": 1})
                return {"outcome": "created", "version": 1, "applied": [], "conflicts": []}
            current = records.lock(conn, record_id)  # created meanwhile by the same device
        return _edit(session, caller, record_id, current, values, base or 1)


def _edit(session, caller, record_id, current, values, base) -> dict[str, Any]:
    conn = session.connection()
    if base > current["version"]:
        raise ConflictError(
            f"巡查记录 {record_id} 在服务器上只有第 {current['version']} 版，"
            f"不能基于第 {base} 版修改 (base version ahead of the server).",
            hint="请先刷新记录。",
        )
    based = current if base == current["version"] else records.version_values(conn, record_id, base)
    if based is None:
        raise ConflictError(f"巡查记录 {record_id} 没有第 {base} 版 (unknown base version).")
    result = merge(_editable(based), _editable(current), _editable(values))
    version = current["version"]
    if result.changed:
        records.keep(conn, record_id, version, current, caller.name)
        version = records.update(
            conn, record_id, _columns(result.values, values["device_id"]), caller.name
        )
    lost = None
    if result.conflicts:
        loser = {**values, "version": None, "updated_by": caller.name}
        if not records.conflict_known(conn, record_id, base, loser):
            lost = loser
            records.keep(
                conn, record_id, version, loser, caller.name,
                reason="conflict", based_on=base, conflicts=result.conflicts,
            )  # fmt: skip
    if not result.changed and lost is None:
        outcome = "unchanged"
    else:
        outcome = "conflict" if result.conflicts else "updated"
        detail = {
            "version": version,
            "based_on": base,
            "applied": list(result.applied),
            "conflicts": list(result.conflicts),
        }
        action = "record.conflict" if result.conflicts else "record.update"
        audit(session, caller, action, str(record_id), detail=detail)
    return {
        "outcome": outcome,
        "version": version,
        "applied": list(result.applied),
        "conflicts": list(result.conflicts),
    }


def close(engine: Engine, caller: Principal, record_id: UUID, note: str) -> dict[str, Any]:
    """Close a record with a note (a retry with the same note changes nothing)."""
    with attempted(engine, caller, "record.close", record_id), session_scope(engine) as session:
        conn = session.connection()
        current = records.lock(conn, record_id)
        if current is None:
            raise _not_found(record_id)
        if current["status"] == "closed":
            if current["close_note"] != note:
                raise ConflictError(
                    f"巡查记录 {record_id} 已由 {current['closed_by']} 关闭 "
                    "(record already closed with another note)."
                )
            return {"outcome": "unchanged", "version": current["version"]}
        records.keep(conn, record_id, current["version"], current, caller.name)
        version = records.close(conn, record_id, note, caller.name)
        audit(session, caller, "record.close", str(record_id), detail={"version": version})
    return {"outcome": "closed", "version": version}


def add_photo(
    engine: Engine, caller: Principal, record_id: UUID, photo_id: UUID, data: bytes
) -> dict[str, Any]:
    """Store a photo of a record: checked by decoding, EXIF time and position kept. The same
    photo id with the same bytes again changes nothing; with other bytes it is refused."""
    digest = sha256_of(data)
    detail = {"photo": str(photo_id), "size_bytes": len(data)}
    with attempted(engine, caller, "record.photo", record_id, source_sha256=digest, **detail):
        return _add_photo(engine, caller, record_id, photo_id, data, digest)


def _add_photo(
    engine: Engine, caller: Principal, record_id: UUID, photo_id: UUID, data: bytes, digest: str
) -> dict[str, Any]:
    info = inspect_photo(data)
    with session_scope(engine) as session:
        conn = session.connection()
        if records.lock(conn, record_id) is None:
            raise _not_found(record_id)
        known = records.photo_owner(conn, photo_id)
        if known is not None:
            if known != (record_id, digest):
                raise ConflictError(
                    f"照片编号 {photo_id} 已用于另一张照片 (photo id reused for other content)."
                )
            return {"outcome": "unchanged", "id": str(photo_id), "sha256": digest}
        records.insert_photo(
            conn,
            {
                "id": str(photo_id),
                "record_id": str(record_id),
                "sha256": digest,
                "content_type": info.content_type,
                "size_bytes": len(data),
                "width": info.width,
                "height": info.height,
                "taken_at": info.taken_at,
                "lon": info.lon,
                "lat": info.lat,
                "data": data,
                "actor": caller.name,
            },
        )
        detail = {"photo": str(photo_id), "size_bytes": len(data), "type": info.content_type}
        audit(session, caller, "record.photo", str(record_id), source_sha256=digest, detail=detail)
    return {"outcome": "created", "id": str(photo_id), "sha256": digest}


def feature_collection(engine: Engine, **filters: Any) -> dict[str, Any]:
    with reading(engine) as conn:
        return records.features(conn, **filters)


def one(engine: Engine, record_id: UUID) -> dict[str, Any]:
    """The record as a GeoJSON Feature with its history (superseded and losing versions)."""
    with reading(engine) as conn:
        found = records.features(conn, id=record_id)["features"]
        if not found:
            raise _not_found(record_id)
        return {**found[0], "history": records.history(conn, record_id)}


def photo(engine: Engine, record_id: UUID, photo_id: UUID) -> tuple[bytes, str, str]:
    with reading(engine) as conn:
        row = records.photo(conn, record_id, photo_id)
    if row is None:
        raise NotFoundError(f"没有编号为 {photo_id} 的照片 (unknown photo).")
    return bytes(row.data), row.content_type, row.sha256
