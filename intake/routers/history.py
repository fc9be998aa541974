"""A site's history: what each applied inventory changed (admin, or the site's own token)."""

from fastapi import APIRouter, Request, Response

from intake.auth import CallerDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.reading import ReadConnectionDep, check_site_access, fetch_rows, page_from_rows
from intake.schemas.history import (
    EventQuery,
    ModuleQuery,
    SinceQuery,
    SiteEventOut,
    UntilQuery,
    check_time_range,
    parse_events,
)
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.sites import SiteId

router = APIRouter(prefix="/sites", tags=["sites"], responses=error_responses(401, 403, 404, 422, 503))


@router.get("/{site_id}/history", summary="The site's module events, newest first",
            response_model=Page[SiteEventOut], responses=read_responses())
async def site_history(
    request: Request, site_id: SiteId, caller: CallerDep, conn: ReadConnectionDep,
    module: ModuleQuery = None,
    event: EventQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> Response:
    """Filters combine with AND; the time range is `since <= occurred_at < until`."""
    check_time_range(since, until)
    rows = await fetch_rows(conn, "read_site_history", {
        "site_id": site_id, "token_hash": caller.token_hash, "module": module, "events": parse_events(event),
        "since": since, "until": until, "limit": limit, "offset": offset})
    check_site_access(caller, site_id, rows[0])
    page = page_from_rows(rows, SiteEventOut.model_validate, present="id", limit=limit, offset=offset)
    return conditional_json(request, page)
