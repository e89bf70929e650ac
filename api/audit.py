"""The audit log (审计日志): one ``audit_log`` row for every write, who, what, from which file.

:func:`record` adds the row to the caller's session, so it commits or rolls back with the
write itself. :func:`record_separately` is for writes that run their own transaction (the
ETL loader): the row is written right after, whether the write succeeded or was refused.
"""

import hashlib
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.auth import Principal
from layers.db import session_scope
from layers.models import AuditEntry


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(
    session: Session,
    actor: Principal,
    action: str,
    target: str | None = None,
    *,
    source_sha256: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=actor.name,
            action=action,
            target=target,
            source_sha256=source_sha256,
            detail={"role": actor.role, **(detail or {})},
        )
    )


def record_separately(
    engine: Engine, actor: Principal, action: str, target: str | None = None, **kwargs: Any
) -> None:
    with session_scope(engine) as session:
        record(session, actor, action, target, **kwargs)
