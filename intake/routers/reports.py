"""Cross-site reports (admin)."""

from fastapi import APIRouter, Request, Response

from intake.deps import AdminDep, ReadConnectionDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.schemas.pagination import LimitQuery, OffsetQuery
from intake.schemas.reports import (
    AffectedModuleOut,
    AffectedSiteOut,
    ModulesLimitQuery,
    SecurityReportOut,
    SiteTroubleCountsOut,
)
from intake.urls import path_for
from sql import store
from sql.summaries import ReportSiteRow

router = APIRouter(prefix="/reports", tags=["reports"], responses=error_responses(401, 403, 422, 503))


@router.get("/security", summary="Sites with NOT_SECURE, REVOKED or known-vulnerable modules, and the most "
                                 "affected modules", response_model=SecurityReportOut, responses=read_responses())
async def security_report(request: Request, caller: AdminDep, conn: ReadConnectionDep, limit: LimitQuery = 50,
                          offset: OffsetQuery = 0, modules_limit: ModulesLimitQuery = 50) -> Response:
    """Pages through the affected sites, each with its counts and where to list its modules; removed
    modules do not count. Read from the security summaries the ingest pipeline writes with the
    statuses, in the same transaction: the report is as fresh as the statuses."""
    site_rows = await store.summaries.report_sites(conn, limit=limit, offset=offset)
    module_rows = await store.summaries.report_modules(conn, modules_limit=modules_limit)
    report = SecurityReportOut(
        items=[affected_site(request, row) for row in site_rows if row.site_id is not None],
        total=site_rows[0].total, limit=limit, offset=offset, modules_total=module_rows[0].total,
        modules=[AffectedModuleOut.model_validate(row._asdict()) for row in module_rows
                 if row.machine_name is not None])
    return conditional_json(request, report)


def affected_site(request: Request, row: ReportSiteRow) -> AffectedSiteOut:
    return AffectedSiteOut(id=row.site_id, name=row.site_name, url=row.site_url, last_sync_at=row.last_sync_at,
                           counts=SiteTroubleCountsOut.model_validate(row._asdict()), advisories=row.advisories,
                           modules_url=path_for(request, "list_site_modules", site_id=row.site_id))
