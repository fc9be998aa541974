"""The security report: the sites in trouble with their counts, the most affected projects, and the sites
whose Drupal core security coverage has ended or is ending.

Every part is read from summaries the pipeline keeps with the statuses (`sql/summaries/`) or from a
partial index, so the report costs the same however large the portfolio. Drupal reports projects:
49 core modules behind one core security release are one project in trouble, not 49.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from intake.schemas.pagination import MAX_PAGE_SIZE, Page

ProjectsLimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                                          description="How many of the most affected projects to list")]
CoverageLimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                                          description="How many sites whose core coverage ended or is ending "
                                                      "to list")]


class SiteTroubleCountsOut(BaseModel):
    not_secure: int = Field(description="Present projects with status NOT_SECURE")
    revoked: int = Field(description="Present projects with status REVOKED")
    known_vulnerable: int = Field(description="Present projects matching a known advisory (any status)")
    affected_projects: int = Field(description="Present projects in any of those troubles, each counted once")
    affected_modules: int = Field(description="Present modules of those projects")


class AffectedSiteOut(BaseModel):
    id: int
    name: str
    url: str
    last_sync_at: datetime | None
    counts: SiteTroubleCountsOut
    advisories: list[str] = Field(description="Ids of the security advisories affecting the site")
    projects_url: str = Field(description=(
        "The site's projects: add `?status=NOT_SECURE,REVOKED` for the insecure and revoked ones, "
        "`?known_vulnerable=true` for the known-vulnerable ones"))
    modules_url: str = Field(description="The site's modules (each with its project's status)")


class AffectedProjectOut(BaseModel):
    project: str
    affected_sites: int = Field(description="Sites where the project is NOT_SECURE, REVOKED or known-vulnerable")
    not_secure_sites: int = Field(description="Sites where it is NOT_SECURE")
    revoked_sites: int = Field(description="Sites where it is REVOKED")
    known_vulnerable_sites: int = Field(description="Sites where it is known-vulnerable")
    advisories: list[str] = Field(description="Ids of the security advisories affecting it on some site")


class CoverageSiteOut(BaseModel):
    """A site whose Drupal core security coverage has ended, or ends with the next minor release."""

    id: int
    name: str
    url: str
    core_version: str | None = Field(description="The installed core version")
    state: Literal["ending_soon", "ended"]
    until_version: str | None = Field(description="Covered until this release (`10.6.0`)")
    until_date: date | None = Field(description="Covered until this day (release lines ended by date)")
    additional_minors: int | None = Field(description="Further minors still covered (1: update soon)")


class SecurityReportOut(Page[AffectedSiteOut]):
    """The page of sites (by id) with a present project that is NOT_SECURE, REVOKED or known-vulnerable;
    `total` counts those sites. `projects` is not paged: the `projects_limit` most affected projects, most
    affected sites first (then by name); `projects_total` counts every project in trouble. `coverage`:
    the sites whose core coverage has ended, then those whose coverage ends with the next minor."""

    projects: list[AffectedProjectOut]
    projects_total: int = Field(description="Projects in trouble on at least one site")
    coverage: list[CoverageSiteOut]
    coverage_total: int = Field(description="Sites whose core coverage has ended or is ending")
