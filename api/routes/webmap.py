"""The map page (``GET /``), its static files (``/static``) and signing in with a token.

When ``Settings.read_requires_token`` is true the page asks for a token first
(``/signin``), opens a server-side session and keeps its id in the ``watershed_token``
cookie (HttpOnly, SameSite=Strict) that every API call of the page carries; signing out
ends the session. ``Authorization: Bearer`` works as well.
"""

import html
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
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
from api.params import XLSX
from api.qr_signin import CODE_MINUTES, issue_code, qr_svg, redeem_code
from api.raster_tiles import estimated_bytes
from api.schemas import OverlapReport
from api.security import CSRF_COOKIE, CSRF_MESSAGE, csrf_token, form_token_ok, new_csrf_nonce
from api.tls import ca_certificate_path
from api.workbooks import overlap_workbook
from etl.provenance import DEMO_LABEL, demo_layers
from gis.errors import NotFoundError
from layers.district_view import DistrictView, district_view
from layers.offline_area import MAX_ZOOM, area_tiles, basemap_tiles, unit_name
from layers.rasters import registered_kinds
from layers.registry import LAYERS
from layers.search import search
from webmap.basemap import (
    OFFLINE_BASEMAP_MIN_ZOOM,
    OFFLINE_BASEMAPS,
    RASTER_BASEMAPS,
    RASTER_MAX_NATIVE_ZOOM,
    RASTER_TILES,
)
from webmap.layers import TILE_MIN_ZOOM
from webmap.offline import service_worker
from webmap.page import PageOptions, build_page, platform_title
from webmap.signin import safe_next, signin_page
from webmap.trust import trust_page

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


def _options(
    settings,
    principal: Principal | None,
    rasters: tuple[str, ...] = (),
    district: DistrictView | None = None,
) -> PageOptions:
    view = district or DistrictView(None, None)
    place = {"center": view.center} if view.center else {}
    if view.zoom is not None:
        place["zoom"] = view.zoom
    return PageOptions(
        title=platform_title(view.name),
        **place,
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
    view = district_view(engine, settings)
    page = build_page(_options(settings, principal, registered_kinds(engine), view))
    page = _with_csrf(page, request.cookies.get(TOKEN_COOKIE) if principal else None)
    return HTMLResponse(_with_demo_banner(page, engine, settings), headers=NO_STORE)


def _with_csrf(page: str, session: str | None) -> str:
    """The sign-out form's token (api/security.py), tied to this session, for ws-ui.js."""
    if not session:
        return page
    meta = f'<meta name="ws-csrf" content="{csrf_token(session)}">'
    return page.replace("<head>", "<head>\n" + meta, 1)


def _with_demo_banner(page: str, engine, settings) -> str:
    """A banner over the map naming the layers that hold the synthetic demonstration data
    (示例数据), so they are never taken for a bureau's own data (issue 16, defect 10)."""
    keys = demo_layers(engine, settings.data_dir)
    if not keys:
        return page
    names = "、".join(LAYERS[k].name_zh for k in keys)
    text = f"{DEMO_LABEL}（synthetic）：{names} 为程序生成的示例数据，不是真实成果"
    # A thin strip along the top edge, one line: it must not hide the header's title and
    # buttons on a tablet (clicks pass through it); the whole sentence is its tooltip.
    banner = (
        '<div id="ws-demo-banner" role="alert" data-layers="' + ",".join(keys) + '" '
        f'title="{html.escape(text)}" '
        'style="position:fixed;top:0;left:50%;transform:translateX(-50%);z-index:2000;'
        "background:#b71c1c;color:#fff;padding:0 10px;font-weight:bold;font-size:12px;"
        "line-height:18px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;"
        'max-width:min(56vw,560px);border-radius:0 0 6px 6px;pointer-events:none">'
        f"{html.escape(text)}</div>"
    )
    return page.replace("<body>", "<body>\n" + banner, 1)


@router.get("/sw.js")
def service_worker_script() -> Response:
    """The service worker, at the root so that its scope is the whole app (webmap/offline.py).
    No token: it holds no data, and the browser fetches it without the page's headers."""
    return Response(
        service_worker(STATIC_DIR),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},  # the browser checks for a new worker each visit
    )


