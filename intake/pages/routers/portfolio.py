"""The portfolio: every site, those in trouble first, with the counts of each kind of problem."""

from typing import Annotated, Literal

from fastapi import Query, Request

from intake.deps import ReadConnectionDep
from intake.pages.paging import PageQuery, offset_of, one_page
from intake.pages.rendering import render
from intake.pages.routing import page_router
from intake.pages.session import ViewerDep
from sql import store

router = page_router()

PAGE_SIZE = 50
Kind = Literal["all", "trouble", "not_secure", "revoked", "known_vulnerable", "coverage_ended", "coverage_ending",
               "stale"]
KIND_LABELS = {
    "all": "All sites", "trouble": "Any problem", "not_secure": "Security update required",
    "revoked": "Revoked release", "known_vulnerable": "Known vulnerable", "coverage_ended": "Core coverage ended",
    "coverage_ending": "Core coverage ending", "stale": "Stale (no recent push)",
}


@router.get("/", name="page_portfolio")
async def portfolio(request: Request, viewer: ViewerDep, conn: ReadConnectionDep, kind: Kind = "all",
                    q: Annotated[str | None, Query(max_length=200)] = None,
                    page: PageQuery = 1):
    search = (q or "").replace("\x00", "").strip() or None
    counts, rows = await store.dashboard.portfolio(
        conn, only_site_id=viewer.only_site_id, kind=kind, q=search, limit=PAGE_SIZE,
        offset=offset_of(page, PAGE_SIZE), stale_after_hours=request.app.state.settings.stale_after_hours)
    sites, total, pages = one_page(rows, page_size=PAGE_SIZE, present="id")
    return render(request, "portfolio.html", viewer=viewer, counts=counts, sites=sites, total=total, kind=kind,
                  q=search or "", page=page, pages=pages, kinds=KIND_LABELS)
