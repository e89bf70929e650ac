"""Signing a tablet in by QR code (扫码登录): a signed-in desktop shows a QR code of a sign-in
link; the tablet that opens it gets a new token of its own in its cookie.

Typing a 43-character token on a tablet is painful. The link carries a one-time code, not a
token: it works once and for :data:`CODE_MINUTES` minutes (only its SHA-256 is stored), so a
photographed or logged link is worthless afterwards. The tablet's token is a viewer's, or an
analyst's when the issuer asks for it (a field team records 巡查记录, which needs analyst) and
holds at least that role itself; it is named after the issuer and revocable by that name; both
steps are audited.
"""

import datetime as dt
import secrets

import segno
from sqlalchemy import Engine, update

from api.audit import record
from api.auth import Principal, create_token, hash_token
from layers.db import session_scope
from layers.models import SigninCode

CODE_MINUTES = 5
#: The roles a tablet may get by QR code: reading, or reading and recording 巡查记录. Editing
#: layers or closing records stays with a token typed at a desk.
TABLET_ROLES = ("viewer", "analyst")


def tablet_token_name(issuer: str) -> str:
    return f"扫码登录·{issuer}"[:100]


def issue_code(engine: Engine, issuer: Principal, role: str = "viewer") -> tuple[str, dt.datetime]:
    """A new one-time code for a tablet of ``role`` and when it expires."""
    if role not in TABLET_ROLES or not issuer.allows(role):
        raise PermissionError(role)
    code = secrets.token_urlsafe(16)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=CODE_MINUTES)
    with session_scope(engine) as session:
        session.add(
            SigninCode(
                code_sha256=hash_token(code), issued_by=issuer.name, role=role, expires_at=expires
            )
        )
        detail = {"expires_at": expires.isoformat(), "tablet_role": role}
        record(session, issuer, "signin.qr_issued", detail=detail)
    return code, expires


def redeem_code(engine: Engine, code: str) -> str | None:
    """The new token for a valid, unused, unexpired code (the code is used up), else None."""
    with session_scope(engine) as session:
        issuer = session.execute(
            update(SigninCode)
            .where(
                SigninCode.code_sha256 == hash_token(code),
                SigninCode.used_at.is_(None),
                SigninCode.expires_at > dt.datetime.now(dt.UTC),
            )
            .values(used_at=dt.datetime.now(dt.UTC))
            .returning(SigninCode.issued_by, SigninCode.role)
        ).one_or_none()
    if issuer is None:
        return None
    name = tablet_token_name(issuer.issued_by)
    token = create_token(engine, issuer.role, name)
    with session_scope(engine) as session:
        principal = Principal(issuer.issued_by, None)
        record(
            session,
            principal,
            "signin.qr_redeemed",
            target=name,
            detail={"tablet_role": issuer.role},
        )
    return token


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (error correction M: a phone screen photographed)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
