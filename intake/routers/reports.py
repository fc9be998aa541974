"""Cross-site reports (admin)."""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response

from intake.auth import AdminDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.reading import ReadConnectionDep, fetch_rows, fetch_rows_alongside
from intake.schemas.pagination import LimitQuery, OffsetQuery
from intake.schemas.reports import AffectedModuleOut, AffectedSiteModuleOut, AffectedSiteOut, SecurityReportOut

router = APIRouter(prefix="/reports", tags=["reports"], responses=error_responses(401, 403, 422, 503))


@router.get("/security", summary="Sites with NOT_SECURE, REVOKED or known-vulnerable modules, and sites per module",
            response_model=SecurityReportOut, responses=read_responses())
async def security_report(request: Request, caller: AdminDep, conn: ReadConnectionDep, limit: LimitQuery = 50,
                          offset: OffsetQuery = 0) -> Response:
    """Pages through the affected sites; each lists all of its affected modules. Removed modules
    do not count. The two parts are read by two statements at once: a run that commits at that
    very moment may show in one part before the other."""
    # Two whole-portfolio aggregates (the affected sites' count, the per-module counts) are most
    # of the work: the second runs on another connection, so on another core, at the same time.
    site_rows, module_rows = await asyncio.gather(
        fetch_rows(conn, "report_security_sites", {"limit": limit, "offset": offset}),
        fetch_rows_alongside(request.app.state.engine, "report_security_modules"))
    report = SecurityReportOut(items=affected_sites(site_rows), total=site_rows[0]["total"], limit=limit,
                               offset=offset, modules=[AffectedModuleOut.model_validate(row) for row in module_rows])
    return conditional_json(request, report)


def affected_sites(rows: Sequence[Mapping[str, Any]]) -> list[AffectedSiteOut]:
    """One site per run of rows (they come ordered by site), with its modules."""
    sites: list[AffectedSiteOut] = []
    for row in rows:
        if row["site_id"] is None:
            continue
        if not sites or sites[-1].id != row["site_id"]:
            sites.append(AffectedSiteOut(id=row["site_id"], name=row["site_name"], url=row["site_url"],
                                         last_sync_at=row["last_sync_at"], modules=[]))
        sites[-1].modules.append(AffectedSiteModuleOut.model_validate(row))
    return sites
