"""Managing the module catalogue by hand (admin); every change is audited.

Each change is one store operation (`sql.catalogue`): it takes the catalogue
lock, so changes are serialised and their audit rows — which the catalog
sensor reads to start a status recomputation — commit in id order.
"""

from fastapi import APIRouter, Request, Response, status

from foundation.versions import parse_version
from intake.deps import AdminDep, ConnectionDep, JsonContentDep
from intake.errors import ApiError, detail, error_responses, not_found
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
from intake.urls import path_for
from sql import store

router = APIRouter(prefix="/modules", tags=["modules"], responses=error_responses(401, 403, 422, 503))

CONFLICT_EXISTS = {409: {"model": ErrorOut, "description": "A module with this machine name exists"}}
CONFLICT_IN_USE = {409: {"model": ErrorOut, "description": "Sites use (or used) the module; `force=true` deletes "
                                                           "it with their rows and history"}}


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a module to the catalogue",
             responses={**error_responses(400, 415), **CONFLICT_EXISTS})
async def create_module(request: Request, caller: AdminDep, _: JsonContentDep, module: ModuleIn,
                        conn: ConnectionDep, response: Response) -> ModuleOut:
    """A module no site reported yet (custom code, say); sites that report it later attach to it."""
    row = await store.catalogue.create(conn, **module.model_dump(), actor="admin")
    if row is None:
        raise ApiError(409, "module_exists", f"module {module.machine_name!r} exists",
                       details=[detail("$.machine_name", "already in the catalogue", "unique")])
    response.headers["Location"] = path_for(request, "get_module", machine_name=module.machine_name)
    return ModuleOut.model_validate(row._asdict())


@router.patch("/{machine_name}", summary="Change a module's display name, drupal.org link or description",
              responses=error_responses(400, 404, 415))
async def update_module(machine_name: MachineNamePath, caller: AdminDep, _: JsonContentDep, patch: ModulePatch,
                        conn: ConnectionDep) -> ModuleOut:
    """Ingest never overwrites these fields once the module is in the catalogue."""
    row = await store.catalogue.update(conn, machine_name=machine_name, changes=patch.changes(), actor="admin")
    if row is None:
        raise not_found(f"no module {machine_name!r}")
    return ModuleOut.model_validate(row._asdict())


@router.delete("/{machine_name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a module",
               responses={**error_responses(404), **CONFLICT_IN_USE})
async def delete_module(machine_name: MachineNamePath, caller: AdminDep, conn: ConnectionDep,
                        force: ForceQuery = False) -> Response:
    """Refused with 409 while any site has or had the module (its rows hold that site's history),
    unless `force=true`: then the module goes with its versions, every site's row for it and their
    events. A site that still has it installed brings it back on its next sync, as a new module."""
    deletion = await store.catalogue.delete(conn, machine_name=machine_name, force=force, actor="admin")
    if deletion is None:
        raise not_found(f"no module {machine_name!r}")
    if not deletion.deleted:
        used_by, had_it = deletion.sites_using, deletion.sites_removed
        raise ApiError(409, "module_in_use",
                       f"module {machine_name!r} is used by {used_by} sites and was used by {had_it} more; "
                       "delete with force=true to remove it with their rows and history",
                       details=[detail("query.force", f"{used_by} sites use it, {had_it} had it", "in_use")])
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
    parsed = parse_version(version.version)
    change = await store.catalogue.add_version(
        conn, machine_name=machine_name, version=version.version, sort_key=parsed.sort_key if parsed else None,
        is_security_update=version.is_security_update, release_date=version.release_date,
        release_notes_link=version.release_notes_link, actor="admin")
    if change is None:
        raise not_found(f"no module {machine_name!r}")
    if change.created:
        response.status_code = status.HTTP_201_CREATED
    return ModuleVersionOut.model_validate(change.version._asdict())
