"""An advisory: its text, the sites it affects at which installed versions, and the fix."""

from typing import Annotated

from fastapi import Path, Request

from intake.deps import ReadConnectionDep
from intake.pages.paging import PageQuery, offset_of, page_count
from intake.pages.rendering import render
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
        return render(request, "error.html", status_code=404, viewer=viewer, title="No such advisory",
                      message=f"No advisory {advisory_id!r} is loaded.")
    total = found.sites[0].total
    return render(request, "advisory.html", viewer=viewer, advisory=found.advisory,
                  sites=[row for row in found.sites if row.site_id is not None], total=total, page=page,
                  pages=page_count(total, PAGE_SIZE))
