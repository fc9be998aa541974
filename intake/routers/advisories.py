"""Security advisories of the Drupal Security Team, and the sites they affect (admin)."""

from fastapi import APIRouter, Request, Response

from intake.deps import AdminDep, ReadConnectionDep
from intake.errors import error_responses, not_found
from intake.etag import conditional_json, read_responses
from intake.schemas.advisories import (
    AdvisoryDetailOut,
    AdvisoryIdPath,
    AdvisoryPage,
    AdvisoryRangeOut,
    AdvisorySummaryOut,
    AffectedSiteOut,
    AffectingQuery,
    ProjectQuery,
    SinceQuery,
)
from intake.schemas.pagination import LimitQuery, OffsetQuery
from intake.urls import path_for
from sql import store

router = APIRouter(prefix="/advisories", tags=["advisories"], responses=error_responses(401, 403, 422, 503))


@router.get("", summary="Security advisories, newest first, with the sites and projects each affects",
            response_model=AdvisoryPage, responses=read_responses())
async def list_advisories(request: Request, caller: AdminDep, conn: ReadConnectionDep,
                          project: ProjectQuery = None, since: SinceQuery = None, affecting: AffectingQuery = False,
                          limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Response:
    """The counts come from what the pipeline recorded with the statuses: as fresh as the statuses."""
    rows = await store.advisories.page(conn, project=project, since=since, affecting=affecting, limit=limit,
                                       offset=offset)
    items = [AdvisorySummaryOut(**{name: value for name, value in row._asdict().items() if name != "total"},
                                detail_url=path_for(request, "get_advisory", advisory_id=row.id))
             for row in rows if row.id is not None]
    return conditional_json(request, AdvisoryPage(items=items, total=rows[0].total, limit=limit, offset=offset))


@router.get("/{advisory_id}", summary="One advisory: its text, its ranges, and every site and project it affects",
            response_model=AdvisoryDetailOut, responses={**error_responses(404), **read_responses()})
async def get_advisory(request: Request, advisory_id: AdvisoryIdPath, caller: AdminDep,
                       conn: ReadConnectionDep) -> Response:
    advisory, exposures = await store.advisories.detail(conn, advisory_id=advisory_id.upper())
    if advisory is None:
        raise not_found(f"no advisory {advisory_id!r}")
    detail = AdvisoryDetailOut(
        **{name: value for name, value in advisory._asdict().items() if name != "ranges"},
        ranges=[AdvisoryRangeOut.model_validate(advisory_range) for advisory_range in advisory.ranges],
        affected_sites=[
            AffectedSiteOut(site_id=row.site_id, site_name=row.site_name, site_url=row.site_url, project=row.project,
                            installed_version=row.installed_version, fixed_in=row.fixed_in,
                            constraint=row.constraint_text, modules=row.modules,
                            modules_url=path_for(request, "list_site_modules", site_id=row.site_id)
                            + "?known_vulnerable=true")
            for row in exposures])
    return conditional_json(request, detail)
