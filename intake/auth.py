"""Who is calling: the admin, or a site (by the hash of its bearer token).

Only hashes are compared. The admin token's hash is compared in constant
time; a site token is found by its SHA-256 hash through the unique index — a
timing difference there could at most reveal bytes of a hash of a 256-bit
random token, which does not help recover the token.

Which site a token belongs to is decided in the same statement that serves
the route (each such statement answers `token_site_id`), so authentication
costs no extra round trip.
"""

import hmac
from dataclasses import dataclass
from typing import Protocol

from fastapi.security import HTTPBearer

from foundation.secrets import hash_token
from intake.errors import ApiError, forbidden, not_found, unauthorized

MAX_TOKEN_LENGTH = 512

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerToken",
    description="The admin token, or a site's token (shown once when the site is created or its token rotated).",
)


@dataclass(frozen=True)
class Caller:
    is_admin: bool
    token_hash: bytes | None  # set for a (claimed) site token

    def actor(self, site_id: int) -> str:
        """The audit actor; a site token is only ever accepted for its own site."""
        return "admin" if self.is_admin else f"site:{site_id}"


def caller_of(token: str | None, admin_token_hash: bytes) -> Caller:
    """The caller a bearer token claims to be; raises 401 for a missing or malformed token."""
    if token is None:
        raise unauthorized("an `Authorization: Bearer <token>` header is required", invalid_token=False)
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise unauthorized("the bearer token is not valid", invalid_token=True)
    presented = hash_token(token)
    if hmac.compare_digest(presented, admin_token_hash):
        return Caller(is_admin=True, token_hash=None)
    return Caller(is_admin=False, token_hash=presented)


class SiteAccess(Protocol):
    """The columns a statement serving a site's data answers about who may read it."""

    @property
    def site_exists(self) -> bool: ...

    @property
    def token_site_id(self) -> int | None: ...


def site_access_error(caller: Caller, *, site_id: int, site_exists: bool, token_site_id: int | None) -> ApiError | None:
    """Why `caller` may not act for `site_id`, or None when it may.

    Order, so that a site token cannot probe which sites exist: an unknown
    token is 401 whatever the site; a site token for any other site id —
    existing or not — is 403; only the admin learns 404 for an unknown site.
    """
    if caller.is_admin:
        return None if site_exists else not_found(f"no site with id {site_id}")
    if token_site_id is None:
        return unauthorized("the bearer token is not valid", invalid_token=True)
    if token_site_id != site_id:
        return forbidden(f"this token belongs to another site; it may not act for site {site_id}")
    return None


def check_site_access(caller: Caller, site_id: int, access: SiteAccess) -> None:
    """Raise unless `caller` may read `site_id`, as the row `access` tells."""
    refused = site_access_error(caller, site_id=site_id, site_exists=access.site_exists,
                                token_site_id=access.token_site_id)
    if refused:
        raise refused
