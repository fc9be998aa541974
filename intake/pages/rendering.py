"""Pages rendered from the Jinja2 templates beside this file, with the few filters they share."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from intake.urls import path_for

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
# Every asset is served by this app: nothing is fetched from anywhere else.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STATUS_LABELS = {
    "NOT_SECURE": "Security update required!", "REVOKED": "Revoked!", "NOT_SUPPORTED": "Not supported!",
    "NOT_CURRENT": "Update available", "CURRENT": "Up to date", "NOT_CHECKED": "Not checked",
    "UNKNOWN": "Unknown", "NOT_FETCHED": "Failed to get available update data",
}
# The colour of a status as Drupal's report gives it: what could not be checked is an error too,
# a dev snapshot without a date (NOT_CHECKED) only a warning.
ERROR_STATUSES = {"NOT_SECURE", "REVOKED", "NOT_SUPPORTED", "UNKNOWN", "NOT_FETCHED"}

templates = Jinja2Templates(directory=HERE / "templates")


def ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = (datetime.now(UTC) - moment).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def status_class(status: str | None, known_vulnerable: bool = False) -> str:
    if known_vulnerable or status in ERROR_STATUSES:
        return "error"
    if status is None:
        return "unknown"
    return "ok" if status == "CURRENT" else "warning"


def web_url(link: str | None) -> str | None:
    """`link` if it is an http(s) URL, else None: links come from feeds, advisories and registrations,
    and one of them saying `javascript:` or `data:` must not become a link anyone clicks."""
    return link if link and link.strip().lower().startswith(("https://", "http://")) else None


templates.env.filters.update(ago=ago, when=when, web_url=web_url)
templates.env.globals.update(STATUS_LABELS=STATUS_LABELS, status_class=status_class)


def render(request: Request, template: str, *, status_code: int = 200, **context) -> Response:
    """A page: the template with the viewer and a `url(name, **params)` helper, and the security headers."""
    def url(name: str, **params) -> str:
        # Ids in links come from data (an advisory id, a project name): each stays one path segment.
        return path_for(request, name, **{key: quote(str(value), safe="") for key, value in params.items()})

    response = templates.TemplateResponse(request, template, {"url": url, **context}, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: Request, status_code: int, *, viewer, title: str, message: str, **context) -> Response:
    """A refusal as a page: what went wrong, in the signed-in frame when there is a viewer."""
    return render(request, "error.html", status_code=status_code, viewer=viewer, title=title, message=message,
                  **context)
