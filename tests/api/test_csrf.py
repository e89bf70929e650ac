"""CSRF tokens on the two HTML forms (issue 16, defect 8): sign-in and sign-out are accepted
only with the token rendered for this browser; without it, or with another browser's, 403
with a Chinese and English message and nothing changes. No Origin header is sent here, so
the Origin check lets every request through and what refuses is the token.

Expected tokens are computed here from the cookie values with hashlib, independently of
api.security.csrf_token."""

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.auth import TOKEN_COOKIE, create_session
from api.main import create_app
from api.security import CSRF_COOKIE
from layers.settings import Settings

FORM_TOKEN = re.compile(r'<input type="hidden" name="csrf" value="([^"]*)">')
META_TOKEN = re.compile(r'<meta name="ws-csrf" content="([^"]+)">')


def expected(secret: str) -> str:
    digest = hashlib.sha256(b"watershed-csrf\0" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.fixture(scope="module")
def app(settings: Settings, dataset):
    return create_app(settings)


@pytest.fixture
def browser(app) -> Iterator[TestClient]:
    """A browser of its own: its own cookie jar."""
    with TestClient(app) as client:
        yield client


def sessions(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM sessions")).scalar_one()


def test_the_sign_in_form_carries_a_token_tied_to_an_http_only_nonce(browser) -> None:
    form = browser.get("/signin")
    nonce = browser.cookies[CSRF_COOKIE]
    assert FORM_TOKEN.search(form.text).group(1) == expected(nonce) != nonce
    cookie = form.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    # The same browser keeps its nonce: a second form has the same token.
    assert FORM_TOKEN.search(browser.get("/signin").text).group(1) == expected(nonce)


@pytest.mark.parametrize("case", ["missing", "wrong", "no-cookie"])
def test_sign_in_without_the_right_token_is_refused(browser, engine, tokens, case) -> None:
    browser.get("/signin")
    nonce = browser.cookies[CSRF_COOKIE]
    data = {"token": tokens["viewer"]}
    if case == "wrong":
        data["csrf"] = expected("another browser's nonce")
    if case == "no-cookie":  # a forged form on another site: it cannot send the nonce
        data["csrf"] = expected(nonce)
        browser.cookies.clear()
    before = sessions(engine)
    response = browser.post("/signin", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "刷新页面" in response.text and "CSRF token missing or invalid" in response.text
    assert TOKEN_COOKIE not in response.cookies
    assert sessions(engine) == before  # no session opened
    # The refusal hands out a fresh form: signing in with it works.
    retry = FORM_TOKEN.search(response.text).group(1)
    assert retry == expected(browser.cookies[CSRF_COOKIE])
    ok = browser.post(
        "/signin", data={"token": tokens["viewer"], "csrf": retry}, follow_redirects=False
    )
    assert ok.status_code == 303 and TOKEN_COOKIE in ok.cookies


def test_sign_out_needs_the_session_token(browser, engine, tokens) -> None:
    browser.get("/signin")
    csrf = expected(browser.cookies[CSRF_COOKIE])
    signed = browser.post("/signin", data={"token": tokens["viewer"], "csrf": csrf})
    assert signed.status_code == 200  # followed to the map page
    session = browser.cookies[TOKEN_COOKIE]
    page_token = META_TOKEN.search(browser.get("/").text).group(1)
    assert page_token == expected(session) and session not in page_token

    other = create_session(engine, tokens["viewer"])  # another browser's session
    for data in ({}, {"csrf": ""}, {"csrf": expected(other)}, {"csrf": csrf}):
        refused = browser.post("/signout", data=data, follow_redirects=False)
        assert refused.status_code == 403, data
        assert "CSRF token missing or invalid" in refused.text
        # Still signed in: the session was not ended.
        assert browser.get("/api/layers").status_code == 200

    out = browser.post("/signout", data={"csrf": page_token}, follow_redirects=False)
    assert out.status_code == 303
    copied = {"Cookie": f"{TOKEN_COOKIE}={session}"}
    assert browser.get("/api/layers", headers=copied).status_code == 401


def test_the_map_page_of_an_anonymous_reader_has_no_token(settings: Settings, dataset) -> None:
    open_reads = create_app(settings.model_copy(update={"read_requires_token": False}))
    with TestClient(open_reads) as client:
        page = client.get("/")
        assert page.status_code == 200 and META_TOKEN.search(page.text) is None
