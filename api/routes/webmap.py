"""The map page (``GET /``), its static files (``/static``) and signing in with a token.

When ``Settings.read_requires_token`` is true the page asks for a token first
(``/signin``), keeps it in the ``watershed_token`` cookie (HttpOnly, SameSite=Strict) and
every API call of the page carries it; ``Authorization: Bearer`` works as well.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

import webmap
from api import ogc
from api.auth import TOKEN_COOKIE, Principal, ReaderDep, principal_for
from api.deps import EngineDep, SettingsDep
from api.routes.exports import XLSX
from api.schemas import OverlapReport
from api.workbooks import overlap_workbook
from layers.rasters import registered_kinds
from webmap.page import PageOptions, build_page
from webmap.signin import safe_next, signin_page

router = APIRouter(include_in_schema=False, tags=["webmap"])
STATIC_DIR = Path(webmap.__file__).parent / "static"
# Compressed: the page's scripts and styles are most of its first load.
router.mount("/static", StaticFiles(directory=STATIC_DIR))  # gzip: api/main.py

COOKIE_MAX_AGE = 30 * 24 * 3600
NO_STORE = {"Cache-Control": "no-store"}


def _presented_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


def _caller(request: Request, engine) -> Principal | None:
    token = _presented_token(request)
    return principal_for(engine, token) if token else None


def _options(settings, principal: Principal | None, rasters: tuple[str, ...] = ()) -> PageOptions:
    return PageOptions(
        tiles_template=f"{ogc.PREFIX}/collections/{{collection}}/tiles/{ogc.TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
        collection_prefix=ogc.collection_id(""),
        items_template=f"{ogc.PREFIX}/collections/{{collection}}/items",
        tianditu_token=settings.tianditu_token,
        read_requires_token=settings.read_requires_token,
        signed_in=principal is not None,
        role=principal.role if principal else None,
        rasters=rasters,
    )


@router.get("/", response_class=HTMLResponse)
def map_page(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """The map; the sign-in page first when reads need a token and none valid was sent."""
    principal = _caller(request, engine)
    if settings.read_requires_token and principal is None:
        return RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    page = build_page(_options(settings, principal, registered_kinds(engine)))
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    return HTMLResponse(signin_page(next_url=next), headers=NO_STORE)


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    engine: EngineDep,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Check the token and keep it in the cookie the page's API calls carry."""
    token = token.strip()
    if not token or principal_for(engine, token) is None:
        page = signin_page("令牌无效或已撤销，请检查后重试。", next)
        return HTMLResponse(page, status_code=401, headers=NO_STORE)
    response = RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/signout")
def signout() -> Response:
    response = RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="strict")
    return response


@router.post("/map/overlap.xlsx")
def overlap_report_xlsx(report: OverlapReport, _: ReaderDep) -> Response:
    """The red-line report the page holds (not saved as a project) as an Excel workbook."""
    body = overlap_workbook(report.model_dump(mode="json"))
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''overlap-report.xlsx"}
    return Response(body, media_type=XLSX, headers=headers)
