"""Reading an uploaded file from a multipart form, safely named."""

import pathlib

from fastapi import Request
from starlette.datastructures import UploadFile

from gis.errors import InvalidInputError


def safe_name(filename: str | None) -> str:
    """The upload's base name; path parts, ``..`` and empty names are refused."""
    name = pathlib.PurePosixPath((filename or "").replace("\\", "/")).name
    control = any(ord(c) < 32 or ord(c) == 127 for c in name)  # a NUL cannot name a file
    if name in ("", ".", "..") or len(name) > 200 or control:
        raise InvalidInputError(
            f"上传文件名无效 {(filename or '')[:60]!r} (bad file name).",
            hint="请以原文件名上传，如 项目红线.zip。",
        )
    return name


async def form_file(request: Request) -> tuple[str, bytes]:
    """The ``file`` field of a multipart request: its safe name and its bytes.

    The body is already bounded by :class:`api.limits.BodyLimitMiddleware`.
    """
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInputError(
            "上传表单缺少文件字段 file (missing file).", hint="表单字段名应为 file。"
        )
    return safe_name(upload.filename), await upload.read()


def multipart_file_schema(description: str) -> dict:
    """The OpenAPI ``multipart/form-data`` body of an upload: one required ``file``."""
    return {
        "schema": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary", "description": description}
            },
            "required": ["file"],
        }
    }
