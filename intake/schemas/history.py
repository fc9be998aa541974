"""A site's history: one event per change an applied inventory made."""

from datetime import UTC, datetime
from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field

from intake.errors import ApiError, detail
from intake.schemas.modules import MACHINE_NAME_PATTERN

EventType = Literal["added", "removed", "version_changed", "enabled", "disabled"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


def _utc_when_naive(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC, not as whatever the database session uses."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


ModuleQuery = Annotated[str | None, Query(pattern=MACHINE_NAME_PATTERN, description="Only this module (machine name)")]
EventQuery = Annotated[list[str] | None, Query(
    description=f"Only these events: repeat or separate with commas; one of {', '.join(EVENT_TYPES)}")]
SinceQuery = Annotated[datetime | None, Query(description="Events at or after this time (ISO 8601; UTC if no zone)"),
                       AfterValidator(_utc_when_naive)]
UntilQuery = Annotated[datetime | None, Query(description="Events before this time (ISO 8601; UTC if no zone)"),
                       AfterValidator(_utc_when_naive)]


def parse_events(values: list[str] | None) -> list[str] | None:
    """`?event=added&event=removed,enabled` -> the list; an unknown event type is a 422 naming it."""
    if not values:
        return None
    events = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise ApiError(422, "validation_failed", f"unknown event {unknown[0]!r}", details=[
            detail("query.event", f"{event!r} is not one of {', '.join(EVENT_TYPES)}", "enum") for event in unknown])
    return events or None


def check_time_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise ApiError(422, "validation_failed", "`since` is after `until`",
                       details=[detail("query.until", "must not be before `since`", "range")])


class SiteEventOut(BaseModel):
    id: int
    machine_name: str
    event: EventType
    from_version: str | None = Field(description="The version before (version_changed, removed)")
    to_version: str | None = Field(description="The version after (added, version_changed)")
    task_id: UUID | None = Field(description="The pushed payload that made the change")
    occurred_at: datetime
