"""Sites: register, list, read, rotate the token, delete (admin; a site may read itself)."""

from fastapi import APIRouter, Response, status
from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.auth import AdminDep, CallerDep, site_access_error
from intake.body import JsonContentDep
from intake.database import ConnectionDep, fetch_all, fetch_one
from intake.errors import error_responses, not_found
from intake.routers import API_PREFIX
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.sites import SiteId, SiteIn, SiteOut, SiteTokenOut
from modwatch.secrets import hash_token, new_token
from sql import statement

router = APIRouter(prefix="/sites", tags=["sites"], responses=error_responses(401, 403, 422, 503))

async def record_audit(conn: AsyncConnection, *, actor: str, action: str, site_id: int, details: dict) -> None:
    await conn.exec_driver_sql(
        statement("audit_insert"),
        {"actor": actor, "action": action, "entity_type": "site", "entity_id": str(site_id),
         "details": Jsonb(details)},
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a site; its token is shown once",
             responses=error_responses(400, 415))
async def create_site(caller: AdminDep, _: JsonContentDep, site: SiteIn, conn: ConnectionDep,
                      response: Response) -> SiteTokenOut:
    token = new_token()
    row = await fetch_one(conn, "site_insert", {"name": site.name, "url": site.url, "token_hash": hash_token(token)})
    await record_audit(conn, actor="admin", action="site.create", site_id=row["id"],
                       details={"name": site.name, "url": site.url})
    response.headers["Location"] = f"{API_PREFIX}{router.prefix}/{row['id']}"
    return SiteTokenOut(**row, token=token)


@router.get("", summary="List sites")
async def list_sites(caller: AdminDep, conn: ConnectionDep, limit: LimitQuery = 50,
                     offset: OffsetQuery = 0) -> Page[SiteOut]:
    rows = await fetch_all(conn, "site_page", {"limit": limit, "offset": offset})
    items = [SiteOut.model_validate(row) for row in rows if row["id"] is not None]
    return Page[SiteOut](items=items, total=rows[0]["total"], limit=limit, offset=offset)


@router.get("/{site_id}", summary="One site (admin, or the site's own token)", responses=error_responses(404))
async def get_site(site_id: SiteId, caller: CallerDep, conn: ConnectionDep) -> SiteOut:
    row = await fetch_one(conn, "site_get", {"site_id": site_id, "token_hash": caller.token_hash})
    refused = site_access_error(caller, site_id=site_id, site_exists=row["id"] is not None,
                                token_site_id=row["token_site_id"])
    if refused:
        raise refused
    return SiteOut.model_validate(row)


@router.post("/{site_id}/token", summary="Rotate the site's token; the old one stops working at once",
             responses=error_responses(404))
async def rotate_site_token(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> SiteTokenOut:
    token = new_token()
    row = await fetch_one(conn, "site_rotate_token", {"site_id": site_id, "token_hash": hash_token(token)})
    if row is None:
        raise not_found(f"no site with id {site_id}")
    await record_audit(conn, actor="admin", action="site.rotate_token", site_id=site_id, details={})
    return SiteTokenOut(**row, token=token)


@router.delete("/{site_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete the site with its payloads, modules and history", responses=error_responses(404))
async def delete_site(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> Response:
    row = await fetch_one(conn, "site_delete", {"site_id": site_id})
    if row is None:
        raise not_found(f"no site with id {site_id}")
    await record_audit(conn, actor="admin", action="site.delete", site_id=site_id,
                       details={"name": row["name"], "url": row["url"]})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
