"""An advisory: its text, the sites it affects at which installed versions, and the fix."""

from typing import Annotated

from fastapi import Path, Request

from intake.deps import ReadConnectionDep
from intake.pages.paging import PageQuery, offset_of, one_page
from intake.pages.rendering import error_page, render
from intake.pages.routing import page_router
from intake.pages.session import ViewerDep
from sql import store

router = page_router()

PAGE_SIZE = 100


@router.get("/advisories/{advisory_id}", name="page_advisory")
async def advisory_page(request: Request, viewer: ViewerDep, conn: ReadConnectionDep,
                        advisory_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")],
                        page: PageQuery = 1):
    found = await store.dashboard.advisory(conn, advisory_id=advisory_id.upper(), only_site_id=viewer.only_site_id,
                                           limit=PAGE_SIZE, offset=offset_of(page, PAGE_SIZE))
    if found.advisory is None:
        return error_page(request, 404, viewer=viewer, title="No such advisory",
                          message=f"No advisory “{advisory_id}” is loaded.")
    sites, total, pages = one_page(found.sites, page_size=PAGE_SIZE, present="site_id")
    return render(request, "advisory.html", viewer=viewer, advisory=found.advisory, sites=sites, total=total,
                  page=page, pages=pages)
