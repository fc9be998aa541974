"""The module catalogue, read across all sites (admin)."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.auth import AdminDep
from intake.errors import error_responses, not_found
from intake.etag import conditional_json, read_responses
from intake.reading import ReadConnectionDep, fetch_rows, page_from_rows
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

router = APIRouter(prefix="/modules", tags=["modules"], responses=error_responses(401, 403, 422, 503))


def like_pattern(text: str) -> str:
    """`text` anywhere, with LIKE's wildcards in it taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@router.get("", summary="The module catalogue with site counts, by machine name",
            response_model=Page[ModuleSummaryOut], responses=read_responses())
async def list_modules(request: Request, caller: AdminDep, conn: ReadConnectionDep,
                       module_type: ModuleTypeQuery = None, project: ProjectQuery = None, q: SearchQuery = None,
                       limit: LimitQuery = 50, offset: OffsetQuery = 0) -> Response:
    rows = await fetch_rows(conn, "module_page", {
        "module_type": module_type, "project": project, "search": like_pattern(q) if q else None,
        "limit": limit, "offset": offset})
    page = page_from_rows(rows, ModuleSummaryOut.model_validate, present="machine_name", limit=limit, offset=offset)
    return conditional_json(request, page)


async def versions_page(conn: AsyncConnection, machine_name: str, *, limit: int, offset: int) -> Page[ModuleVersionOut]:
    rows = await fetch_rows(conn, "module_versions_page",
                           {"machine_name": machine_name, "limit": limit, "offset": offset})
    return existing_module_page(rows, ModuleVersionOut, machine_name, present="version", limit=limit, offset=offset)


async def sites_page(conn: AsyncConnection, machine_name: str, *, using: bool, limit: int,
                     offset: int) -> Page[ModuleSiteOut]:
    statement = "module_sites_using" if using else "module_sites_not_using"
    rows = await fetch_rows(conn, statement, {"machine_name": machine_name, "limit": limit, "offset": offset})
    return existing_module_page(rows, ModuleSiteOut, machine_name, present="site_id", limit=limit, offset=offset)


def existing_module_page(rows: list[Mapping[str, Any]], model, machine_name: str, *, present: str, limit: int,
                         offset: int):
    if rows[0]["module_id"] is None:
        raise not_found(f"no module {machine_name!r}")
    return page_from_rows(rows, model.model_validate, present=present, limit=limit, offset=offset)


@router.get("/{machine_name}", summary="One module: its versions, the sites using it and the sites not using it",
            response_model=ModuleDetailOut, responses={**error_responses(404), **read_responses()})
async def get_module(request: Request, machine_name: MachineNamePath, caller: AdminDep,
                     conn: ReadConnectionDep) -> Response:
    """Each list shows its first 100 entries with the total; page through the rest with
    `/modules/{machine_name}/versions` and `/modules/{machine_name}/sites?using=true|false`."""
    found = await fetch_rows(conn, "module_get", {"machine_name": machine_name})
    if not found:
        raise not_found(f"no module {machine_name!r}")
    first = {"limit": DETAIL_LIST_LIMIT, "offset": 0}
    detail = ModuleDetailOut(
        **ModuleSummaryOut.model_validate(found[0]).model_dump(),
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
