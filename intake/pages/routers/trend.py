"""The trend: NOT_SECURE projects and known-vulnerable sites over time, from the pipeline's daily points."""

from typing import Annotated

from fastapi import Query, Request

from intake.deps import ReadConnectionDep
from intake.pages.chart import line_chart
from intake.pages.rendering import error_page, render
from intake.pages.routing import page_router
from intake.pages.session import ViewerDep
from sql import store

router = page_router()


@router.get("/trend", name="page_trend")
async def trend_page(request: Request, viewer: ViewerDep, conn: ReadConnectionDep,
                     days: Annotated[int, Query(ge=7, le=3660)] = 90):
    if not viewer.is_admin:
        return error_page(request, 403, viewer=viewer, title="Portfolio only",
                      message="The trend counts every site: sign in with the admin token to see it.")
    points = await store.trend.points(conn, days=days)
    chart = line_chart([p.day for p in points], {
        "NOT_SECURE projects": ("not-secure", [p.not_secure_projects for p in points]),
        "Known-vulnerable sites": ("vulnerable", [p.known_vulnerable_sites for p in points]),
    }) if points else None
    return render(request, "trend.html", viewer=viewer, points=points, chart=chart, days=days)
