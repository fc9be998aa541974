"""A site's projects as GET /sites/{id}/projects answers them: Drupal's unit of update status."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from foundation.vocabulary import Status
from intake.schemas.site_modules import AdvisoryItemOut


class SecurityCoverageOut(BaseModel):
    """How long Drupal core's installed minor gets security releases, as Drupal's status report says it."""

    until_version: str | None = Field(None, description="Covered until this release comes out (`10.6.0`)")
    until_date: date | None = Field(None, description="Covered until this day (release lines ended by date)")
    additional_minors: int | None = Field(None, description="Further minors still covered; 1: update soon, "
                                                            "0 or less: ended")
    state: Literal["covered", "ending_soon", "ended"]


class SiteProjectOut(BaseModel):
    project: str = Field(description="The drupal.org project")
    title: str | None = Field(description="The project's title from its release feed")
    link: str | None = Field(description="The project's page from its release feed")
    modules: list[str] = Field(description="Machine names of its modules on the site (present ones; every one "
                                           "of a removed project)")
    version: str | None = Field(description="The installed version, as Drupal takes it from the project's modules")
    datestamp: int | None = Field(description="Largest datestamp of its present modules (dates a dev snapshot)")
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
    security_coverage: SecurityCoverageOut | None = Field(description="Drupal core only (8.8 and later)")
    release_links: dict[str, str] = Field(description="The release page of each version offered above")
    removed_at: datetime | None = Field(description="When its last module was removed (with include_removed)")
    status_checked_at: datetime | None = Field(description="When its status was last written")
