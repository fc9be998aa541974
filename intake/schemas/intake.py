"""The inventories Drupal sites push, and the intake's answers.

Four shapes: two generations of modwatch clients (A and B), and what every
Drupal host can already print, posted as is: `drush pm:list --format=json`
(shape C) and `composer.lock` (shape D). Types are strict JSON types (a
boolean is `true`/`false`, never `"1"`; an integer is a JSON integer literal,
never `1.0`): the landed bytes are decoded downstream by a typed decoder that
relies on it. Unknown keys are accepted and ignored. Beyond what the JSON
schema can say, machine names must be unique within a payload and no string
anywhere may contain U+0000 (PostgreSQL text cannot hold it). A version is
never a reason to refuse a payload: empty, null or missing, it is judged
"Empty version" downstream.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, with_config
from typing_extensions import TypedDict

from foundation.vocabulary import MACHINE_NAME_PATTERN, ModuleType, SyncType
from intake.schemas.tasks import SyncResult

MachineName = Annotated[str, Field(pattern=MACHINE_NAME_PATTERN, examples=["views_ui"])]
ModuleName = Annotated[str, Field(min_length=1, max_length=255)]
Version = Annotated[
    str | None,
    Field(max_length=50, description="As the site reports it; unusual, empty, null or missing versions are "
          "accepted (status UNKNOWN)", examples=["8.x-1.2", "2.0.0-beta1", "1.x-dev"]),
]
PlatformVersion = Annotated[str, Field(max_length=50, pattern=r"^[0-9]+\.[0-9]+", examples=["10.3.8"])]
Datestamp = Annotated[
    StrictInt,
    Field(ge=0, le=2**63 - 1, description="Unix time from `.info.yml` (dev snapshots); a JSON integer (`1718000000`, "
          "not `1718000000.0` or `\"1718000000\"`)"),
]
SchemaVersion = Annotated[
    StrictInt, Field(ge=-(2**31), le=2**31 - 1, description="A JSON integer (`8001`, not `8001.0`)")
]
Project = Annotated[
    MachineName,
    Field(description="drupal.org project the module ships in; absent: the machine name (core: `drupal`)"),
]


STRICT = ConfigDict(strict=True)


class _Strict(BaseModel):
    model_config = STRICT


class _Payload(BaseModel):
    # Top-level keys that belong to neither shape are kept (not validated) so
    # shape detection can see them; everything else ignores unknown keys.
    model_config = ConfigDict(strict=True, extra="allow")


# Shape A (newer clients) ---------------------------------------------------


class ReportedSite(_Strict):
    url: Annotated[str, Field(min_length=1, max_length=2048)] = Field(description="Must match the registered URL")
    name: ModuleName
    token: str | None = Field(default=None, description="Legacy; removed before the payload is stored — "
                              "authenticate with the bearer token")


class DrupalInfo(_Strict):
    core_version: PlatformVersion
    php_version: PlatformVersion
    ip_address: Annotated[str, Field(max_length=255)] | None = None


# Modules are TypedDicts, not models: a payload holds up to thousands of them,
# and a plain dict per module halves the objects validation allocates (and the
# garbage collector then walks) compared with a model instance and its __dict__.


@with_config(STRICT)
class ModuleA(TypedDict):
    machine_name: MachineName
    display_name: ModuleName
    module_type: ModuleType
    enabled: StrictBool
    version: NotRequired[Version]
    description: NotRequired[str | None]
    project: NotRequired[Project | None]
    datestamp: NotRequired[Datestamp | None]


class SyncPayloadA(_Payload):
    """Shape A: `site` + `drupal_info`; partial unless `full_sync` is true."""

    site: ReportedSite
    drupal_info: DrupalInfo
    modules: Annotated[list[ModuleA], Field(min_length=1)]
    full_sync: StrictBool = Field(default=False, description="true: modules absent from the payload are removed")


# Shape B (older clients) ---------------------------------------------------


@with_config(STRICT)
class ModuleB(TypedDict):
    machine_name: MachineName
    name: ModuleName
    type: ModuleType
    version: NotRequired[Version]
    status: Annotated[StrictBool, Field(description="Whether the module is enabled")]
    schema_version: NotRequired[SchemaVersion | None]
    package: NotRequired[Annotated[str, Field(max_length=255)] | None]
    core_compatibility: NotRequired[list[str] | None]
    dependencies: NotRequired[list[str] | None]
    description: NotRequired[str | None]
    project_link: NotRequired[Annotated[str, Field(max_length=500)] | None]
    security_coverage: NotRequired[StrictBool | None]
    project: NotRequired[Project | None]
    datestamp: NotRequired[Datestamp | None]


class SyncPayloadB(_Payload):
    """Shape B: `site_info` + top-level versions; full unless `sync_type` says partial."""

    site_info: dict[str, Any] = Field(description="Free-form site metadata")
    modules: Annotated[list[ModuleB], Field(min_length=1)]
    # Unix time or an ISO 8601 string: both are what clients of this generation send.
    sync_timestamp: datetime = Field(strict=False, description="When the inventory was collected")
    drupal_version: PlatformVersion
    php_version: PlatformVersion
    sync_type: SyncType = "full"


# Shape C: `drush pm:list --format=json`, as printed ---------------------------

DrushLabel = Annotated[str, Field(max_length=255)]


@with_config(STRICT)
class DrushExtension(TypedDict):
    """One extension of `drush pm:list --format=json`, keyed by its machine name. Drush 9 to 13
    print every key below; Drush 8's `pm-list` (Drupal 7) prints `package`, `name` (the label),
    `type`, `status` and `version`."""

    type: Literal["module", "theme", "profile", "Module", "Theme", "Profile"]
    status: Annotated[Literal["Enabled", "Disabled", "Not installed"],
                      Field(description="`Not installed` extensions are not inventory")]
    version: NotRequired[Version]
    name: NotRequired[DrushLabel | None]
    display_name: NotRequired[DrushLabel | None]
    project: NotRequired[Annotated[str, Field(pattern=r"^([a-z0-9_]{1,255})?$",
                                              description="drupal.org project; empty when the .info.yml has none")]
                         | None]
    path: NotRequired[Annotated[str, Field(max_length=4096)] | None]
    package: NotRequired[DrushLabel | None]


DrushPmList = dict[MachineName, DrushExtension]


# Shape D: `composer.lock`, as written by Composer ------------------------------


class ComposerPackage(TypedDict):
    """A package of the lock. Only `drupal/*` packages of the Drupal types are inventory; the
    others just need a name. Unknown keys are ignored."""

    name: Annotated[str, Field(min_length=1, max_length=255)]
    version: NotRequired[Annotated[str, Field(max_length=255)] | None]
    type: NotRequired[str | None]
    source: NotRequired[Any]
    extra: NotRequired[Any]


class ComposerLock(_Payload):
    """Shape D: a site's `composer.lock`; a full sync of its Drupal projects."""

    packages: list[ComposerPackage]
    packages_dev: list[ComposerPackage] | None = Field(default=None, alias="packages-dev")