def _title(engine, settings) -> str:
    """The platform's name for the district of the list in force (sign-in, map)."""
    return platform_title(district_view(engine, settings).name)


def _signin_form(
    request: Request,
    error: str | None = None,
    next_url: str | None = None,
    status_code: int = 200,
    title: str | None = None,
    renew: bool = False,
) -> Response:
    """The sign-in page with its CSRF token, from the browser's sign-in nonce (a new nonce
    in an HttpOnly cookie when it has none, or ``renew``)."""
    nonce = None if renew else request.cookies.get(CSRF_COOKIE)
    fresh = nonce is None
    nonce = nonce or new_csrf_nonce()
    extra = {"title": title} if title else {}
    page = signin_page(error, next_url, csrf=csrf_token(nonce), **extra)
    response = HTMLResponse(page, status_code=status_code, headers=NO_STORE)
    if fresh:
        _set_cookie(response, request, CSRF_COOKIE, nonce)
    return response


def _set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    """A cookie only this site's pages send, never readable by scripts, secure over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_form(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    return _signin_form(request, next_url=next, title=_title(engine, settings))


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    engine: EngineDep,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=500)] = None,
    csrf: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Check the form's CSRF token, then the API token, and open a session; its id (not the
    token) goes in the cookie the page's API calls carry."""
    if not form_token_ok(request.cookies.get(CSRF_COOKIE), csrf):
        return _signin_form(request, CSRF_MESSAGE, next, status_code=403, renew=True)
    token = token.strip()
    session = create_session(engine, token) if token else None
    if session is None:
        return _signin_form(request, "令牌无效或已撤销，请检查后重试。", next, status_code=401)
    return _signed_in(request, session, safe_next(next))


def _signed_in(request: Request, session: str, target: str) -> Response:
    """Go to ``target`` with the session id (never the token) in the cookie the page's API
    calls carry."""
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    _set_cookie(response, request, TOKEN_COOKIE, session)
    return response


