"""What the dashboard's pages read: the portfolio ranked by trouble, a site's report, an advisory, a project.

Every read that spans the portfolio takes `only_site_id`: None for the
admin, the site's own id for a site's token, so a site's session never sees
another site's rows (the routes check access to a site's own page first).
"""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sql.query import Query, operation


class PortfolioRow(NamedTuple):
    """A site of one portfolio page with its trouble, and the total; past the last page, NULLs and the total."""

    total: int
    id: int | None
    name: str | None
    url: str | None
    core_version: str | None
    last_sync_at: datetime | None
    stale: bool | None
    not_secure: int | None
    revoked: int | None
    known_vulnerable: int | None
    coverage_state: str | None
    projects: int | None
    updates_available: int | None
    security_updates: int | None


class PortfolioCounts(NamedTuple):
    """How many sites have each kind of problem."""

    sites: int
    not_secure: int
    revoked: int
    known_vulnerable: int
    coverage_ended: int
    coverage_ending: int
    stale: int


class SiteProjectRow(NamedTuple):
    project: str
    title: str
    link: str | None
    project_type: str  # core, contrib or custom
    version: str | None
    status: str
    status_reason: str | None
    latest_version: str | None
    recommended_version: str | None
    also_available: list[str]
    security_updates: list[str]
    update_available: bool
    security_update_available: bool
    known_vulnerable: bool
    coverage_state: str | None
    coverage_until: str | None
    coverage_additional_minors: int | None
    modules: list[str]  # enabled
    disabled_modules: list[str]
    advisory_ids: list[str]
    release_links: dict[str, str]  # version -> its drupal.org release page
    status_checked_at: datetime | None


class SiteAdvisoryRow(NamedTuple):
    project: str
    version: str | None
    advisory_id: str | None  # None for a Drupal 7 metapackage match (a constraint only)
    aliases: list[str]
    url: str | None
    summary: str | None
    fixed_in: str | None
    constraint_text: str | None


class SyncRow(NamedTuple):
    task_id: UUID
    received_at: datetime
    status: str
    sync_type: str
    payload_shape: str
    modules_received: int
    run_id: str | None
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None
    modules_created: int | None
    modules_updated: int | None
    modules_removed: int | None


class AdvisoryRow(NamedTuple):
    id: str
    aliases: list[str]
    summary: str
    details: str
    url: str | None
    published: datetime | None
    modified: datetime
    withdrawn: datetime | None
    projects: list[str]
    fixed_in: list[str]
    constraints: list[str]
    affected_sites: int


class AdvisorySiteRow(NamedTuple):
    total: int
    site_id: int | None
    site_name: str | None
    site_url: str | None
    project: str | None
    installed_version: str | None
    fixed_in: str | None
    constraint_text: str | None
    status: str | None
    recommended_version: str | None


class ProjectRow(NamedTuple):
    project: str
    title: str | None
    link: str | None
    project_status: str | None
    supported_branches: list[str]
    sites: int
    sites_by_status: dict[str, int]
    known_vulnerable_sites: int
    update_available_sites: int


class ProjectSiteRow(NamedTuple):
    total: int
    site_id: int | None
    site_name: str | None
    version: str | None
    status: str | None
    status_reason: str | None
    recommended_version: str | None
    security_updates: list[str] | None
    known_vulnerable: bool | None
    advisory_ids: list[str] | None
    fixed_in: list[str] | None


class ReleaseRow(NamedTuple):
    feed_api: str
    version: str
    released_at: datetime | None
    is_security_update: bool
    is_insecure: bool
    status: str
    release_link: str | None


class SiteReport(NamedTuple):
    projects: list[SiteProjectRow]
    advisories: list[SiteAdvisoryRow]
    syncs: list[SyncRow]


class AdvisoryPage(NamedTuple):
    advisory: AdvisoryRow | None
    sites: list[AdvisorySiteRow]


class ProjectPage(NamedTuple):
    project: ProjectRow | None
    sites: list[ProjectSiteRow]
    releases: list[ReleaseRow]


PORTFOLIO = Query.of(__file__, "portfolio", row=PortfolioRow)
PORTFOLIO_COUNTS = Query.of(__file__, "portfolio_counts", row=PortfolioCounts)
SITE_PROJECTS = Query.of(__file__, "site_projects", row=SiteProjectRow)
SITE_ADVISORIES = Query.of(__file__, "site_advisories", row=SiteAdvisoryRow)
SITE_SYNCS = Query.of(__file__, "site_syncs", row=SyncRow)
ADVISORY = Query.of(__file__, "advisory", row=AdvisoryRow)
ADVISORY_SITES = Query.of(__file__, "advisory_sites", row=AdvisorySiteRow)
PROJECT = Query.of(__file__, "project", row=ProjectRow)
PROJECT_SITES = Query.of(__file__, "project_sites", row=ProjectSiteRow)
PROJECT_RELEASES = Query.of(__file__, "project_releases", row=ReleaseRow)


@operation
def portfolio(*, only_site_id: int | None, kind: str, q: str | None, limit: int, offset: int,
              stale_after_hours: int):
    """(`PortfolioCounts`, [`PortfolioRow`]): the headline counts and one page of sites, trouble first.

    `kind` narrows the page: trouble, not_secure, revoked, known_vulnerable, coverage_ended,
    coverage_ending, stale, or all; `q` is part of a site's name or URL."""
    (counts,) = yield PORTFOLIO_COUNTS.step(only_site_id=only_site_id, stale_after_hours=stale_after_hours)
    rows = yield PORTFOLIO.step(only_site_id=only_site_id, kind=kind, q=q, limit=limit, offset=offset,
                                stale_after_hours=stale_after_hours)
    return counts, rows


@operation
def site_report(*, site_id: int, syncs: int):
    """A site's projects as Drupal's report groups them, its advisories and its last `syncs` pushes."""
    projects = yield SITE_PROJECTS.step(site_id=site_id)
    advisories = yield SITE_ADVISORIES.step(site_id=site_id)
    recent = yield SITE_SYNCS.step(site_id=site_id, limit=syncs)
    return SiteReport(projects, advisories, recent)


@operation
def advisory(*, advisory_id: str, only_site_id: int | None, limit: int, offset: int):
    """An advisory and a page of the sites it affects (`AdvisoryPage`); (None, []) for no such advisory."""
    found = yield ADVISORY.step(advisory_id=advisory_id, only_site_id=only_site_id)
    if not found:
        return AdvisoryPage(None, [])
    sites = yield ADVISORY_SITES.step(advisory_id=advisory_id, only_site_id=only_site_id, limit=limit, offset=offset)
    return AdvisoryPage(found[0], sites)


@operation
def project(*, project: str, only_site_id: int | None, limit: int, offset: int, releases: int):
    """A project, a page of the sites running it and its newest releases (`ProjectPage`)."""
    found = yield PROJECT.step(project=project, only_site_id=only_site_id)
    if not found:
        return ProjectPage(None, [], [])
    sites = yield PROJECT_SITES.step(project=project, only_site_id=only_site_id, limit=limit, offset=offset)
    newest = yield PROJECT_RELEASES.step(project=project, limit=releases)
    return ProjectPage(found[0], sites, newest)

