"""The module catalogue: modules, the versions seen of them, and which sites use them."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from foundation.vocabulary import MACHINE_NAME_PATTERN, ModuleType
from intake.schemas.pagination import Page
from intake.schemas.text import NO_SPACE_PATTERN, VisibleName, http_url, storable_moment

# Lists inside one module's answer (versions, sites using it, sites not using
# it) show their first this many; the rest page through their own routes.
DETAIL_LIST_LIMIT = 100

MachineName = Annotated[str, Field(pattern=MACHINE_NAME_PATTERN, examples=["token"])]
MachineNamePath = Annotated[str, Path(pattern=MACHINE_NAME_PATTERN, description="The module's machine name")]

Link = Annotated[str, Field(min_length=1, max_length=500, pattern=NO_SPACE_PATTERN,
                            examples=["https://www.drupal.org/project/token"]), AfterValidator(http_url)]
Description = Annotated[str, Field(max_length=10_000, pattern=r"^[^\x00]*$")]
ReleaseDate = Annotated[datetime, Field(strict=False), AfterValidator(storable_moment)]
VersionString = Annotated[str, Field(min_length=1, max_length=50, pattern=NO_SPACE_PATTERN, examples=["8.x-1.6"])]

ModuleTypeQuery = Annotated[ModuleType | None, Query(description="Only modules of this type")]
ProjectQuery = Annotated[str | None, Query(pattern=MACHINE_NAME_PATTERN, description="Only modules of this project")]
SearchQuery = Annotated[str | None, Query(min_length=1, max_length=255,
                                          description="Text in the machine name or display name (any case)")]
UsingQuery = Annotated[bool, Query(description="true: sites with the module installed; false: the other sites")]
ForceQuery = Annotated[bool, Query(description="Delete even when sites use the module, with their rows and history")]


class ModuleIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"machine_name": "acme_tools", "display_name": "Acme tools", "module_type": "custom"}]})

    machine_name: MachineName
    display_name: VisibleName
    project: MachineName | None = Field(default=None, description="drupal.org project; the machine name if unset")
    module_type: ModuleType = "contrib"
    description: Description | None = None
    drupal_org_link: Link | None = None


class ModulePatch(BaseModel):
    """Only the fields present change; `null` clears the link or the description."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"display_name": "Token", "drupal_org_link": "https://www.drupal.org/project/token"}]})

    display_name: VisibleName | None = None
    drupal_org_link: Link | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> "ModulePatch":
        if not self.model_fields_set:
            raise ValueError("give at least one of display_name, drupal_org_link, description")
        if "display_name" in self.model_fields_set and self.display_name is None:
            raise ValueError("display_name cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


class ModuleVersionIn(BaseModel):
    """Add a version, or change one: only the fields present change (idempotent)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"version": "8.x-1.6", "is_security_update": True}]})

    version: VersionString
    is_security_update: bool | None = Field(
        default=None, description="Mark (or unmark) as a security release by hand; statuses follow on the next run")
    release_date: ReleaseDate | None = Field(default=None, description="Release time (ISO 8601, UTC if no zone)")
    release_notes_link: Link | None = None


class ModuleOut(BaseModel):
    machine_name: str
    display_name: str
    project: str
    module_type: ModuleType
    description: str | None
    drupal_org_link: str | None
    created_at: datetime
    updated_at: datetime


class ModuleSummaryOut(ModuleOut):
    site_count: int = Field(description="Sites with the module installed (removed ones not counted)")
    version_count: int = Field(description="Versions seen or added")


class ModuleVersionOut(BaseModel):
    version: str
    is_security_update: bool = Field(description="Marked as a security release by hand")
    release_date: datetime | None
    release_notes_link: str | None
    created_at: datetime
    site_count: int = Field(description="Sites with this version installed")


class ModuleSiteOut(BaseModel):
    """A site and the module on it; for a site not using it, what it last had (if it ever had it)."""

    site_id: int
    site_name: str
    site_url: str
    version: str | None = Field(description="Installed version (the last one, for a removed module)")
    enabled: bool | None
    status: str | None
    known_vulnerable: bool | None
    removed_at: datetime | None = Field(description="Set when a full sync no longer listed the module")


class ModuleDetailOut(ModuleSummaryOut):
    versions: Page[ModuleVersionOut] = Field(
        description=f"Newest first; the first {DETAIL_LIST_LIMIT} (all: /modules/{{name}}/versions)")
    sites_using: Page[ModuleSiteOut] = Field(
        description=f"By site id; the first {DETAIL_LIST_LIMIT} (all: /modules/{{name}}/sites?using=true)")
    sites_not_using: Page[ModuleSiteOut] = Field(
        description=f"By site id; the first {DETAIL_LIST_LIMIT} (all: /modules/{{name}}/sites?using=false)")
