"""Security headers, a Content-Security-Policy of the app's own origin, and an Origin check
on cookie-authenticated writes (issue 16, defect 8).

* Every response carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: same-origin``, ``Cross-Origin-Opener-Policy: same-origin`` and a CSP
  whose sources are ``'self'`` only (plus 天地图's tile hosts for images when a 天地图 token
  is configured). The map page's inline scripts (Folium writes the map's set-up inline) are
  allowed by their SHA-256, computed on the response itself: a script injected through data
  would have another hash and not run. Styles keep ``'unsafe-inline'`` (Leaflet positions
  every tile and marker with inline styles; CSS cannot run script).
* A write (POST, PUT, PATCH, DELETE) carrying the session cookie and no ``Authorization``
  header must come from a page of this site: its ``Origin`` (or, lacking one, ``Referer``)
  names the host the request was sent to (a request with neither header is not from a
  browser page and passes); else 403. Bearer-token clients (scripts, QGIS)
  send no cookie and are not concerned: a browser never adds that header by itself.
* The two HTML forms (sign-in, sign-out) also carry a CSRF token (:func:`csrf_token`), checked
  by their routes (:func:`form_token_ok`): Origin can be absent (old browsers, privacy
  proxies strip it) and SameSite is a browser's promise, so a form post is accepted only
  with proof that it was rendered for this browser. The token is a one-way hash of a secret
  the browser holds in an HttpOnly cookie another site can neither read nor compute from:
  the session id for sign-out (a synchronizer token tied to the session), a random
  pre-session nonce (:data:`CSRF_COOKIE`) for sign-in (login CSRF). No server key is needed
  (none is kept across processes and restarts), which is why no signing library is used.
  The page's JSON and upload calls need no token: they are cookie writes under the Origin
  check above, and a cross-site page cannot send them (JSON needs a CORS preflight).
* The OpenAPI documents and their pages (``/openapi.json``, ``/docs`` and
  tipg's under ``/ogc``) describe every route and parameter: with
  ``Settings.openapi_requires_token`` (the default) they need a valid token (any role), by
  header or cookie; a browser without one is sent to the sign-in page.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import TOKEN_COOKIE, principal_for

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: The API description and its pages, the main app's and tipg's (mounted at /ogc).
DOC_PATHS = frozenset(
    p + d
    for p in ("", "/ogc")
    for d in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/api", "/api.html")
)
TIANDITU_IMAGES = "https://*.tianditu.gov.cn"
#: HTML pages larger than this are sent without hashing (none of ours comes near).
MAX_HASHED_HTML = 8 * 1024 * 1024
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)([^>]*)>(.*?)</script\s*>", re.S | re.I)
_NOT_SCRIPT = re.compile(rb"\btype\s*=\s*[\"']?application/(ld\+)?json", re.I)

STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
ORIGIN_MESSAGE = (
    "跨站请求被拒绝：写操作须来自本站页面 (cross-site request refused: Origin does not match)。"
)


#: The sign-in form's pre-session nonce (HttpOnly, SameSite=Strict); the form field of both.
CSRF_COOKIE = "watershed_csrf"
CSRF_FIELD = "csrf"
CSRF_MESSAGE = (
    "表单已失效或不是由本站页面提交，请刷新页面后重试 "
    "(CSRF token missing or invalid: reload the page and try again)。"
)


def csrf_token(secret: str) -> str:
    """The form token for a browser secret (session id or sign-in nonce): SHA-256 under a
    prefix of its own, so it is neither the secret nor the hash the sessions table keeps."""
    digest = hashlib.sha256(b"watershed-csrf\0" + secret.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_csrf_nonce() -> str:
    return secrets.token_urlsafe(32)


def form_token_ok(secret: str | None, presented: str | None) -> bool:
    """Whether a form's token matches the browser's secret (constant-time comparison)."""
    if not secret or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret), presented)


def content_security_policy(script_hashes: list[str], tianditu: bool) -> str:
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    images = "'self' data: blob:" + (f" {TIANDITU_IMAGES}" if tianditu else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def inline_script_hashes(html: bytes) -> list[str]:
    """Base64 SHA-256 of each executable inline script's text, as CSP level 2 wants it."""
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        if _NOT_SCRIPT.search(attributes):
            continue
        hashes.append(base64.b64encode(hashlib.sha256(body).digest()).decode())
    return sorted(set(hashes))


def _same_origin(headers: Headers) -> bool:
    """False when Origin (or Referer) names another site, or is "null" (a sandboxed or
    privacy-redirected page). Neither header at all is allowed: every browser in use sends
    Origin on a POST, so such a request comes from a script holding the cookie itself, not
    from a page tricking a browser (and the cookie is SameSite=Strict)."""
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    host = headers.get("host", "").lower()
    return bool(host) and source != "null" and urlsplit(source).netloc.lower() == host


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, tianditu: bool = False) -> None:
        self.app = app
        self.tianditu = tianditu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope.get("path") in DOC_PATHS and not await self._may_read_docs(scope):
            await _docs_refused(scope, receive, send)
            return
        if (
            scope["method"] in UNSAFE_METHODS
            and TOKEN_COOKIE in headers.get("cookie", "")
            and "authorization" not in headers
            and not _same_origin(headers)
        ):
            await _forbidden(send)
            return

        start: Message | None = None
        chunks: list[bytes] = []

        async def secure_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in STATIC_HEADERS.items():
                    response_headers.setdefault(name, value)
                html = response_headers.get("content-type", "").startswith("text/html")
                if not html or "content-encoding" in response_headers:
                    # Not a page, or compressed by tipg's mount: no inline script allowed.
                    response_headers["content-security-policy"] = content_security_policy(
                        [], self.tianditu
                    )
                    await send(message)
                    return
                start = message  # held until the body is known: its scripts are hashed
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False) and sum(map(len, chunks)) < MAX_HASHED_HTML:
                return
            body = b"".join(chunks)
            response_headers = MutableHeaders(scope=start)
            response_headers["content-security-policy"] = content_security_policy(
                inline_script_hashes(body), self.tianditu
            )
            await send(start)
            start = None  # anything after a page this large passes through
            chunks.clear()
            await send({**message, "body": body})

        await self.app(scope, receive, secure_send)

    async def _may_read_docs(self, scope: Scope) -> bool:
        app = scope.get("app")
        state = getattr(app, "state", None)
        settings = getattr(state, "settings", None)
        if settings is None or not settings.openapi_requires_token:
            return True
        request = Request(scope)
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        session = request.cookies.get(TOKEN_COOKIE) if not token else None
        if not token and not session:
            return False
        found = await run_in_threadpool(
            principal_for, state.engine, token or session, session=bool(session)
        )
        return found is not None


async def _docs_refused(scope: Scope, receive: Receive, send: Send) -> None:
    """A page: to the sign-in page and back; the JSON document: 401."""
    path = scope.get("path", "")
    if path.endswith(".json"):
        response = JSONResponse(
            {"detail": "接口文档需要登录（令牌）后查看 (sign in to read the API description)."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    else:
        response = RedirectResponse(f"/signin?next={path}", status_code=303)
    await response(scope, receive, send)


async def _forbidden(send: Send) -> None:
    body = json.dumps({"detail": ORIGIN_MESSAGE}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})
