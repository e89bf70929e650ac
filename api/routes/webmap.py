"""The map page (``GET /``), its static files (``/static``) and signing in with a token.

When ``Settings.read_requires_token`` is true the page asks for a token first
(``/signin``), opens a server-side session and keeps its id in the ``watershed_token``
cookie (HttpOnly, SameSite=Strict) that every API call of the page carries; signing out
ends the session. ``Authorization: Bearer`` works as well.
"""

import html
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

import webmap
from api import ogc
from api.auth import (
    SESSION_SECONDS,
    TOKEN_COOKIE,
    Principal,
    ReaderDep,
    create_session,
    end_session,
    principal_for,
)
from api.demo_label import demo_names, label_workbook
from api.deps import EngineDep, SettingsDep
from api.routes.exports import XLSX
from api.schemas import OverlapReport
from api.workbooks import overlap_workbook
from etl.provenance import DEMO_LABEL, demo_layers
from layers.registry import LAYERS
from webmap.page import PageOptions, build_page
from webmap.signin import safe_next, signin_page

router = APIRouter(include_in_schema=False, tags=["webmap"])
STATIC_DIR = Path(webmap.__file__).parent / "static"
# Compressed: the page's scripts and styles are most of its first load.
router.mount("/static", StaticFiles(directory=STATIC_DIR))  # gzip: api/main.py

COOKIE_MAX_AGE = SESSION_SECONDS
NO_STORE = {"Cache-Control": "no-store"}


def _caller(request: Request, engine) -> Principal | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return principal_for(engine, credentials.strip())
    session = request.cookies.get(TOKEN_COOKIE)  # a session id (api.auth.create_session)
    return principal_for(engine, session, session=True) if session else None


def _options(settings, principal: Principal | None) -> PageOptions:
    return PageOptions(
        tiles_template=f"{ogc.PREFIX}/collections/{{collection}}/tiles/{ogc.TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
        collection_prefix=ogc.collection_id(""),
        items_template=f"{ogc.PREFIX}/collections/{{collection}}/items",
        tianditu_token=settings.tianditu_token,
        read_requires_token=settings.read_requires_token,
        signed_in=principal is not None,
        role=principal.role if principal else None,
    )


@router.get("/", response_class=HTMLResponse)
def map_page(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """The map; the sign-in page first when reads need a token and none valid was sent."""
    principal = _caller(request, engine)
    if settings.read_requires_token and principal is None:
        return RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    page = build_page(_options(settings, principal))
    return HTMLResponse(_with_demo_banner(page, engine, settings), headers=NO_STORE)


def _with_demo_banner(page: str, engine, settings) -> str:
    """A banner over the map naming the layers that hold the synthetic demonstration data
    (示例数据), so they are never taken for a bureau's own data (issue 16, defect 10)."""
    keys = demo_layers(engine, settings.data_dir)
    if not keys:
        return page
    names = "、".join(LAYERS[k].name_zh for k in keys)
    banner = (
        '<div id="ws-demo-banner" role="alert" data-layers="' + ",".join(keys) + '" '
        'style="position:fixed;top:0;left:50%;transform:translateX(-50%);z-index:2000;'
        "background:#b71c1c;color:#fff;padding:4px 14px;font-weight:bold;"
        'border-radius:0 0 6px 6px;font-size:14px;pointer-events:none">'
        f"{DEMO_LABEL}：{html.escape(names)} 为程序生成的示例数据，不是真实成果"
        "（synthetic demonstration data）</div>"
    )
    return page.replace("<body>", "<body>\n" + banner, 1)


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
    """Check the token and open a session; its id (not the token) goes in the cookie the
    page's API calls carry."""
    token = token.strip()
    session = create_session(engine, token) if token else None
    if session is None:
        page = signin_page("令牌无效或已撤销，请检查后重试。", next)
        return HTMLResponse(page, status_code=401, headers=NO_STORE)
    response = RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
    response.set_cookie(
        TOKEN_COOKIE,
        session,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/signout")
def signout(request: Request, engine: EngineDep) -> Response:
    """End the session on the server (a copied cookie opens nothing after) and drop it."""
    session = request.cookies.get(TOKEN_COOKIE)
    if session:
        end_session(engine, session)
    response = RedirectResponse("/signin", status_code=303, headers=NO_STORE)
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="strict")
    return response


@router.post("/map/overlap.xlsx")
def overlap_report_xlsx(
    report: OverlapReport, _: ReaderDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    """The red-line report the page holds (not saved as a project) as an Excel workbook."""
    body = overlap_workbook(report.model_dump(mode="json"))
    body = label_workbook(body, demo_names(engine, settings))
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''overlap-report.xlsx"}
    return Response(body, media_type=XLSX, headers=headers)
