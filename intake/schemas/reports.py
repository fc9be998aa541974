"""The security report: every site in trouble, and every module that puts it there."""

from datetime import datetime

from pydantic import BaseModel, Field

from intake.schemas.pagination import Page
from intake.schemas.site_modules import ModuleStatus


class AffectedSiteModuleOut(BaseModel):
    machine_name: str
    display_name: str
    project: str
    version: str = Field(description="The installed version")
    status: ModuleStatus
    status_reason: str | None
    recommended_version: str | None
    security_updates: list[str]
    known_vulnerable: bool
    advisories: list[str]


class AffectedSiteOut(BaseModel):
    id: int
    name: str
    url: str
    last_sync_at: datetime | None
    modules: list[AffectedSiteModuleOut] = Field(description="Every module in trouble on the site, by machine name")


class AffectedModuleOut(BaseModel):
    machine_name: str
    display_name: str
    project: str
    module_type: str
    affected_sites: int = Field(description="Sites where the module is NOT_SECURE, REVOKED or known-vulnerable")


class SecurityReportOut(Page[AffectedSiteOut]):
    """The page of sites (by id) with a present module that is NOT_SECURE, REVOKED or known-vulnerable;
    `total` counts those sites. `modules` is not paged: every module in trouble anywhere, most affected
    sites first."""

    modules: list[AffectedModuleOut]
