"""The security summaries the security report reads, and the report's two queries.

`site_security_summary`, `module_security_summary` and `advisory_exposures`
(which sites and projects each OSV advisory affects) are recounted from the
site modules in trouble, in the transaction that changed them: by the status
step of the pipeline, and by the API when a deletion takes rows away. Both call
`recount` (or `rebuild`) here, so both count the same way under the same lock.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sql.query import Query, Script, Statement, operation

# Summary recounts take turns (see lock.sql).
LOCK = Statement.of(__file__, "lock")
SITES_REFRESH = Statement.of(__file__, "sites_refresh")
MODULES_REFRESH = Statement.of(__file__, "modules_refresh")
SITES_REBUILD = Script.of(__file__, "sites_rebuild")
MODULES_REBUILD = Script.of(__file__, "modules_rebuild")
EXPOSURES_REFRESH = Statement.of(__file__, "exposures_refresh")
EXPOSURES_REBUILD = Script.of(__file__, "exposures_rebuild")


class ReportSiteRow(NamedTuple):
    total: int
    site_id: int | None
    site_name: str | None
    site_url: str | None
    last_sync_at: datetime | None
    not_secure: int | None
    revoked: int | None
    known_vulnerable: int | None
    affected_modules: int | None
    advisories: list[str] | None


class ReportModuleRow(NamedTuple):
    total: int
    machine_name: str | None
    display_name: str | None
    project: str | None
    module_type: str | None
    affected_sites: int | None
    not_secure_sites: int | None
    revoked_sites: int | None
    known_vulnerable_sites: int | None
    advisories: list[str] | None


# One page of the sites in trouble (a single row of NULLs past the end, still carrying the total).
report_sites = Query.of(__file__, "report_sites", row=ReportSiteRow)
# The most affected modules, with the number of modules in trouble anywhere.
report_modules = Query.of(__file__, "report_modules", row=ReportModuleRow)


class Written(NamedTuple):
    site_summaries_written: int
    module_summaries_written: int
    advisory_exposures_written: int


@operation
def recount(*, site_ids: Sequence[int] = (), module_ids: Sequence[int] = ()):
    """Recount the summaries of these sites, and of every module they have (present or removed) and of
    `module_ids`. Run inside the transaction that changed the statuses or deleted the rows."""
    yield LOCK.step()
    sites = (yield SITES_REFRESH.step(site_ids=list(site_ids))) if site_ids else 0
    modules = yield MODULES_REFRESH.step(site_ids=list(site_ids), module_ids=list(module_ids))
    exposures = (yield EXPOSURES_REFRESH.step(site_ids=list(site_ids))) if site_ids else 0
    return Written(sites, modules, exposures)


@operation
def rebuild():
    """Rebuild both summary tables from scratch (after every status was recomputed)."""
    yield LOCK.step()
    sites = yield SITES_REBUILD.step()
    modules = yield MODULES_REBUILD.step()
    exposures = yield EXPOSURES_REBUILD.step()
    return Written(sites, modules, exposures)
