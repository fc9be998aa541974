"""A site: its projects as Drupal's "Available updates" report shows them, advisories, syncs, history."""

from fastapi import Path, Request

from intake.deps import ReadConnectionDep
from intake.pages.rendering import error_page, render
from intake.pages.routing import page_router
from intake.pages.session import ViewerDep
from sql import store

router = page_router()

SYNCS_SHOWN = 10
EVENTS_SHOWN = 50
GROUPS = (("core", "Drupal core"), ("contrib", "Contributed projects"), ("custom", "Custom code"))


@router.get("/sites/{site_id}", name="page_site")
async def site_page(request: Request, viewer: ViewerDep, conn: ReadConnectionDep,
                    site_id: int = Path(ge=1, le=2**63 - 1)):
    if not viewer.may_see_site(site_id):
        # A site's session learns nothing about other ids, existing or not.
        return error_page(request, 403, viewer=viewer, title="Not your site",
                      message="You are signed in with a site's token: it shows that site only.")
    settings = request.app.state.settings
    site = await store.sites.get(conn, site_id=site_id, token_hash=None, stale_after_hours=settings.stale_after_hours)
    if site.id is None:
        return error_page(request, 404, viewer=viewer, title="No such site",
                      message=f"There is no site with id {site_id}.")
    report = await store.dashboard.site_report(conn, site_id=site_id, syncs=SYNCS_SHOWN)
    events = await store.history.page(conn, site_id=site_id, token_hash=None, module=None, events=None, since=None,
                                      until=None, limit=EVENTS_SHOWN, offset=0)
    groups = [(label, [p for p in report.projects if p.project_type == kind]) for kind, label in GROUPS]
    dagster = settings.dagster_ui_url.rstrip("/")
    return render(request, "site.html", viewer=viewer, site=site, groups=[g for g in groups if g[1]],
                  projects=report.projects, advisories=report.advisories, syncs=report.syncs,
                  events=[event for event in events if event.id is not None], events_total=events[0].total,
                  run_url=lambda run_id: f"{dagster}/runs/{run_id}")
