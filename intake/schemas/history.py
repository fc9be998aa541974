"""A site's history: one event per change an applied inventory made."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field

from foundation.vocabulary import EVENT_TYPES, MACHINE_NAME_PATTERN, EventType


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


class SiteEventOut(BaseModel):
    id: int
    machine_name: str
    event: EventType
    from_version: str | None = Field(description="The version before (version_changed, removed)")
    to_version: str | None = Field(description="The version after (added, version_changed)")
    task_id: UUID | None = Field(description="The pushed payload that made the change")
    occurred_at: datetime
