"""The dashboard: server-rendered pages for the people who fix the sites, served beside the API.

Same data and access rules as the API: the admin token sees the portfolio,
a site's token its own site only. Signed in with a session cookie (see
`session.py`); every asset is served from `static/` by this app.
"""

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from intake.pages.rendering import STATIC_DIR
from intake.pages.routers import advisories, portfolio, projects, signin, sites, trend
from intake.pages.session import SignInRequired, session_key, signin_redirect


async def _sign_in_first(request: Request, error: SignInRequired):
    return signin_redirect(request, error)


def install_pages(app: FastAPI) -> None:
    """Mount the pages at `/` (after the API, so `/api/v1` and `/health` keep their routes)."""
    app.state.session_key = session_key(app.state.admin_token_hash)
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="dashboard_static")
    for page in (signin, portfolio, sites, advisories, projects, trend):
        app.include_router(page.router)
