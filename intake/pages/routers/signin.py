"""Signing in with the admin token or a site's token, and signing out."""

import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import RedirectResponse

from foundation.secrets import hash_token
from intake.auth import MAX_TOKEN_LENGTH
from intake.database import autocommit
from intake.pages.rendering import error_page, render
from intake.pages.routing import page_router
from intake.pages.session import (
    SIGNIN_CSRF_COOKIE,
    clear_session_cookie,
    new_session,
    over_https,
    safe_next,
    same_origin,
    set_session_cookie,
    viewer_of,
)
from sql import store

router = page_router()

MAX_FORM_BYTES = 16_384


async def form_fields(request: Request) -> dict[str, str]:
    """A small urlencoded form (the only kind these pages post); anything else reads as empty fields."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    try:
        parsed = parse_qs(body.decode(), max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in parsed.items()}


def signin_form(request: Request, *, next_path: str, message: str | None = None, status_code: int = 200):
    """The form with a fresh CSRF token, also set as a cookie the POST must echo (no session exists yet)."""
    csrf = secrets.token_urlsafe(32)
    response = render(request, "signin.html", status_code=status_code, csrf=csrf, next_path=next_path,
                      message=message, viewer=None)
    response.set_cookie(SIGNIN_CSRF_COOKIE, csrf, max_age=3600, httponly=True, samesite="strict",
                        secure=over_https(request), path="/")
    return response


@router.get("/signin", name="page_signin")
async def signin_page(request: Request, next: str | None = None):
    if await viewer_of(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return signin_form(request, next_path=safe_next(next))


@router.post("/signin", name="page_signin_submit")
async def signin_submit(request: Request):
    fields = await form_fields(request)
    token, csrf, next = fields.get("token", ""), fields.get("csrf", ""), fields.get("next", "/")
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not same_origin(request) or not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return signin_form(request, next_path=safe_next(next), status_code=403,
                           message="This form has expired or came from another site. Please sign in again.")
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return signin_form(request, next_path=safe_next(next), status_code=401,
                           message="Enter the admin token or a site's token.")
    presented = hash_token(token)
    if hmac.compare_digest(presented, request.app.state.admin_token_hash):
        session = new_session(is_admin=True, token_hash=None)
    else:
        async with autocommit(request.app.state.engine) as conn:
            owner = await store.sites.token_owner(conn, token_hash=presented)
        if owner is None:
            return signin_form(request, next_path=safe_next(next), status_code=401,
                               message="That token is not the admin token nor any site's token.")
        session = new_session(is_admin=False, token_hash=presented)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, session)
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/")
    return response


@router.post("/signout", name="page_signout")
async def signout(request: Request):
    csrf = (await form_fields(request)).get("csrf", "")
    viewer = await viewer_of(request)
    if viewer is not None and (not same_origin(request)
                               or not hmac.compare_digest(viewer.csrf.encode(), csrf.encode())):
        return error_page(request, 403, viewer=viewer, title="Not signed out",
                      message="The sign-out form came from another page or site; you are still signed in.")
    response = RedirectResponse(request.app.url_path_for("page_signin"), status_code=303)
    clear_session_cookie(request, response)
    return response
