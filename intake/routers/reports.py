"""Cross-site reports (admin)."""

from fastapi import APIRouter, Request, Response

from intake.deps import AdminDep, ReadConnectionDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.schemas.pagination import LimitQuery, OffsetQuery
from intake.schemas.reports import (
    AffectedProjectOut,
    AffectedSiteOut,
    CoverageLimitQuery,
    CoverageSiteOut,
    ProjectsLimitQuery,
    SecurityReportOut,
    SiteTroubleCountsOut,
)
from intake.urls import path_for
from sql import store
from sql.summaries import ReportCoverageRow, ReportSiteRow

router = APIRouter(prefix="/reports", tags=["reports"], responses=error_responses(401, 403, 422, 503))


@router.get("/security", summary="Sites with NOT_SECURE, REVOKED or known-vulnerable projects, the most "
                                 "affected projects, and the sites whose core coverage ended or is ending",
            response_model=SecurityReportOut, responses=read_responses())
async def security_report(request: Request, caller: AdminDep, conn: ReadConnectionDep, limit: LimitQuery = 50,
                          offset: OffsetQuery = 0, projects_limit: ProjectsLimitQuery = 50,
                          coverage_limit: CoverageLimitQuery = 50) -> Response:
    """Pages through the affected sites, each with its counts and where to list its projects; removed
    projects do not count. Read from the security summaries the ingest pipeline writes with the
    statuses, in the same transaction: the report is as fresh as the statuses."""
    site_rows = await store.summaries.report_sites(conn, limit=limit, offset=offset)
    project_rows = await store.summaries.report_projects(conn, projects_limit=projects_limit)
    coverage_rows = await store.summaries.report_coverage(conn, coverage_limit=coverage_limit)
    report = SecurityReportOut(
        items=[affected_site(request, row) for row in site_rows if row.site_id is not None],
        total=site_rows[0].total, limit=limit, offset=offset, projects_total=project_rows[0].total,
        projects=[AffectedProjectOut.model_validate(row._asdict()) for row in project_rows
                  if row.project is not None],
        coverage_total=coverage_rows[0].total,
        coverage=[coverage_site(row) for row in coverage_rows if row.site_id is not None])
    return conditional_json(request, report)


def affected_site(request: Request, row: ReportSiteRow) -> AffectedSiteOut:
    return AffectedSiteOut(id=row.site_id, name=row.site_name, url=row.site_url, last_sync_at=row.last_sync_at,
                           counts=SiteTroubleCountsOut.model_validate(row._asdict()), advisories=row.advisories,
                           projects_url=path_for(request, "list_site_projects", site_id=row.site_id),
                           modules_url=path_for(request, "list_site_modules", site_id=row.site_id))


def coverage_site(row: ReportCoverageRow) -> CoverageSiteOut:
    return CoverageSiteOut(id=row.site_id, name=row.site_name, url=row.site_url, core_version=row.core_version,
                           state=row.state, until_version=row.until_version, until_date=row.until_date,
                           additional_minors=row.additional_minors)
