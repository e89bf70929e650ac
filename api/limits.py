"""Request-size limit (上传大小限制): refuse bodies over ``Settings.max_upload_mb`` with a 413.

A pure ASGI middleware: a declared ``Content-Length`` over the limit is refused before any
byte is read, and a body without one (chunked) is counted as it streams, so an oversized
upload is never held in memory or on disk.
"""

import json
from urllib.parse import unquote_to_bytes

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis.records import PHOTO_MAX_BYTES

HINT = "请压缩或拆分文件，或由管理员调整 WATERSHED_MAX_UPLOAD_MB。"


def _message(max_bytes: int) -> str:
    return f"上传内容超过 {max_bytes / 1024 / 1024:g} MB 的限制 (request body too large)。{HINT}"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` mid-stream; an HTTPException, so FastAPI renders it as 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=_message(max_bytes))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _has_control_characters(scope):
            await _answer(send, 400, _CONTROL_MESSAGE)
            return
        max_bytes = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await _answer(send, 413, _message(max_bytes))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _answer(send, 413, _message(max_bytes))

    def _limit(self, scope: Scope) -> int:
        """The overlap check is open to every viewer and takes a project's outline: its
        body is held to ``Settings.overlap_max_upload_mb``, far below an editor's ingest."""
        if scope.get("path", "").startswith(RECORDS_PREFIX):
            return min(self.max_bytes, RECORD_MAX_BYTES)  # one photo (or a small JSON record)
        if scope.get("path") in OVERLAP_PATHS and scope.get("method") == "POST":
            app = scope.get("app")
            settings = getattr(getattr(app, "state", None), "settings", None)
            if settings is not None:
                return min(self.max_bytes, int(settings.overlap_max_upload_mb * 1024 * 1024))
        return self.max_bytes


OVERLAP_PATHS = frozenset({"/api/overlap"})
#: Inspection records take one photo per request: its limit plus room for the multipart form.
RECORDS_PREFIX = "/api/records/"
RECORD_MAX_BYTES = PHOTO_MAX_BYTES + 1024 * 1024


_CONTROL_MESSAGE = "请求地址或参数中含有控制字符（如 %00）(control characters in the URL)。"


def _has_control_characters(scope: Scope) -> bool:
    """A NUL (or other C0 control) in the path or the query: no key, code or file name of
    ours holds one, and PostgreSQL refuses NUL in text (a 500 deep in a query)."""
    path = scope.get("path", "")
    query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
    return any(ord(c) < 32 or ord(c) == 127 for c in path) or any(b < 32 or b == 127 for b in query)


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
