"""Sites: register, read, list, rotate a token, delete — for the API and the CLI alike."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from foundation.secrets import hash_token, new_token
from sql import audit, summaries
from sql.query import Query, Statement, operation


class SiteRow(NamedTuple):
    """A site with the counts of its present modules; `token_site_id` is whose token the caller holds.

    Every column but `token_site_id` is NULL for an unknown site id.
    """

    id: int | None
    name: str | None
    url: str | None
    created_at: datetime | None
    last_sync_at: datetime | None
    core_version: str | None
    stale: bool | None
    modules: int | None
    updates_available: int | None
    security_updates: int | None
    known_vulnerable: int | None
    projects: int | None
    projects_updates_available: int | None
    projects_security_updates: int | None
    projects_known_vulnerable: int | None
    projects_in_trouble: int | None
    token_site_id: int | None


class SitePageRow(NamedTuple):
    total: int
    id: int | None
    name: str | None
    url: str | None
    created_at: datetime | None
    last_sync_at: datetime | None
    core_version: str | None
    stale: bool | None
    modules: int | None
    updates_available: int | None
    security_updates: int | None
    known_vulnerable: int | None
    projects: int | None
    projects_updates_available: int | None
    projects_security_updates: int | None
    projects_known_vulnerable: int | None
    projects_in_trouble: int | None


class SiteBrief(NamedTuple):
    id: int
    name: str
    url: str
    created_at: datetime
    last_sync_at: datetime | None


class RegisteredSite(NamedTuple):
    id: int
    name: str
    url: str
    created_at: datetime


class DeletedSite(NamedTuple):
    id: int
    name: str
    url: str
    projects: Sequence[str]


class TokenOwner(NamedTuple):
    id: int


class SiteWithToken(NamedTuple):
    """A site with a new token: the only time the token is ever seen."""

    site: RegisteredSite
    token: str


class SiteHoldingUrl(NamedTuple):
    id: int
    name: str
    url: str


class UrlTaken(NamedTuple):
    """A registration refused: `holder` is registered with the same URL."""

    holder: SiteHoldingUrl


GET = Query.of(__file__, "get", row=SiteRow)
PAGE = Query.of(__file__, "page", row=SitePageRow)
LOCK_REGISTRATIONS = Statement.of(__file__, "lock_registrations")
SAME_URL = Query.of(__file__, "same_url", row=SiteHoldingUrl)
INSERT = Query.of(__file__, "insert", row=RegisteredSite)
ROTATE_TOKEN = Query.of(__file__, "rotate_token", row=RegisteredSite)
DELETE = Query.of(__file__, "delete", row=DeletedSite)
LIST_BRIEF = Query.of(__file__, "list_brief", row=SiteBrief)
TOKEN_OWNER = Query.of(__file__, "token_owner", row=TokenOwner)


def get(conn, *, site_id: int, token_hash: bytes | None, stale_after_hours: int):
    """One row (`SiteRow`): the site, or NULLs with `token_site_id` when there is no such site."""
    return GET.one(conn, site_id=site_id, token_hash=token_hash, stale_after_hours=stale_after_hours)


def page(conn, *, limit: int, offset: int, sort: str, stale_after_hours: int):
    """`SitePageRow`s of one page in `sort` order (one row of NULLs past the end, with the total)."""
    return PAGE.all(conn, limit=limit, offset=offset, sort=sort, stale_after_hours=stale_after_hours)


def list_brief(conn):
    """Every site by id (`SiteBrief`), for the CLI."""
    return LIST_BRIEF.all(conn)


def token_owner(conn, *, token_hash: bytes):
    """The site whose token hashes to `token_hash` (`TokenOwner`), or None."""
    return TOKEN_OWNER.one(conn, token_hash=token_hash)


@operation
def create(*, name: str, url: str, actor: str):
    """Register a site with a new token (`SiteWithToken`), audited as `site.create`; or, when a
    site has the same URL (case and a trailing slash aside), `UrlTaken` naming it."""
    yield LOCK_REGISTRATIONS.step()
    holders = yield SAME_URL.step(url=url)
    if holders:
        return UrlTaken(holders[0])
    token = new_token()
    (site,) = yield INSERT.step(name=name, url=url, token_hash=hash_token(token))
    yield audit.entry(actor=actor, action="site.create", entity_type="site", entity_id=site.id,
                      details={"name": name, "url": url})
    return SiteWithToken(site, token)


@operation
def rotate_token(*, site_id: int, actor: str):
    """Give the site a new token (`SiteWithToken`; the old one stops working), or None for no such site."""
    token = new_token()
    rows = yield ROTATE_TOKEN.step(site_id=site_id, token_hash=hash_token(token))
    if not rows:
        return None
    yield audit.entry(actor=actor, action="site.rotate_token", entity_type="site", entity_id=site_id, details={})
    return SiteWithToken(rows[0], token)


@operation
def delete(*, site_id: int, actor: str):
    """Delete the site with its payloads, modules and history (`DeletedSite`), or None for no such site.

    The project summaries counted this site: they are recounted in the same transaction.
    """
    rows = yield DELETE.step(site_id=site_id)
    if not rows:
        return None
    (deleted,) = rows
    yield from summaries.recount.steps(projects=deleted.projects)
    yield audit.entry(actor=actor, action="site.delete", entity_type="site", entity_id=site_id,
                      details={"name": deleted.name, "url": deleted.url})
    return deleted
