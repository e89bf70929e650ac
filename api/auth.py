"""Access control (访问控制): API tokens with roles, checked by FastAPI dependencies.

A token is a random string (``secrets.token_urlsafe``) shown once; only its SHA-256 is kept
in ``api_tokens``. Roles are ordered viewer < analyst < editor < admin and a route asks for
the least role it needs. Writes always need a token; reads need one only when
``Settings.read_requires_token`` (red-line vectors are sensitive data). The token comes from
``Authorization: Bearer …``; the map page's ``watershed_token`` cookie carries a session id
instead (:func:`create_session` at sign-in, :func:`end_session` at sign-out): the token
itself never sits in a browser, and signing out ends the session on the server.
"""

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select, text, update
from starlette.concurrency import run_in_threadpool

from gis.errors import InvalidInputError
from layers.db import session_scope
from layers.models import ApiToken
from layers.models.system import ROLES

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_COOKIE = "watershed_token"

_bearer = HTTPBearer(auto_error=False, description="API 令牌（watershed token create 生成）")
_cookie = APIKeyCookie(name=TOKEN_COOKIE, auto_error=False, description="地图页面使用的令牌 Cookie")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name (recorded in the audit log) and role; None = no token."""

    name: str
    role: str | None

    def allows(self, role: str) -> bool:
        return self.role is not None and ROLE_RANK[self.role] >= ROLE_RANK[role]


ANONYMOUS = Principal("anonymous", None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: str) -> str:
    if role not in ROLE_RANK:
        raise InvalidInputError(
            f"未知角色 '{role}' (unknown role).", hint=f"可用角色：{', '.join(ROLES)}"
        )
    return role


def create_token(engine: Engine, role: str, name: str | None = None) -> str:
    """Store a new token's hash with ``role`` and return the token (shown once, never stored)."""
    check_role(role)
    token = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        session.add(ApiToken(name=name or role, role=role, token_sha256=hash_token(token)))
    return token


def revoke_token(engine: Engine, name: str) -> int:
    """Revoke every token called ``name``; returns how many were revoked."""
    with _recent_lock:
        _recent.clear()  # no outage grace for a token revoked here
    with session_scope(engine) as session:
        result = session.execute(
            update(ApiToken).where(ApiToken.name == name, ~ApiToken.revoked).values(revoked=True)
        )
        return result.rowcount


#: How long a sign-in lasts (the cookie's max-age too).
SESSION_SECONDS = 30 * 24 * 3600
_SESSION_PRINCIPAL = text(
    "SELECT t.name, t.role FROM sessions s JOIN api_tokens t ON t.id = s.token_id "
    "WHERE s.sid_sha256 = :sid AND NOT s.revoked AND s.expires_at > now() AND NOT t.revoked"
)


def create_session(engine: Engine, token: str) -> str | None:
    """A new session id for a valid token (None when the token is not): only its SHA-256
    is stored, bound to the token, so revoking the token ends the session."""
    sid = secrets.token_urlsafe(32)
    sql = text(
        "INSERT INTO sessions (sid_sha256, token_id, expires_at) "
        "SELECT :sid, id, now() + make_interval(secs => :seconds) FROM api_tokens "
        "WHERE token_sha256 = :token AND NOT revoked RETURNING id"
    )
    params = {"sid": hash_token(sid), "token": hash_token(token), "seconds": SESSION_SECONDS}
    with engine.begin() as conn:
        created = conn.execute(sql, params).first()
    return sid if created else None


def end_session(engine: Engine, sid: str) -> None:
    """Revoke a session (signing out): its cookie, copied or not, opens nothing after."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE sessions SET revoked = true WHERE sid_sha256 = :sid"),
            {"sid": hash_token(sid)},
        )
    with _recent_lock:
        _recent.clear()


#: During a database outage a token checked within this many seconds is still accepted:
#: only reads of cached evaluations can succeed then (every write needs the database), and
#: a revocation made during the outage cannot have happened.
OUTAGE_GRACE_SECONDS = 600
_recent: dict[str, tuple[float, Principal]] = {}
_recent_lock = threading.Lock()


def principal_for(engine: Engine, token: str, *, session: bool = False) -> Principal | None:
    """The principal of a valid, unrevoked token — or, with ``session``, of a live session
    id from the cookie (a raw token in the cookie opens nothing) — else None."""
    digest = hash_token(token)
    query = select(ApiToken.name, ApiToken.role).where(
        ApiToken.token_sha256 == digest, ~ApiToken.revoked
    )
    if session:
        query = _SESSION_PRINCIPAL.bindparams(sid=digest)
        digest = "session:" + digest
    try:
        with engine.connect() as conn:
            row = conn.execute(query).first()
    except Exception as exc:
        from api.errors import is_outage

        with _recent_lock:
            known = _recent.get(digest)
        if is_outage(exc) and known and time.monotonic() - known[0] < OUTAGE_GRACE_SECONDS:
            return known[1]
        raise
    principal = Principal(row.name, row.role) if row else None
    with _recent_lock:
        if principal is None:
            _recent.pop(digest, None)
        else:
            if len(_recent) > 10_000:  # bounded: tokens are few, guesses are not stored
                _recent.clear()
            _recent[digest] = (time.monotonic(), principal)
    return principal


async def _presented_token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> tuple[str, bool] | None:
    """The credential and whether it is a session id (from the cookie)."""
    if bearer and bearer.credentials:
        return bearer.credentials, False
    return (cookie, True) if cookie else None


# The dependencies are async so a request without a token never leaves the event loop (sync
# dependencies each cost a thread-pool hop, which shows on small tiles); only the token
# lookup itself runs in the pool.
async def _caller(
    request: Request, presented: Annotated[tuple[str, bool] | None, Depends(_presented_token)]
) -> Principal:
    if not presented:
        return ANONYMOUS
    token, session = presented
    principal = await run_in_threadpool(
        principal_for, request.app.state.engine, token, session=session
    )
    if principal is None:
        raise _unauthorised("令牌无效或已撤销 (invalid or revoked token).")
    return principal


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def ensure_role(principal: Principal, role: str) -> Principal:
    """401 without a token, 403 when the token's role is below ``role``."""
    if principal.role is None:
        raise _unauthorised(
            f"需要令牌（至少 {role} 角色）(a token with role {role} or higher is required)."
        )
    if not principal.allows(role):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"权限不足：需要 {role} 及以上角色，当前为 {principal.role} "
            f"(role {role} or higher required).",
        )
    return principal


def require_role(role: str):
    """Dependency: the caller, who must hold ``role`` or a higher one."""
    check_role(role)

    async def dependency(principal: Annotated[Principal, Depends(_caller)]) -> Principal:
        return ensure_role(principal, role)

    return dependency


async def require_reader(
    request: Request, principal: Annotated[Principal, Depends(_caller)]
) -> Principal:
    """Reads: a token (any role) when ``Settings.read_requires_token``, else anyone."""
    if request.app.state.settings.read_requires_token:
        return ensure_role(principal, "viewer")
    return principal


#: Anyone; a token, when sent, must be valid.
CallerDep = Annotated[Principal, Depends(_caller)]
#: Reads: a token only when the setting asks for one.
ReaderDep = Annotated[Principal, Depends(require_reader)]
ViewerDep = Annotated[Principal, Depends(require_role("viewer"))]
AnalystDep = Annotated[Principal, Depends(require_role("analyst"))]
EditorDep = Annotated[Principal, Depends(require_role("editor"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]
