"""A site's modules as GET /sites/{id}/modules answers them, and the filters it takes."""

from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import Query
from pydantic import BaseModel, Field

from intake.errors import ApiError, detail

# The statuses orchestration computes (transforms.update_status.STATUSES; a
# unit test keeps the two equal without the API importing Polars).
ModuleStatus = Literal["NOT_SECURE", "REVOKED", "NOT_SUPPORTED", "NOT_CURRENT", "CURRENT", "NOT_CHECKED",
                       "UNKNOWN", "NOT_FETCHED"]
MODULE_STATUSES: tuple[str, ...] = get_args(ModuleStatus)
ModuleType = Literal["core", "contrib", "custom"]

StatusQuery = Annotated[list[str] | None, Query(
    description="Only these statuses: repeat the parameter or separate with commas "
                f"(`status=NOT_SECURE,REVOKED`); one of {', '.join(MODULE_STATUSES)}")]
ModuleTypeQuery = Annotated[ModuleType | None, Query(description="Only modules of this type")]


def parse_statuses(values: list[str] | None) -> list[str] | None:
    """`?status=A&status=B,C` -> `[A, B, C]`; an unknown status is a 422 naming it."""
    if not values:
        return None
    statuses = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [status for status in statuses if status not in MODULE_STATUSES]
    if unknown:
        raise ApiError(422, "validation_failed", f"unknown status {unknown[0]!r}", details=[
            detail("query.status", f"{status!r} is not one of {', '.join(MODULE_STATUSES)}", "enum")
            for status in unknown])
    return statuses or None


class SiteModuleOut(BaseModel):
    machine_name: str
    project: str = Field(description="The drupal.org project the module ships in")
    display_name: str
    module_type: ModuleType
    enabled: bool
    version: str = Field(description="The installed version")
    status: ModuleStatus = Field(description="Update status, Drupal's Update Status semantics")
    status_reason: str | None = Field(description="Why, when the status alone does not say it")
    latest_version: str | None = Field(description="Newest release of the target major")
    recommended_version: str | None = Field(description="Newest supported release without extra of the target major")
    also_available: list[str] = Field(description="Newest release of each higher supported major")
    security_updates: list[str] = Field(description="Security releases newer than the installed one, newest first")
    update_available: bool
    security_update_available: bool
    known_vulnerable: bool = Field(description="An advisory covers the installed version")
    advisories: list[str] = Field(description="The advisory constraints that match the installed version")
    first_seen: datetime
    last_seen: datetime = Field(description="The last sync that listed the module")
    last_updated: datetime | None = Field(description="When its installed version last changed (or it came back)")
    removed_at: datetime | None = Field(description="When a full sync no longer listed it (with include_removed)")