@router.post("/signout")
def signout(
    request: Request,
    engine: EngineDep,
    csrf: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """End the session on the server (a copied cookie opens nothing after) and drop it; the
    form must carry the session's CSRF token (another site cannot sign a user out)."""
    session = request.cookies.get(TOKEN_COOKIE)
    if session and not form_token_ok(session, csrf):
        return _signin_form(request, CSRF_MESSAGE, status_code=403)
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


def _local_ca(settings) -> Path | None:
    path = ca_certificate_path(settings.var_dir)
    return path if path.is_file() else None


@router.get("/ca", response_class=HTMLResponse)
def trust_instructions(settings: SettingsDep) -> Response:
    """How to trust the local CA on a tablet (no token: it comes before signing in, and a
    CA certificate is public)."""
    return HTMLResponse(trust_page(_local_ca(settings)), headers=NO_STORE)


@router.get("/ca.crt")
def ca_certificate(settings: SettingsDep) -> Response:
    """The local CA's certificate (PEM), for tablets to install."""
    path = _local_ca(settings)
    if path is None:
        return Response(
            "本服务器未使用本地 CA (no local CA on this server)",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    return FileResponse(
        path,
        media_type="application/x-x509-ca-cert",
        filename="watershed-ca.crt",
        headers=NO_STORE,
    )


def _offline_basemaps(engine, var_dir: Path, unit: str) -> list[dict]:
    """The registered relief and land-cover basemaps' tiles over the unit, to their native
    zoom, with their estimated size."""
    kinds = [k for k in OFFLINE_BASEMAPS if k in registered_kinds(engine)]
    out = []
    for kind in kinds:
        zooms = (OFFLINE_BASEMAP_MIN_ZOOM, RASTER_MAX_NATIVE_ZOOM[kind])
        tiles = basemap_tiles(engine, unit, *zooms)
        out.append(
            {
                "kind": kind,
                "name": dict(RASTER_BASEMAPS)[kind],
                "tiles_url": RASTER_TILES.format(kind=kind),
                "zooms": list(zooms),
                "tiles": [list(t) for t in tiles],
                "bytes": estimated_bytes(engine, var_dir, kind, tiles),
            }
        )
    return out


@router.get("/map/offline-area")
def offline_area(
    engine: EngineDep,
    settings: SettingsDep,
    _: ReaderDep,
    unit: Annotated[str, Query(max_length=32, description="单元代码")],
) -> dict:
    """What the offline area (离线区域) of a unit holds: the vector tiles of the tiled layers
    over the unit (z13–z16, what the map can ask for), each with its size, before any
    download. Empty tiles are listed apart: the page keeps them without fetching. With a
    registered DEM or land-cover raster, its basemap tiles over the unit (z10 to its native
    zoom), their size estimated from a few drawn."""
    name = unit_name(engine, unit)
    if name is None:
        raise NotFoundError(f"没有代码为 {unit} 的单元 (unknown unit).")
    layers = area_tiles(engine, unit, TILE_MIN_ZOOM, MAX_ZOOM)
    basemaps = _offline_basemaps(engine, settings.var_dir, unit)
    return {
        "unit": {"code": unit, "name": name},
        "zooms": [TILE_MIN_ZOOM, MAX_ZOOM],
        "layers": [
            {
                "key": layer.key,
                "name": layer.name_zh,
                "tiles_url": f"{ogc.PREFIX}/collections/{ogc.collection_id(layer.table)}/tiles/"
                f"{ogc.TILE_MATRIX_SET}/{{z}}/{{x}}/{{y}}",
                "tiles": [
                    [z, x, y, size]
                    for (z, x, y), size in zip(layer.tiles, layer.sizes, strict=True)
                ],
                "bytes": layer.bytes,
            }
            for layer in layers
        ],
        "tile_count": sum(len(layer.tiles) for layer in layers),
        "tile_bytes": sum(layer.bytes for layer in layers),
        "basemaps": basemaps,
        "basemap_bytes": sum(b["bytes"] for b in basemaps),
    }


@router.get("/map/search")
def map_search(
    engine: EngineDep,
    _: ReaderDep,
    q: Annotated[str, Query(min_length=1, max_length=50, description="代码或名称")],
) -> list[dict]:
    """The search box: sections, reservoirs, rivers, units, villages (坐落单位), parcels by
    BSM, 永久基本农田 by 图斑编号, 生态保护红线 by code or name, with their boxes (EPSG:4490)."""
    return search(engine, q)


@router.post("/map/signin-qr")
def signin_qr(
    request: Request,
    engine: EngineDep,
    caller: ReaderDep,
    role: Annotated[
        Literal["viewer", "analyst"],
        Query(description="平板令牌的角色：viewer 只读；analyst 可记录巡查（不高于本人角色）"),
    ] = "viewer",
) -> dict:
    """A QR code of a one-time sign-in link for a tablet (api/qr_signin.py): valid for
    CODE_MINUTES minutes, once; the tablet gets a token of its own, a viewer's or (asked for
    by an analyst or above, for field teams recording 巡查记录) an analyst's."""
    if caller.role is None:
        raise HTTPException(403, detail="请先用令牌登录，再为平板生成登录二维码 (sign in first).")
    if not caller.allows(role):
        raise HTTPException(
            403,
            detail=f"不能生成高于本人角色的平板令牌：本人为 {caller.role}，请求 {role} "
            f"(a tablet cannot get a role above the issuer's).",
        )
    code, expires = issue_code(engine, caller, role)
    url = str(request.url_for("signin_with_code").include_query_params(c=code))
    return {
        "url": url,
        "expires_at": expires.isoformat(),
        "minutes": CODE_MINUTES,
        "role": role,
        "svg": qr_svg(url),
    }


@router.get("/signin/qr", name="signin_with_code")
def signin_with_code(
    request: Request, engine: EngineDep, c: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """The link in the QR code: a valid code signs this browser in with a new token."""
    token = redeem_code(engine, c) if c else None
    if token is None:
        return _signin_form(
            request,
            "二维码已失效或已使用（有效 5 分钟、只能使用一次），请在电脑上重新生成。",
            status_code=401,
        )
    session = create_session(engine, token)
    if session is None:  # revoked between redeeming and now
        return _signin_form(request, "令牌无效或已撤销。", status_code=401)
    return _signed_in(request, session, "/")
