"""Managing the module catalogue by hand (admin); every change is audited.

Each change first takes the catalogue lock (sql/statements/module_catalog_lock.sql):
changes are serialised, and their audit rows — which the catalog sensor
reads to start a status recomputation — commit in id order.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.audit import record_audit
from intake.auth import AdminDep
from intake.body import JsonContentDep
from intake.database import ConnectionDep, fetch_one
from intake.errors import ApiError, detail, error_responses, not_found
from intake.routers import API_PREFIX
from intake.schemas.errors import ErrorOut
from intake.schemas.modules import (
    ForceQuery,
    MachineNamePath,
    ModuleIn,
    ModuleOut,
    ModulePatch,
    ModuleVersionIn,
    ModuleVersionOut,
)
from intake.summaries import recount_security_summaries

router = APIRouter(prefix="/modules", tags=["modules"], responses=error_responses(401, 403, 422, 503))

CONFLICT_EXISTS = {409: {"model": ErrorOut, "description": "A module with this machine name exists"}}
CONFLICT_IN_USE = {409: {"model": ErrorOut, "description": "Sites use (or used) the module; `force=true` deletes "
                                                           "it with their rows and history"}}


async def lock_catalog(conn: AsyncConnection) -> None:
    await fetch_one(conn, "module_catalog_lock")


def module_path(machine_name: str) -> str:
    return f"{API_PREFIX}{router.prefix}/{machine_name}"


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a module to the catalogue",
             responses={**error_responses(400, 415), **CONFLICT_EXISTS})
async def create_module(caller: AdminDep, _: JsonContentDep, module: ModuleIn, conn: ConnectionDep,
                        response: Response) -> ModuleOut:
    """A module no site reported yet (custom code, say); sites that report it later attach to it."""
    await lock_catalog(conn)
    values = module.model_dump()
    values["project"] = module.project or module.machine_name
    row = await fetch_one(conn, "module_insert", values)
    if row is None:
        raise ApiError(409, "module_exists", f"module {module.machine_name!r} exists",
                       details=[detail("$.machine_name", "already in the catalogue", "unique")])
    await record_audit(conn, actor="admin", action="module.create", entity_type="module",
                       entity_id=module.machine_name, details=values)
    response.headers["Location"] = module_path(module.machine_name)
    return ModuleOut.model_validate(row)


@router.patch("/{machine_name}", summary="Change a module's display name, drupal.org link or description",
              responses=error_responses(400, 404, 415))
async def update_module(machine_name: MachineNamePath, caller: AdminDep, _: JsonContentDep, patch: ModulePatch,
                        conn: ConnectionDep) -> ModuleOut:
    """Ingest never overwrites these fields once the module is in the catalogue."""
    await lock_catalog(conn)
    changes = patch.changes()
    row = await fetch_one(conn, "module_update", {
        "machine_name": machine_name,
        **{name: changes.get(name) for name in ("display_name", "drupal_org_link", "description")},
        **{f"set_{name}": name in changes for name in ("display_name", "drupal_org_link", "description")}})
    if row is None:
        raise not_found(f"no module {machine_name!r}")
    changed = {name: {"from": row[f"old_{name}"], "to": value} for name, value in changes.items()
               if row[f"old_{name}"] != value}
    if changed:
        await record_audit(conn, actor="admin", action="module.update", entity_type="module",
                           entity_id=machine_name, details=changed)
    return ModuleOut.model_validate(row)


@router.delete("/{machine_name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a module",
               responses={**error_responses(404), **CONFLICT_IN_USE})
async def delete_module(machine_name: MachineNamePath, caller: AdminDep, conn: ConnectionDep,
                        force: ForceQuery = False) -> Response:
    """Refused with 409 while any site has or had the module (its rows hold that site's history),
    unless `force=true`: then the module goes with its versions, every site's row for it and their
    events. A site that still has it installed brings it back on its next sync, as a new module."""
    await lock_catalog(conn)
    module = await fetch_one(conn, "module_lock", {"machine_name": machine_name})
    if module is None:
        raise not_found(f"no module {machine_name!r}")
    usage = await fetch_one(conn, "module_usage", {"module_id": module["id"]})
    used_by, had_it = usage["sites_using"], usage["sites_removed"]
    if (used_by or had_it) and not force:
        raise ApiError(409, "module_in_use",
                       f"module {machine_name!r} is used by {used_by} sites and was used by {had_it} more; "
                       "delete with force=true to remove it with their rows and history",
                       details=[detail("query.force", f"{used_by} sites use it, {had_it} had it", "in_use")])
    deleted = await fetch_one(conn, "module_delete", {"module_id": module["id"]})
    # The report's site summaries counted this module: recount its sites before committing.
    await recount_security_summaries(conn, site_ids=deleted["site_ids"])
    await record_audit(conn, actor="admin", action="module.delete", entity_type="module", entity_id=machine_name,
                       details={"display_name": module["display_name"], "project": module["project"],
                                "forced": force, "sites_using": used_by, "sites_removed": had_it})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{machine_name}/versions", summary="Add a version, or mark one as a security release by hand",
             responses={**error_responses(400, 404, 415),
                        201: {"model": ModuleVersionOut, "description": "The version was new"}})
async def add_module_version(machine_name: MachineNamePath, caller: AdminDep, _: JsonContentDep,
                             version: ModuleVersionIn, conn: ConnectionDep, response: Response) -> ModuleVersionOut:
    """Idempotent: 201 when the version is new, 200 otherwise (changed or not); only a real change
    is audited. A version marked `is_security_update` counts like a drupal.org security release:
    sites on an older version of the same project become NOT_SECURE on the next status run
    (started by the catalog sensor), once the project's release feed has been read."""
    await lock_catalog(conn)
    before = await fetch_one(conn, "module_version_state", {"machine_name": machine_name, "version": version.version})
    if before["module_id"] is None:
        raise not_found(f"no module {machine_name!r}")
    row = await fetch_one(conn, "module_version_upsert", {
        "module_id": before["module_id"], "version": version.version, "sort_key": version_sort_key(version.version),
        "is_security_update": version.is_security_update, "release_date": version.release_date,
        "release_notes_link": version.release_notes_link})
    created = before["version_id"] is None
    if created:
        await record_audit(conn, actor="admin", action="module.version_add", entity_type="module",
                           entity_id=machine_name, details=version_fields(row))
        response.status_code = status.HTTP_201_CREATED
    elif changed := version_changes(before, row):
        await record_audit(conn, actor="admin", action="module.version_update", entity_type="module",
                           entity_id=machine_name, details={"version": version.version, "changed": changed})
    return ModuleVersionOut.model_validate(row)


VERSION_FIELDS = ("is_security_update", "release_date", "release_notes_link")


def version_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"version": row["version"], **{name: jsonable(row[name]) for name in VERSION_FIELDS}}


def version_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`{field: {from, to}}` for the fields a call changed on an existing version."""
    return {name: {"from": jsonable(before[name]), "to": jsonable(after[name])} for name in VERSION_FIELDS
            if before[name] != after[name]}


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def version_sort_key(version: str) -> int | None:
    # Imported here: transforms.versions pulls in Polars, which the API process
    # otherwise never needs; adding a version by hand is a rare admin call.
    from transforms.versions import parse_version

    parsed = parse_version(version)
    return parsed.sort_key if parsed else None
