"""Security advisories of the Drupal Security Team (OSV) as GET /advisories answers them, and who they affect."""

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

from intake.schemas.pagination import Page

ADVISORY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
AdvisoryIdPath = Annotated[str, Path(pattern=ADVISORY_ID_PATTERN, description="The advisory id")]
ProjectQuery = Annotated[str | None, Query(max_length=255, description="Only advisories naming this project "
                                                                       "(`drupal` for core)")]
SinceQuery = Annotated[datetime | None, Query(description="Only advisories published at or after this time "
                                                          "(UTC if no zone)")]
AffectingQuery = Annotated[bool, Query(description="Only advisories that affect at least one site")]


class AdvisorySummaryOut(BaseModel):
    id: str = Field(description="`DRUPAL-CORE-…` or `DRUPAL-CONTRIB-…`")
    aliases: list[str] = Field(description="CVE ids")
    summary: str = Field(description="The first sentence of the advisory")
    url: str | None = Field(description="The advisory's page on drupal.org")
    published: datetime | None
    modified: datetime
    withdrawn: datetime | None
    projects: list[str] = Field(description="The projects it names (`drupal` is core)")
    affected_sites: int = Field(description="Sites running a version it covers")
    affected_projects: int = Field(description="Projects of those sites it covers")
    detail_url: str


class AdvisoryRangeOut(BaseModel):
    package: str
    project: str
    introduced: str = Field(description="First affected version (`0`: every earlier one)")
    fixed: str | None = Field(description="First version of the range that is not affected")
    last_affected: str | None = Field(description="Last affected version, when no fix is named")
    constraint: str | None = Field(description="The same range as a Composer constraint")


class AffectedSiteOut(BaseModel):
    site_id: int
    site_name: str
    site_url: str
    project: str
    installed_version: str | None
    fixed_in: str | None = Field(description="The first release of the matched range that fixes it")
    constraint: str | None = Field(description="The range that matched")
    modules: int = Field(description="The project's modules on the site at that version")
    modules_url: str = Field(description="The site's known-vulnerable modules")


class AdvisoryDetailOut(BaseModel):
    id: str
    aliases: list[str]
    summary: str
    details: str = Field(description="The advisory's whole text")
    url: str | None
    published: datetime | None
    modified: datetime
    withdrawn: datetime | None
    ranges: list[AdvisoryRangeOut]
    affected_sites: list[AffectedSiteOut] = Field(description="Every site and project it affects, by site id")


AdvisoryPage = Page[AdvisorySummaryOut]
