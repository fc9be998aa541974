"""A site's modules as GET /sites/{id}/modules answers them, and the filters it takes."""

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from foundation.vocabulary import ModuleType, Status

MODULE_STATUSES: tuple[str, ...] = tuple(Status)

StatusQuery = Annotated[list[str] | None, Query(
    description="Only these statuses: repeat the parameter or separate with commas "
                f"(`status=NOT_SECURE,REVOKED`); one of {', '.join(MODULE_STATUSES)}")]
ModuleTypeQuery = Annotated[ModuleType | None, Query(description="Only modules of this type")]


class AdvisoryItemOut(BaseModel):
    """An advisory that covers the installed version: the Drupal Security Team's (OSV) with its id, CVEs,
    page, a one-line summary, the range that matched and the fix; the composer metapackage's with only the
    constraint that matched."""

    id: str | None = Field(description="The advisory id (`DRUPAL-CORE-2026-012`); null from the metapackage")
    aliases: list[str] = Field(description="Other ids of the same advisory (CVE ids)")
    url: str | None = Field(description="The advisory's page on drupal.org")
    summary: str | None = Field(description="The first sentence of the advisory")
    fixed_in: str | None = Field(description="The first release of the matched range that fixes it (Composer form)")
    constraint: str | None = Field(description="The range that matched, as a Composer constraint")


class SiteModuleOut(BaseModel):
    machine_name: str
    project: str = Field(description="The drupal.org project the module ships in")
    display_name: str
    module_type: ModuleType
    enabled: bool
    version: str = Field(description="The installed version")
    status: Status = Field(description="Update status, Drupal's Update Status semantics")
    status_reason: str | None = Field(description="Why, when the status alone does not say it")
    latest_version: str | None = Field(description="Newest release of the target major")
    recommended_version: str | None = Field(description="Newest supported release without extra of the target major")
    also_available: list[str] = Field(description="Newest release of each higher supported major")
    security_updates: list[str] = Field(description="Security releases newer than the installed one, newest first")
    update_available: bool
    security_update_available: bool
    known_vulnerable: bool = Field(description="An advisory covers the installed version")
    advisories: list[AdvisoryItemOut] = Field(description="The advisories that cover the installed version")
    first_seen: datetime
    last_seen: datetime = Field(description="The last sync that listed the module")
    last_updated: datetime | None = Field(description="When its installed version last changed (or it came back)")
    removed_at: datetime | None = Field(description="When a full sync no longer listed it (with include_removed)")
