"""Query-string filters that need more than their declared type: each problem is a 422 naming it."""

from datetime import datetime

from fastapi import Request

from foundation.vocabulary import EVENT_TYPES
from intake.errors import ApiError, detail
from intake.schemas.site_modules import MODULE_STATUSES


def _listed(values: list[str]) -> list[str]:
    """`?x=a&x=b,c` -> `[a, b, c]`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_statuses(values: list[str] | None) -> list[str] | None:
    """`?status=A&status=B,C` -> `[A, B, C]`; an unknown status is a 422 naming it."""
    if not values:
        return None
    statuses = _listed(values)
    unknown = [status for status in statuses if status not in MODULE_STATUSES]
    if unknown:
        raise ApiError(422, "validation_failed", f"unknown status {unknown[0]!r}", details=[
            detail("query.status", f"{status!r} is not one of {', '.join(MODULE_STATUSES)}", "enum")
            for status in unknown])
    return statuses or None


def parse_events(values: list[str] | None) -> list[str] | None:
    """`?event=added&event=removed,enabled` -> the list; an unknown event type is a 422 naming it."""
    if not values:
        return None
    events = _listed(values)
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise ApiError(422, "validation_failed", f"unknown event {unknown[0]!r}", details=[
            detail("query.event", f"{event!r} is not one of {', '.join(EVENT_TYPES)}", "enum") for event in unknown])
    return events or None


def check_time_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise ApiError(422, "validation_failed", "`since` is after `until`",
                       details=[detail("query.until", "must not be before `since`", "range")])


def refuse_unstorable_text(request: Request) -> None:
    """A NUL character in any query or path parameter is a 422 naming it: PostgreSQL text cannot hold one.

    Every route of the API depends on this, so a parameter added later is covered too.
    """
    given = [("query", name, value) for name, value in request.query_params.multi_items()]
    given += [("path", name, str(value)) for name, value in request.path_params.items()]
    problems = [detail(f"{where}.{name}", "must not contain a NUL character", "nul_character")
                for where, name, value in given if "\x00" in name or "\x00" in value]
    if problems:
        raise ApiError(422, "validation_failed",
                       f"{problems[0]['path']} contains a NUL character, which cannot be stored",
                       details=problems)
