"""Signing a tablet in by QR code (扫码登录): a signed-in desktop shows a QR code of a sign-in
link; the tablet that opens it gets a new viewer token of its own in its cookie.

Typing a 43-character token on a tablet is painful. The link carries a one-time code, not a
token: it works once and for :data:`CODE_MINUTES` minutes (only its SHA-256 is stored), so a
photographed or logged link is worthless afterwards. The tablet's token is a viewer's whatever
the issuer's role, named after the issuer and revocable by that name; both steps are audited.
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
TABLET_ROLE = "viewer"


def tablet_token_name(issuer: str) -> str:
    return f"扫码登录·{issuer}"[:100]


def issue_code(engine: Engine, issuer: Principal) -> tuple[str, dt.datetime]:
    """A new one-time code and when it expires."""
    code = secrets.token_urlsafe(16)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=CODE_MINUTES)
    with session_scope(engine) as session:
        session.add(
            SigninCode(code_sha256=hash_token(code), issued_by=issuer.name, expires_at=expires)
        )
        record(session, issuer, "signin.qr_issued", detail={"expires_at": expires.isoformat()})
    return code, expires


def redeem_code(engine: Engine, code: str) -> str | None:
    """The new viewer token for a valid, unused, unexpired code (the code is used up), else None."""
    with session_scope(engine) as session:
        issuer = session.execute(
            update(SigninCode)
            .where(
                SigninCode.code_sha256 == hash_token(code),
                SigninCode.used_at.is_(None),
                SigninCode.expires_at > dt.datetime.now(dt.UTC),
            )
            .values(used_at=dt.datetime.now(dt.UTC))
            .returning(SigninCode.issued_by)
        ).scalar_one_or_none()
    if issuer is None:
        return None
    name = tablet_token_name(issuer)
    token = create_token(engine, TABLET_ROLE, name)
    with session_scope(engine) as session:
        record(session, Principal(issuer, None), "signin.qr_redeemed", target=name)
    return token


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (error correction M: a phone screen photographed)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
