"""A site's projects with their update status (admin, or the site's own token)."""

from fastapi import APIRouter, Request, Response

from intake.auth import check_site_access
from intake.deps import CallerDep, ReadConnectionDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.filters import parse_statuses
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.site_modules import StatusQuery
from intake.schemas.site_projects import SiteProjectOut
from intake.schemas.sites import SiteId
from sql import store

router = APIRouter(prefix="/sites", tags=["sites"], responses=error_responses(401, 403, 404, 422, 503))


@router.get("/{site_id}/projects", summary="The site's projects and their update status, by project name",
            response_model=Page[SiteProjectOut], responses=read_responses())
async def list_site_projects(
    request: Request, site_id: SiteId, caller: CallerDep, conn: ReadConnectionDep,
    status: StatusQuery = None,
    update_available: bool | None = None,
    security_update: bool | None = None,
    known_vulnerable: bool | None = None,
    include_removed: bool = False,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> Response:
    """One row per project, as Drupal reports it: its modules share one version and one status.
    Filters combine with AND; `security_update` filters on `security_update_available`. Projects whose
    every module is removed only with `include_removed=true`."""
    rows = await store.site_modules.projects_page(
        conn, site_id=site_id, token_hash=caller.token_hash, statuses=parse_statuses(status),
        update_available=update_available, security_update=security_update, known_vulnerable=known_vulnerable,
        include_removed=include_removed, limit=limit, offset=offset)
    check_site_access(caller, site_id, rows[0])
    items = [SiteProjectOut.model_validate(row._asdict()) for row in rows if row.project is not None]
    return conditional_json(request, Page[SiteProjectOut](items=items, total=rows[0].total, limit=limit,
                                                          offset=offset))
