"""Who is looking at the dashboard: a signed session cookie, issued for the admin token or a site's token.

The cookie holds no token: for the admin only that it is the admin, for a
site the SHA-256 hash of its token (what the database stores), an expiry and
the session's CSRF token, signed with a key derived from the admin token's
hash. So rotating the admin token ends every session, and a site's session
ends when its token is rotated or the site deleted: each page resolves the
hash to its site again. The cookie is `HttpOnly`, `SameSite=Strict` and
`Secure` over https; every form that changes something carries the CSRF
token, and a POST from another origin is refused.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from intake.database import autocommit
from sql import store

SESSION_COOKIE = "modwatch_session"
SIGNIN_CSRF_COOKIE = "modwatch_signin_csrf"
SESSION_SECONDS = 12 * 3600
KEY_PURPOSE = b"modwatch dashboard session v1"


@dataclass(frozen=True)
class Session:
    is_admin: bool
    token_hash: bytes | None  # a site's session: the hash of its token
    csrf: str
    expires: int


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: the admin (every site) or a site's token holder (that site only)."""

    is_admin: bool
    site_id: int | None
    csrf: str

    @property
    def only_site_id(self) -> int | None:
        """What portfolio-wide reads are narrowed to: nothing for the admin, the own site for a site."""
        return None if self.is_admin else self.site_id

    def may_see_site(self, site_id: int) -> bool:
        return self.is_admin or self.site_id == site_id


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session_key(admin_token_hash: bytes) -> bytes:
    return hmac.new(admin_token_hash, KEY_PURPOSE, hashlib.sha256).digest()


def encode_session(key: bytes, session: Session) -> str:
    payload = json.dumps({"admin": session.is_admin,
                          "site": _b64(session.token_hash) if session.token_hash else None,
                          "csrf": session.csrf, "exp": session.expires}, separators=(",", ":")).encode()
    body = _b64(payload)
    return body + "." + _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def decode_session(key: bytes, cookie: str | None, *, now: float | None = None) -> Session | None:
    """The session a cookie carries, or None when it is missing, forged, malformed or expired."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 1024:
        return None
    body, signature = cookie.split(".")
    try:
        expected = hmac.new(key, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        fields = json.loads(_unb64(body))
        session = Session(is_admin=fields["admin"] is True,
                          token_hash=_unb64(fields["site"]) if fields["site"] else None,
                          csrf=str(fields["csrf"]), expires=int(fields["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires < (now or time.time()) or (not session.is_admin and session.token_hash is None):
        return None
    return session


def new_session(*, is_admin: bool, token_hash: bytes | None) -> Session:
    return Session(is_admin=is_admin, token_hash=None if is_admin else token_hash,
                   csrf=secrets.token_urlsafe(32), expires=int(time.time()) + SESSION_SECONDS)


def over_https(request: Request) -> bool:
    """Whether the browser reached us over https: directly, or through a proxy that ends TLS and says so
    (the header only decides whether a cookie is marked `Secure`: no one gains by forging it)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_session_cookie(request: Request, response, session: Session) -> None:
    response.set_cookie(SESSION_COOKIE, encode_session(request.app.state.session_key, session),
                        max_age=SESSION_SECONDS, httponly=True, samesite="strict", secure=over_https(request),
                        path="/")


def clear_session_cookie(request: Request, response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=over_https(request), path="/")


def same_origin(request: Request) -> bool:
    """A browser names the page a POST comes from; one from another host is refused.

    The host and port are compared, not the scheme: behind a proxy that ends TLS the browser's origin
    is https while this app is spoken to in http, and a page of another site always has another host."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    scheme, separator, netloc = origin.partition("://")
    return bool(separator) and scheme in ("http", "https") and netloc == request.url.netloc


def current_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def viewer_of(request: Request) -> Viewer | None:
    session = decode_session(request.app.state.session_key, request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    if session.is_admin:
        return Viewer(is_admin=True, site_id=None, csrf=session.csrf)
    async with autocommit(request.app.state.engine) as conn:
        owner = await store.sites.token_owner(conn, token_hash=session.token_hash)
    if owner is None:  # the token was rotated or the site deleted since
        return None
    return Viewer(is_admin=False, site_id=owner.id, csrf=session.csrf)


async def require_viewer(request: Request) -> Viewer:
    viewer = await viewer_of(request)
    if viewer is None:
        raise SignInRequired(current_path(request))
    request.state.viewer = viewer  # a refused parameter's page still shows who is signed in
    return viewer


ViewerDep = Annotated[Viewer, Depends(require_viewer)]


def signin_redirect(request: Request, error: SignInRequired) -> RedirectResponse:
    target = request.app.url_path_for("page_signin")
    if error.next_path and error.next_path != "/":
        target += "?next=" + quote(error.next_path, safe="")
    return RedirectResponse(target, status_code=303)


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//host` or a URL).

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so a path with a
    control character or a backslash could still name another host: it is refused too."""
    if (not next_path or not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path
            or any(ord(character) < 0x20 or ord(character) == 0x7F for character in next_path)):
        return "/"
    return next_path
