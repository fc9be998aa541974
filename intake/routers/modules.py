"""The module catalogue, read across all sites (admin)."""

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.deps import AdminDep, ReadConnectionDep
from intake.errors import error_responses, not_found
from intake.etag import conditional_json, read_responses
from intake.schemas.modules import (
    DETAIL_LIST_LIMIT,
    MachineNamePath,
    ModuleDetailOut,
    ModuleSiteOut,
    ModuleSummaryOut,
    ModuleTypeQuery,
    ModuleVersionOut,
    ProjectQuery,
    SearchQuery,
    UsingQuery,
)
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from sql import store

router = APIRouter(prefix="/modules", tags=["modules"], responses=error_responses(401, 403, 422, 503))


@router.get("", summary="The module catalogue with site counts, by machine name",
            response_model=Page[ModuleSummaryOut], responses=read_responses())
async def list_modules(request: Request, caller: AdminDep, conn: ReadConnectionDep,
                       module_type: ModuleTypeQuery = None, project: ProjectQuery = None, q: SearchQuery = None,
                       limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Response:
    rows = await store.catalogue.page(conn, module_type=module_type, project=project, search=q, limit=limit,
                                      offset=offset)
    items = [ModuleSummaryOut.model_validate(row._asdict()) for row in rows if row.machine_name is not None]
    return conditional_json(request, Page[ModuleSummaryOut](items=items, total=rows[0].total, limit=limit,
                                                            offset=offset))


async def versions_page(conn: AsyncConnection, machine_name: str, *, limit: int, offset: int) -> Page[ModuleVersionOut]:
    rows = await store.catalogue.versions_page(conn, machine_name=machine_name, limit=limit, offset=offset)
    if rows[0].module_id is None:
        raise not_found(f"no module {machine_name!r}")
    items = [ModuleVersionOut.model_validate(row._asdict()) for row in rows if row.version is not None]
    return Page[ModuleVersionOut](items=items, total=rows[0].total, limit=limit, offset=offset)


async def sites_page(conn: AsyncConnection, machine_name: str, *, using: bool, limit: int,
                     offset: int) -> Page[ModuleSiteOut]:
    rows = await store.catalogue.sites_page(conn, machine_name=machine_name, using=using, limit=limit,
                                            offset=offset)
    if rows[0].module_id is None:
        raise not_found(f"no module {machine_name!r}")
    items = [ModuleSiteOut.model_validate(row._asdict()) for row in rows if row.site_id is not None]
    return Page[ModuleSiteOut](items=items, total=rows[0].total, limit=limit, offset=offset)


@router.get("/{machine_name}", summary="One module: its versions, the sites using it and the sites not using it",
            response_model=ModuleDetailOut, responses={**error_responses(404), **read_responses()})
async def get_module(request: Request, machine_name: MachineNamePath, caller: AdminDep,
                     conn: ReadConnectionDep) -> Response:
    """Each list shows its first 100 entries with the total; page through the rest with
    `/modules/{machine_name}/versions` and `/modules/{machine_name}/sites?using=true|false`."""
    module = await store.catalogue.get(conn, machine_name=machine_name)
    if module is None:
        raise not_found(f"no module {machine_name!r}")
    first = {"limit": DETAIL_LIST_LIMIT, "offset": 0}
    detail = ModuleDetailOut(
        **module._asdict(),
        versions=await versions_page(conn, machine_name, **first),
        sites_using=await sites_page(conn, machine_name, using=True, **first),
        sites_not_using=await sites_page(conn, machine_name, using=False, **first),
    )
    return conditional_json(request, detail)


@router.get("/{machine_name}/versions", summary="The versions seen of a module, newest first",
            response_model=Page[ModuleVersionOut], responses={**error_responses(404), **read_responses()})
async def list_module_versions(request: Request, machine_name: MachineNamePath, caller: AdminDep,
                               conn: ReadConnectionDep, limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Response:
    return conditional_json(request, await versions_page(conn, machine_name, limit=limit, offset=offset))


@router.get("/{machine_name}/sites", summary="The sites using a module (at which version), or the sites not using it",
            response_model=Page[ModuleSiteOut], responses={**error_responses(404), **read_responses()})
async def list_module_sites(request: Request, machine_name: MachineNamePath, caller: AdminDep,
                            conn: ReadConnectionDep, using: UsingQuery = True, limit: LimitQuery = 50,
                            offset: OffsetQuery = 0) -> Response:
    """By site id. A site that had the module until a full sync dropped it is "not using" it, and
    shows the version it had and `removed_at`."""
    page = await sites_page(conn, machine_name, using=using, limit=limit, offset=offset)
    return conditional_json(request, page)
