"""The security summaries the security report reads, and the report's queries.

`site_security_summary`, `project_security_summary` and `advisory_exposures`
(which sites and projects each OSV advisory affects) are recounted from the
site projects in trouble (Drupal reports projects: 49 core modules behind one
core security release are one finding), in the transaction that changed them: by the status
step of the pipeline, and by the API when a deletion takes rows away. Both call
`recount` (or `rebuild`) here, so both count the same way under the same lock.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sql.query import Query, Script, Statement, operation

# Summary recounts take turns (see lock.sql).
LOCK = Statement.of(__file__, "lock")
PRUNE_PROJECTS = Statement.of(__file__, "prune_projects")
SITES_REFRESH = Statement.of(__file__, "sites_refresh")
PROJECTS_REFRESH = Statement.of(__file__, "projects_refresh")
REBUILD_SETTINGS = Script.of(__file__, "rebuild_settings")
SITES_REBUILD = Script.of(__file__, "sites_rebuild")
PROJECTS_REBUILD = Script.of(__file__, "projects_rebuild")
EXPOSURES_REFRESH = Statement.of(__file__, "exposures_refresh")
EXPOSURES_STAGE = Script.of(__file__, "exposures_stage")
EXPOSURES_UPDATE = Statement.of(__file__, "exposures_update")
EXPOSURES_INSERT = Statement.of(__file__, "exposures_insert")


class ReportSiteRow(NamedTuple):
    total: int
    site_id: int | None
    site_name: str | None
    site_url: str | None
    last_sync_at: datetime | None
    not_secure: int | None
    revoked: int | None
    known_vulnerable: int | None
    affected_projects: int | None
    affected_modules: int | None
    advisories: list[str] | None


class ReportProjectRow(NamedTuple):
    total: int
    project: str | None
    affected_sites: int | None
    not_secure_sites: int | None
    revoked_sites: int | None
    known_vulnerable_sites: int | None
    advisories: list[str] | None


class ReportCoverageRow(NamedTuple):
    total: int
    site_id: int | None
    site_name: str | None
    site_url: str | None
    core_version: str | None
    state: str | None
    until_version: str | None
    until_date: date | None
    additional_minors: int | None


# One page of the sites in trouble (a single row of NULLs past the end, still carrying the total).
report_sites = Query.of(__file__, "report_sites", row=ReportSiteRow)
# The most affected projects, with the number of projects in trouble anywhere.
report_projects = Query.of(__file__, "report_projects", row=ReportProjectRow)
# The sites whose core security coverage has ended or ends with the next minor, with their number.
report_coverage = Query.of(__file__, "report_coverage", row=ReportCoverageRow)


class Written(NamedTuple):
    site_summaries_written: int
    project_summaries_written: int
    advisory_exposures_written: int


@operation
def recount(*, site_ids: Sequence[int] = (), projects: Sequence[str] = ()):
    """Recount the summaries of these sites, and of every project they have (present or removed) and of
    `projects`, after dropping the status of their projects with no module left. Run inside the
    transaction that changed the statuses or deleted the rows."""
    yield LOCK.step()
    if site_ids:
        yield PRUNE_PROJECTS.step(site_ids=list(site_ids))
    sites = (yield SITES_REFRESH.step(site_ids=list(site_ids))) if site_ids else 0
    counted = yield PROJECTS_REFRESH.step(site_ids=list(site_ids), projects=list(projects))
    exposures = (yield EXPOSURES_REFRESH.step(site_ids=list(site_ids))) if site_ids else 0
    return Written(sites, counted, exposures)


@operation
def rebuild():
    """Rebuild the summary tables from scratch (after every status was recomputed). Projects left without
    a module are dropped where modules are deleted (`recount` of their sites), so none is left here."""
    yield LOCK.step()
    yield REBUILD_SETTINGS.step()
    sites = yield SITES_REBUILD.step()
    counted = yield PROJECTS_REBUILD.step()
    yield EXPOSURES_STAGE.step()
    updated = yield EXPOSURES_UPDATE.step()
    inserted = yield EXPOSURES_INSERT.step()
    return Written(sites, counted, updated + inserted)
