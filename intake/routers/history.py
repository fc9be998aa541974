"""A site's history: what each applied inventory changed (admin, or the site's own token)."""

from fastapi import APIRouter, Request, Response

from intake.auth import check_site_access
from intake.deps import CallerDep, ReadConnectionDep
from intake.errors import error_responses
from intake.etag import conditional_json, read_responses
from intake.filters import check_time_range, parse_events
from intake.schemas.history import EventQuery, ModuleQuery, SinceQuery, SiteEventOut, UntilQuery
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.sites import SiteId
from sql import store

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
    rows = await store.history.page(conn, site_id=site_id, token_hash=caller.token_hash, module=module,
                                    events=parse_events(event), since=since, until=until, limit=limit,
                                    offset=offset)
    check_site_access(caller, site_id, rows[0])
    items = [SiteEventOut.model_validate(row._asdict()) for row in rows if row.id is not None]
    return conditional_json(request, Page[SiteEventOut](items=items, total=rows[0].total, limit=limit,
                                                        offset=offset))
