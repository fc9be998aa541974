"""A project: the sites running it at which versions and statuses, its newest releases, and the fix."""

from typing import Annotated

from fastapi import Path, Request

from foundation.vocabulary import MACHINE_NAME_PATTERN
from intake.deps import ReadConnectionDep
from intake.pages.paging import PageQuery, offset_of, one_page
from intake.pages.rendering import error_page, render
from intake.pages.routing import page_router
from intake.pages.session import ViewerDep
from sql import store

router = page_router()

PAGE_SIZE = 100
RELEASES_SHOWN = 12


@router.get("/projects/{project}", name="page_project")
async def project_page(request: Request, viewer: ViewerDep, conn: ReadConnectionDep,
                       project: Annotated[str, Path(pattern=MACHINE_NAME_PATTERN)],
                       page: PageQuery = 1):
    found = await store.dashboard.project(conn, project=project, only_site_id=viewer.only_site_id, limit=PAGE_SIZE,
                                          offset=offset_of(page, PAGE_SIZE), releases=RELEASES_SHOWN)
    if found.project is None:
        return error_page(request, 404, viewer=viewer, title="No such project",
                          message=f"No site you can see runs “{project}”, and drupal.org publishes no release of it.")
    sites, total, pages = one_page(found.sites, page_size=PAGE_SIZE, present="site_id")
    return render(request, "project.html", viewer=viewer, project=found.project, sites=sites, total=total,
                  releases=found.releases, page=page, pages=pages)