PAYLOAD_MODELS = (SyncPayloadA, SyncPayloadB, ComposerLock)

# Responses -----------------------------------------------------------------


class SyncAcceptedOut(BaseModel):
    status: Literal["accepted"] = "accepted"
    task_id: UUID
    status_url: str = Field(examples=["/api/v1/tasks/550e8400-e29b-41d4-a716-446655440000/status"])
    modules_received: int
    sync_type: SyncType


class SyncFinishedOut(BaseModel):
    """Answer to `Prefer: wait=N` when the task finished within N seconds."""

    status: Literal["completed", "failed"]
    task_id: UUID
    result: SyncResult | None
    error: str | None = Field(default=None, description="Why the task failed (status `failed`)")


# Examples for the documentation ---------------------------------------------

SHAPE_A_EXAMPLE = {
    "site": {"url": "https://www.example.org", "name": "Example"},
    "drupal_info": {"core_version": "10.3.8", "php_version": "8.3.2", "ip_address": "192.0.2.10"},
    "modules": [
        {"machine_name": "node", "display_name": "Node", "module_type": "core", "enabled": True,
         "version": "10.3.8"},
        {"machine_name": "views_ui", "display_name": "Views UI", "module_type": "core", "enabled": False,
         "version": "10.3.8", "project": "drupal"},
        {"machine_name": "pathauto", "display_name": "Pathauto", "module_type": "contrib", "enabled": True,
         "version": "8.x-1.12", "description": "Generates URL aliases."},
        {"machine_name": "admin_toolbar", "display_name": "Admin Toolbar", "module_type": "contrib",
         "enabled": True, "version": "3.x-dev", "datestamp": 1718000000},
    ],
    "full_sync": True,
}

SHAPE_B_EXAMPLE = {
    "site_info": {"name": "Example", "environment": "production"},
    "modules": [
        {"machine_name": "views", "name": "Views", "type": "core", "version": "9.5.11", "status": True,
         "schema_version": 8500, "core_compatibility": ["9.x"]},
        {"machine_name": "token", "name": "Token", "type": "contrib", "version": "8.x-1.13", "status": True,
         "project": "token", "dependencies": ["drupal:system"]},
        {"machine_name": "acme_tweaks", "name": "ACME tweaks", "type": "custom", "version": "1.0",
         "status": False},
    ],
    "sync_timestamp": "2024-01-15T10:35:00Z",
    "drupal_version": "9.5.11",
    "php_version": "8.1.27",
    "sync_type": "full",
}

PAYLOAD_EXAMPLES: dict[str, Any] = {
    "shape_a": {
        "summary": "Shape A (full sync)",
        "description": "`site` + `drupal_info`; without `full_sync` the sync is partial.",
        "value": SHAPE_A_EXAMPLE,
    },
    "shape_a_partial": {
        "summary": "Shape A (partial sync, the default)",
        "value": {**{k: v for k, v in SHAPE_A_EXAMPLE.items() if k != "full_sync"},
                  "modules": SHAPE_A_EXAMPLE["modules"][2:3]},
    },
    "shape_b": {
        "summary": "Shape B (full sync, the default)",
        "description": "`site_info` + top-level `drupal_version`, `php_version`, `sync_timestamp`.",
        "value": SHAPE_B_EXAMPLE,
    },
}
