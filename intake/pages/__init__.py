"""The dashboard: server-rendered pages for the people who fix the sites, served beside the API.

Same data and access rules as the API: the admin token sees the portfolio,
a site's token its own site only. Signed in with a session cookie (see
`session.py`); every asset is served from `static/` by this app.
"""

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from intake.api import API_PREFIX
from intake.pages.rendering import STATIC_DIR, error_page
from intake.pages.routers import advisories, portfolio, projects, signin, sites, trend
from intake.pages.session import SignInRequired, session_key, signin_redirect, viewer_of

PAGE_ERROR_TITLES = {404: "No such page", 405: "Not a page to open"}


async def _sign_in_first(request: Request, error: SignInRequired):
    return signin_redirect(request, error)


def _pages_for_browsers(api_answer):
    """An unknown address outside the API, opened by a browser, is a page; the API keeps its JSON answers."""
    async def answer(request: Request, error: HTTPException):
        browsing = "text/html" in request.headers.get("accept", "")
        if not browsing or request.url.path.startswith(API_PREFIX + "/") or error.status_code not in PAGE_ERROR_TITLES:
            return await api_answer(request, error)
        try:
            viewer = await viewer_of(request)
        except (DBAPIError, PoolTimeoutError):  # a site's session is looked up: without it, a frame for no one
            viewer = None
        return error_page(request, error.status_code, viewer=viewer, title=PAGE_ERROR_TITLES[error.status_code],
                          message="The dashboard has no page at this address.")

    return answer


def install_pages(app: FastAPI) -> None:
    """Mount the pages at `/` (after the API, so `/api/v1` and `/health` keep their routes)."""
    app.state.session_key = session_key(app.state.admin_token_hash)
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(HTTPException, _pages_for_browsers(app.exception_handlers[HTTPException]))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="dashboard_static")
    for page in (signin, portfolio, sites, advisories, projects, trend):
        app.include_router(page.router)
