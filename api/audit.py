"""The audit log (审计日志): one ``audit_log`` row for every write, who, what, from which file.

:func:`record` adds the row to the caller's session, so it commits or rolls back with the
write itself. :func:`record_separately` is for writes that run their own transaction (the
ETL loader): the row is written right after, whether the write succeeded or was refused.
"""

import getpass
import hashlib
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.auth import Principal
from gis.errors import WatershedError
from layers.db import session_scope
from layers.models import AuditEntry

log = logging.getLogger(__name__)


def cli_actor() -> Principal:
    """Who runs a CLI command: the operating-system account and the machine (``cli:`` marks
    it apart from API tokens). The CLI connects with the database's own credentials, so the
    account is the only name there is."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a bare container)
        user = "unknown"
    return Principal(f"cli:{user}@{socket.gethostname()}", "cli")


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


def record_failure(
    engine: Engine, actor: Principal, action: str, target: str | None, error: BaseException, **kw
) -> None:
    """The audit row of a write that failed unexpectedly (no WatershedError): the error's
    class only (its text may hold SQL or paths). When the database itself is what failed,
    the row cannot be written: that is logged instead, and the caller's error goes on."""
    detail = {**kw.pop("detail", {}), "error": type(error).__name__}
    try:
        record_separately(engine, actor, action, target, detail=detail, **kw)
    except Exception:
        log.exception("audit row for failed %s on %s not written", action, target)


@contextmanager
def attempt_audited(
    engine: Engine,
    actor: Principal,
    action: str,
    target: str | None,
    *,
    source_sha256: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Iterator[None]:
    """A write that does not go through leaves its audit row too, in a transaction of its
    own: ``{action}.refused`` with the message the user got (a WatershedError: a bad file, a
    closed record, an unknown id), ``{action}.failed`` with the error's class (anything else).
    A write that goes through writes its own row with the write. The row of an attempt is
    never what the caller sees fail: when it cannot be written (the database is what failed),
    that is logged and the first error goes on."""
    try:
        yield
    except WatershedError as exc:
        refused = {**(detail or {}), "refused": exc.message}
        try:
            record_separately(
                engine, actor, f"{action}.refused", target, source_sha256=source_sha256,
                detail=refused,
            )  # fmt: skip
        except Exception:
            log.exception("audit row for refused %s on %s not written", action, target)
        raise
    except Exception as exc:
        record_failure(
            engine, actor, f"{action}.failed", target, exc,
            source_sha256=source_sha256, detail=detail or {},
        )  # fmt: skip
        raise
