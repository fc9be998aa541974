"""Sites: registration, listing, token rotation."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from intake.schemas.text import NO_SPACE_PATTERN, VisibleName, http_url

MAX_SITE_ID = 2**63 - 1

SiteId = Annotated[int, Path(ge=1, le=MAX_SITE_ID, description="The site's id")]

SiteUrl = Annotated[
    str,
    Field(min_length=1, max_length=2048, pattern=NO_SPACE_PATTERN, examples=["https://www.example.org"]),
    AfterValidator(http_url),
]


class SiteIn(BaseModel):
    model_config = ConfigDict(strict=True, json_schema_extra={"examples": [
        {"name": "Example intranet", "url": "https://intranet.example.org"}]})

    name: VisibleName = Field(description="Human name of the site")
    url: SiteUrl = Field(description="Base URL; shape A payloads must report the same URL")


class SiteCountsOut(BaseModel):
    """Counts over the site's present modules (removed ones are left out); a module counts with its
    project's status."""

    modules: int = Field(description="Modules installed (enabled or not)")
    updates_available: int = Field(description="Modules with a newer release to update to")
    security_updates: int = Field(description="Modules with a security update available")
    known_vulnerable: int = Field(description="Modules whose installed version an advisory covers")


class SiteProjectCountsOut(BaseModel):
    """Counts over the site's present projects, as Drupal reports them: 49 core modules behind one core
    security release are one project with a security update."""

    projects: int = Field(description="Projects installed")
    updates_available: int = Field(description="Projects with a newer release to update to")
    security_updates: int = Field(description="Projects with a security update available")
    known_vulnerable: int = Field(description="Projects whose installed version an advisory covers")
    in_trouble: int = Field(description="Projects NOT_SECURE, REVOKED or known-vulnerable")


class SiteOut(BaseModel):
    """A monitored site with the counts of its inventory."""

    id: int
    name: str
    url: str
    created_at: datetime
    last_sync_at: datetime | None = Field(description="When the last inventory was applied")
    core_version: str | None = Field(description="Drupal core version of the last applied inventory")
    stale: bool = Field(description="No inventory applied for `MODWATCH_STALE_AFTER_HOURS` (48 h) since the "
                        "last sync, or since the site was registered if it never synced")
    counts: SiteCountsOut
    project_counts: SiteProjectCountsOut


# `-` in front sorts descending; the id breaks ties, so pages never overlap.
SiteSort = Literal["id", "-id", "name", "-name", "last_sync_at", "-last_sync_at",
                   "security_updates", "-security_updates"]
SiteSortQuery = Annotated[SiteSort, Query(
    description="Order: `name` (case-insensitive), `last_sync_at` (never synced first), "
                "`security_updates` (the count); `-` in front for descending")]


class SiteTokenOut(BaseModel):
    """A site with its bearer token. The token is shown this once; only its hash is stored."""

    id: int
    name: str
    url: str
    token: str = Field(description="Bearer token for this site's pushes; shown once")
    created_at: datetime
