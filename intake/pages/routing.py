"""The pages' routes: a malformed parameter or an unreachable database answers an HTML page, not the API's JSON.

The app's handlers speak the API's error format; a person who followed a
bad link should see a page. So each page route catches its own validation
error (the sign-in dependency runs first, so no one learns anything before
signing in): a malformed id in the path is a 404 (it names nothing that
exists), anything else a 400. A database out of reach is a 503 page.
"""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.responses import Response

from intake.database import is_database_unavailable
from intake.errors import DATABASE_RETRY_AFTER_SECONDS
from intake.pages.rendering import error_page


def problem_of(error: dict) -> tuple[str, str]:
    """(`the query parameter “page”`, what is wrong with it) for one of pydantic's errors."""
    where, *name = error["loc"]
    place = {"path": "the path parameter", "query": "the query parameter"}.get(where, f"the {where} field")
    return f"{place} “{'.'.join(str(part) for part in name)}”", error["msg"]


def refusal(request: Request, error: RequestValidationError) -> Response:
    problems = [problem_of(problem) for problem in error.errors()]
    in_path = any(problem["loc"][0] == "path" for problem in error.errors())
    return error_page(request, 404 if in_path else 400, viewer=getattr(request.state, "viewer", None),
                      title="No such page" if in_path else "Bad link",
                      message="This address is not one the dashboard makes:", problems=problems)


def unavailable(request: Request) -> Response:
    response = error_page(request, 503, viewer=getattr(request.state, "viewer", None),
                          title="Database unavailable",
                          message="modwatch cannot reach its database just now; try again in a moment.")
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as error:
                return refusal(request, error)
            except (DBAPIError, PoolTimeoutError) as error:
                if not is_database_unavailable(error):
                    raise
                return unavailable(request)

        return handle_page


def page_router() -> APIRouter:
    """A router for pages: out of the OpenAPI document, with the pages' own refusals."""
    return APIRouter(include_in_schema=False, route_class=PageRoute)
