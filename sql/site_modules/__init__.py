"""A site's modules, and its projects, with their update status, as the API pages through them."""

from datetime import datetime
from typing import NamedTuple

from sql.query import Query


class SiteModulePageRow(NamedTuple):
    """A module of one page, with the total and who may read the site (`token_site_id`: whose token
    the caller holds). A page past the end is one row of NULL modules."""

    site_exists: bool
    token_site_id: int | None
    total: int
    machine_name: str | None
    project: str | None
    display_name: str | None
    module_type: str | None
    enabled: bool | None
    version: str | None
    status: str | None
    status_reason: str | None
    latest_version: str | None
    recommended_version: str | None
    also_available: list[str] | None
    security_updates: list[str] | None
    update_available: bool | None
    security_update_available: bool | None
    known_vulnerable: bool | None
    advisories: list[str] | None
    first_seen: datetime | None
    last_seen: datetime | None
    last_updated: datetime | None
    removed_at: datetime | None


PAGE = Query.of(__file__, "page", row=SiteModulePageRow)


def page(conn, *, site_id: int, token_hash: bytes | None, statuses: list[str] | None,
         update_available: bool | None, security_update: bool | None, known_vulnerable: bool | None,
         module_type: str | None, include_removed: bool, limit: int, offset: int):
    """`SiteModulePageRow`s by machine name; a None filter means no filter. Removed modules (a full
    sync no longer listed them) only with `include_removed`."""
    return PAGE.all(conn, site_id=site_id, token_hash=token_hash, statuses=statuses,
                    update_available=update_available, security_update=security_update,
                    known_vulnerable=known_vulnerable, module_type=module_type, include_removed=include_removed,
                    limit=limit, offset=offset)


class SiteProjectPageRow(NamedTuple):
    """A project of one page, with the total and who may read the site (`token_site_id`: whose token
    the caller holds). A page past the end is one row of NULL projects."""

    site_exists: bool
    token_site_id: int | None
    total: int
    project: str | None
    title: str | None
    link: str | None
    version: str | None
    datestamp: int | None
    modules: list[str] | None
    status: str | None
    status_reason: str | None
    latest_version: str | None
    recommended_version: str | None
    also_available: list[str] | None
    security_updates: list[str] | None
    update_available: bool | None
    security_update_available: bool | None
    known_vulnerable: bool | None
    advisories: list[dict] | None
    security_coverage: dict | None
    release_links: dict[str, str] | None
    removed_at: datetime | None
    status_checked_at: datetime | None


PROJECTS_PAGE = Query.of(__file__, "projects_page", row=SiteProjectPageRow)


def projects_page(conn, *, site_id: int, token_hash: bytes | None, statuses: list[str] | None,
                  update_available: bool | None, security_update: bool | None, known_vulnerable: bool | None,
                  include_removed: bool, limit: int, offset: int):
    """`SiteProjectPageRow`s by project name; a None filter means no filter. Projects whose every module
    is removed only with `include_removed`."""
    return PROJECTS_PAGE.all(conn, site_id=site_id, token_hash=token_hash, statuses=statuses,
                             update_available=update_available, security_update=security_update,
                             known_vulnerable=known_vulnerable, include_removed=include_removed,
                             limit=limit, offset=offset)
