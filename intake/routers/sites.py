"""Sites: register, list, read, rotate the token, delete (admin; a site may read itself)."""

from fastapi import APIRouter, Request, Response, status

from intake.audit import record_audit
from intake.auth import AdminDep, CallerDep, site_access_error
from intake.body import JsonContentDep
from intake.database import ConnectionDep, fetch_one
from intake.errors import error_responses, not_found
from intake.etag import conditional_json, read_responses
from intake.reading import ReadConnectionDep, fetch_rows
from intake.routers import API_PREFIX
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.sites import SiteCountsOut, SiteId, SiteIn, SiteOut, SiteSortQuery, SiteTokenOut
from intake.summaries import recount_security_summaries
from foundation.secrets import hash_token, new_token

router = APIRouter(prefix="/sites", tags=["sites"], responses=error_responses(401, 403, 422, 503))


def site_out(row) -> SiteOut:
    return SiteOut(id=row["id"], name=row["name"], url=row["url"], created_at=row["created_at"],
                   last_sync_at=row["last_sync_at"], core_version=row["core_version"], stale=row["stale"],
                   counts=SiteCountsOut(modules=row["modules"], updates_available=row["updates_available"],
                                        security_updates=row["security_updates"],
                                        known_vulnerable=row["known_vulnerable"]))


def stale_after_hours(request: Request) -> int:
    return request.app.state.settings.stale_after_hours


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a site; its token is shown once",
             responses=error_responses(400, 415))
async def create_site(caller: AdminDep, _: JsonContentDep, site: SiteIn, conn: ConnectionDep,
                      response: Response) -> SiteTokenOut:
    token = new_token()
    row = await fetch_one(conn, "site_insert", {"name": site.name, "url": site.url, "token_hash": hash_token(token)})
    await record_audit(conn, actor="admin", action="site.create", entity_type="site", entity_id=row["id"],
                       details={"name": site.name, "url": site.url})
    response.headers["Location"] = f"{API_PREFIX}{router.prefix}/{row['id']}"
    return SiteTokenOut(**row, token=token)


@router.get("", summary="List sites with the counts of their modules", response_model=Page[SiteOut],
            responses=read_responses())
async def list_sites(request: Request, caller: AdminDep, conn: ReadConnectionDep, limit: LimitQuery = 50,
                     offset: OffsetQuery = 0, sort: SiteSortQuery = "id") -> Response:
    rows = await fetch_rows(conn, "site_page", {"limit": limit, "offset": offset, "sort": sort,
                                               "stale_after_hours": stale_after_hours(request)})
    items = [site_out(row) for row in rows if row["id"] is not None]
    return conditional_json(request, Page[SiteOut](items=items, total=rows[0]["total"], limit=limit, offset=offset))


@router.get("/{site_id}", summary="One site with the counts of its modules (admin, or the site's own token)",
            response_model=SiteOut, responses={**error_responses(404), **read_responses()})
async def get_site(request: Request, site_id: SiteId, caller: CallerDep, conn: ReadConnectionDep) -> Response:
    (row,) = await fetch_rows(conn, "site_get", {"site_id": site_id, "token_hash": caller.token_hash,
                                             "stale_after_hours": stale_after_hours(request)})
    refused = site_access_error(caller, site_id=site_id, site_exists=row["id"] is not None,
                                token_site_id=row["token_site_id"])
    if refused:
        raise refused
    return conditional_json(request, site_out(row))


@router.post("/{site_id}/token", summary="Rotate the site's token; the old one stops working at once",
             responses=error_responses(404))
async def rotate_site_token(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> SiteTokenOut:
    token = new_token()
    row = await fetch_one(conn, "site_rotate_token", {"site_id": site_id, "token_hash": hash_token(token)})
    if row is None:
        raise not_found(f"no site with id {site_id}")
    await record_audit(conn, actor="admin", action="site.rotate_token", entity_type="site",
                       entity_id=site_id, details={})
    return SiteTokenOut(**row, token=token)


@router.delete("/{site_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete the site with its payloads, modules and history", responses=error_responses(404))
async def delete_site(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> Response:
    row = await fetch_one(conn, "site_delete", {"site_id": site_id})
    if row is None:
        raise not_found(f"no site with id {site_id}")
    # The report's module summaries counted this site: recount its modules before committing.
    await recount_security_summaries(conn, module_ids=row["module_ids"])
    await record_audit(conn, actor="admin", action="site.delete", entity_type="site", entity_id=site_id,
                       details={"name": row["name"], "url": row["url"]})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
