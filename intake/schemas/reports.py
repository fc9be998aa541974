"""The security report: the sites in trouble with their counts, and the most affected modules.

Both parts are read from summaries the pipeline keeps with the statuses (`sql/summaries/`),
so the report costs the same however large the portfolio.
"""

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from intake.schemas.pagination import MAX_PAGE_SIZE, Page

ModulesLimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                                         description="How many of the most affected modules to list")]


class SiteTroubleCountsOut(BaseModel):
    not_secure: int = Field(description="Present modules with status NOT_SECURE")
    revoked: int = Field(description="Present modules with status REVOKED")
    known_vulnerable: int = Field(description="Present modules matching a known advisory (any status)")
    affected_modules: int = Field(description="Present modules in any of those troubles, each counted once")


class AffectedSiteOut(BaseModel):
    id: int
    name: str
    url: str
    last_sync_at: datetime | None
    counts: SiteTroubleCountsOut
    advisories: list[str] = Field(description="Ids of the security advisories affecting the site")
    modules_url: str = Field(description=(
        "The site's modules: add `?status=NOT_SECURE,REVOKED` for the insecure and revoked ones, "
        "`?known_vulnerable=true` for the known-vulnerable ones"))


class AffectedModuleOut(BaseModel):
    machine_name: str
    display_name: str
    project: str
    module_type: str
    affected_sites: int = Field(description="Sites where the module is NOT_SECURE, REVOKED or known-vulnerable")
    not_secure_sites: int = Field(description="Sites where it is NOT_SECURE")
    revoked_sites: int = Field(description="Sites where it is REVOKED")
    known_vulnerable_sites: int = Field(description="Sites where it is known-vulnerable")
    advisories: list[str] = Field(description="Ids of the security advisories affecting its project on some site")


class SecurityReportOut(Page[AffectedSiteOut]):
    """The page of sites (by id) with a present module that is NOT_SECURE, REVOKED or known-vulnerable;
    `total` counts those sites. `modules` is not paged: the `modules_limit` most affected modules,
    most affected sites first (then by machine name); `modules_total` counts every module in trouble."""

    modules: list[AffectedModuleOut]
    modules_total: int = Field(description="Modules in trouble on at least one site")
