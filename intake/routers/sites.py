"""Sites: register, list, read, rotate the token, delete (admin; a site may read itself)."""

from fastapi import APIRouter, Request, Response, status

from intake.auth import site_access_error
from intake.deps import AdminDep, CallerDep, ConnectionDep, JsonContentDep, ReadConnectionDep
from intake.errors import ApiError, detail, error_responses, not_found
from intake.etag import conditional_json, read_responses
from intake.schemas.errors import ErrorOut
from intake.schemas.pagination import LimitQuery, OffsetQuery, Page
from intake.schemas.sites import (
    SiteCountsOut,
    SiteId,
    SiteIn,
    SiteOut,
    SiteProjectCountsOut,
    SiteSortQuery,
    SiteTokenOut,
)
from intake.urls import path_for
from sql import store
from sql.sites import SitePageRow, SiteRow, SiteWithToken, UrlTaken

router = APIRouter(prefix="/sites", tags=["sites"], responses=error_responses(401, 403, 422, 503))

CONFLICT_URL_TAKEN = {409: {"model": ErrorOut, "description": "Another site is registered with this URL "
                                                           "(case and a trailing slash aside)"}}


def site_out(row: SiteRow | SitePageRow) -> SiteOut:
    return SiteOut(id=row.id, name=row.name, url=row.url, created_at=row.created_at,
                   last_sync_at=row.last_sync_at, core_version=row.core_version, stale=row.stale,
                   counts=SiteCountsOut(modules=row.modules, updates_available=row.updates_available,
                                        security_updates=row.security_updates,
                                        known_vulnerable=row.known_vulnerable),
                   project_counts=SiteProjectCountsOut(
                       projects=row.projects, updates_available=row.projects_updates_available,
                       security_updates=row.projects_security_updates,
                       known_vulnerable=row.projects_known_vulnerable, in_trouble=row.projects_in_trouble))


def token_out(created: SiteWithToken) -> SiteTokenOut:
    site = created.site
    return SiteTokenOut(id=site.id, name=site.name, url=site.url, created_at=site.created_at, token=created.token)


def stale_after_hours(request: Request) -> int:
    return request.app.state.settings.stale_after_hours


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a site; its token is shown once",
             responses={**error_responses(400, 415), **CONFLICT_URL_TAKEN})
async def create_site(request: Request, caller: AdminDep, _: JsonContentDep, site: SiteIn, conn: ConnectionDep,
                      response: Response) -> SiteTokenOut:
    """One site per URL: scheme, host, port and path name a site, whatever their case or a trailing slash."""
    created = await store.sites.create(conn, name=site.name, url=site.url, actor="admin")
    if isinstance(created, UrlTaken):
        holder = created.holder
        raise ApiError(409, "site_url_taken", f"site {holder.id} ({holder.name!r}) is registered with {holder.url!r}",
                       details=[detail("$.url", f"site {holder.id} has this URL", "unique")])
    response.headers["Location"] = path_for(request, "get_site", site_id=created.site.id)
    return token_out(created)


@router.get("", summary="List sites with the counts of their modules", response_model=Page[SiteOut],
            responses=read_responses())
async def list_sites(request: Request, caller: AdminDep, conn: ReadConnectionDep, limit: LimitQuery = 50,
                     offset: OffsetQuery = 0, sort: SiteSortQuery = "id") -> Response:
    rows = await store.sites.page(conn, limit=limit, offset=offset, sort=sort,
                                  stale_after_hours=stale_after_hours(request))
    items = [site_out(row) for row in rows if row.id is not None]
    return conditional_json(request, Page[SiteOut](items=items, total=rows[0].total, limit=limit, offset=offset))


@router.get("/{site_id}", summary="One site with the counts of its modules (admin, or the site's own token)",
            response_model=SiteOut, responses={**error_responses(404), **read_responses()})
async def get_site(request: Request, site_id: SiteId, caller: CallerDep, conn: ReadConnectionDep) -> Response:
    row = await store.sites.get(conn, site_id=site_id, token_hash=caller.token_hash,
                                stale_after_hours=stale_after_hours(request))
    refused = site_access_error(caller, site_id=site_id, site_exists=row.id is not None,
                                token_site_id=row.token_site_id)
    if refused:
        raise refused
    return conditional_json(request, site_out(row))


@router.post("/{site_id}/token", summary="Rotate the site's token; the old one stops working at once",
             responses=error_responses(404))
async def rotate_site_token(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> SiteTokenOut:
    rotated = await store.sites.rotate_token(conn, site_id=site_id, actor="admin")
    if rotated is None:
        raise not_found(f"no site with id {site_id}")
    return token_out(rotated)


@router.delete("/{site_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete the site with its payloads, modules and history", responses=error_responses(404))
async def delete_site(site_id: SiteId, caller: AdminDep, conn: ConnectionDep) -> Response:
    """The security report's summaries are recounted in the same transaction."""
    if await store.sites.delete(conn, site_id=site_id, actor="admin") is None:
        raise not_found(f"no site with id {site_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
