"""The sign-in page (登录): asks for an API token when reads need one."""

from functools import cache

import jinja2

from webmap import assets
from webmap.page import TITLE


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("webmap", "templates"), autoescape=True, enable_async=False
    )


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signin_page(
    error: str | None = None,
    next_url: str | None = None,
    title: str = TITLE,
    csrf: str = "",
) -> str:
    """The page; ``csrf`` is the form's token (api.security.csrf_token of the browser's
    sign-in nonce), checked when the form is posted."""
    return (
        _environment()
        .get_template("signin.html")
        .render(
            title=title,
            error=error,
            next=safe_next(next_url),
            csrf=csrf,
            favicon=assets.FAVICON,
            bootstrap_css=assets.BOOTSTRAP_CSS,
            app_css=assets.APP_CSS,
        )
    )
