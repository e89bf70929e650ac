"""The API's interactive documentation (``/docs``, ``/ogc/docs``) from the app's own copy of
Swagger UI.

FastAPI's default pages load Swagger UI, its favicon and ReDoc from public content-delivery
hosts: blank on an intranet or a tablet in the field. These pages use ``swagger-ui-dist`` from npm, vendored with the map's
assets (``scripts/vendor-assets.sh``). Swagger UI's online validator badge (a request to
validator.swagger.io) is switched off; ReDoc is not served.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from webmap import assets

SWAGGER_JS = f"{assets.VENDOR}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{assets.VENDOR}/swagger-ui/swagger-ui.css"
#: FastAPI's defaults, plus no validator badge (it would fetch validator.swagger.io).
SWAGGER_PARAMETERS = {
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    "validatorUrl": None,
}


def add_local_docs(app: FastAPI, title: str) -> None:
    """Serve ``GET /docs`` on ``app`` (create it with ``docs_url=None, redoc_url=None``).

    The static files are the main app's (``/static``), also when ``app`` is mounted below it.
    """

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=title,
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=assets.FAVICON,
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )
