"""The module push: land the raw inventory durably, then answer.

Nothing here touches modules: the payload's bytes, as received (after gzip),
are committed to `landing_payloads` with the facts the pipeline needs, under
the per-site rate limit, in one short transaction — and only then is 202 sent.

Order of checks (each answer names what is wrong):

1. no bearer token → 401;
2. the body is read and validated, but its verdict is held back:
   Idempotency-Key and `?format=` syntax (422), Content-Type /
   Content-Encoding (415), size on the wire or after gzip (413), JSON syntax,
   repeated keys, NaN or Infinity (400), schema (422);
3. the caller: unknown token → 401; a site token for any other site id,
   existing or not → 403 (a token cannot probe for sites); admin on an unknown
   site → 404;
4. the held verdict from 2, now with the site's rate-limit headers;
5. shape A `site.url` not the registered URL → 400;
6. under the site lock: a repeated Idempotency-Key (24 h) → the original task
   (202) or, for a different body, 409; over the limit → 429; else land → 202.

Every answer carries `X-RateLimit-Limit`; from step 4 on also
`X-RateLimit-Remaining` and `X-RateLimit-Reset`.
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.auth import Caller, site_access_error
from intake.body import check_body_headers, discard_body, read_body
from intake.database import is_database_unavailable
from intake.deps import CallerDep
from intake.errors import ApiError, database_unavailable, detail, error_responses, refusal_response
from intake.payloads import FORMATS, Shape, SyncPayload, parse_sync_payload
from intake.ratelimit import RateWindow, limit_headers, retry_after_seconds
from intake.schemas.intake import PAYLOAD_EXAMPLES, SyncAcceptedOut, SyncFinishedOut
from intake.schemas.sites import SiteId
from intake.site_urls import same_site_url
from intake.urls import path_for
from intake.waiting import MAX_WAIT_SECONDS, preferred_wait_seconds, wait_for_outcome
from sql import store


class RateLimitedRoute(APIRoute):
    """Every answer carries `X-RateLimit-Limit`, refusals before the handler runs included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_with_limit(request: Request) -> Response:
            try:
                response = await handle(request)
            except (ApiError, RequestValidationError) as refused:
                response = refusal_response(refused)
            limit = request.app.state.settings.rate_limit_per_hour
            response.headers.update({k: v for k, v in limit_headers(limit).items() if k not in response.headers})
            return response

        return handle_with_limit


router = APIRouter(prefix="/sites", tags=["intake"], route_class=RateLimitedRoute)

MAX_IDEMPOTENCY_KEY_LENGTH = 255

_RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Accepted syncs allowed per site per trailing hour",
                          "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Syncs still allowed in the trailing hour (once the site is known)",
                              "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Unix time when the oldest counted sync leaves the window",
                          "schema": {"type": "integer"}},
}


def _documented_errors() -> dict[int | str, dict[str, Any]]:
    responses = error_responses(400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 503)
    for answer in responses.values():
        answer["headers"] = dict(_RATE_HEADERS)
    responses[401]["headers"]["WWW-Authenticate"] = {"description": "`Bearer`", "required": True,
                                                     "schema": {"type": "string"}}
    responses[429]["headers"]["Retry-After"] = {"description": "Seconds until a sync fits the limit again",
                                                "required": True, "schema": {"type": "integer"}}
    return responses


PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": SyncFinishedOut, "headers": _RATE_HEADERS,
          "description": f"`Prefer: wait=N` (N ≤ {MAX_WAIT_SECONDS}, larger N is clamped) and the task "
                         "finished within N seconds: `completed` with its result, or `failed` with its error"},
    202: {"headers": {**_RATE_HEADERS, "Location": {"description": "The task status URL", "required": True,
                                                    "schema": {"type": "string"}}},
          "description": "The payload is committed; the task status URL tells how processing goes. "
                         "A repeated `Idempotency-Key` with the same body answers the original task."},
    **_documented_errors(),
}

PUSH_REQUEST_BODY = {
    "required": True,
    "description": "Shape A or shape B, or what a site already prints, posted as is: the output of "
                   "`drush pm:list --format=json` (Drush 8 to 13; `Not installed` extensions are left out) or the "
                   "site's `composer.lock` (its `drupal/*` projects and core). The shape is detected from the "
                   "top-level keys or named with `?format=`; optionally `Content-Encoding: gzip`. Unknown keys are "
                   "ignored; a repeated key, `NaN` or `Infinity` is refused (400). Drush and composer.lock pushes "
                   "are full syncs.",
    "content": {
        "application/json": {
            "schema": {"oneOf": [{"$ref": "#/components/schemas/SyncPayloadA"},
                                 {"$ref": "#/components/schemas/SyncPayloadB"}]},
            "examples": PAYLOAD_EXAMPLES,
        }
    },
}

FORMAT_PARAMETER = {
    "name": "format", "in": "query", "required": False,
    "description": "The payload shape, when detection from the body is not wanted: `a`, `b`, `drush` "
                   "(`drush pm:list --format=json`) or `composer-lock`.",
    "schema": {"type": "string", "enum": list(FORMATS)},
}
PUSH_OPENAPI = {"requestBody": PUSH_REQUEST_BODY, "parameters": [FORMAT_PARAMETER]}

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(description="Retry safely: within 24 h the same key and body answer the original task, "
                       "a different body 409. 1 to 255 printable ASCII characters.",
           json_schema_extra={"minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH}),
]
PreferHeader = Annotated[
    str | None,
    Header(description=f"`wait=N`: answer 200 with the outcome if processing finishes within N seconds "
                       f"(N > {MAX_WAIT_SECONDS} is clamped to {MAX_WAIT_SECONDS}); otherwise 202 as usual."),
]


@router.post("/{site_id}/modules", status_code=status.HTTP_202_ACCEPTED, response_model=SyncAcceptedOut,
             summary="Push a site's module inventory", responses=PUSH_RESPONSES,
             openapi_extra=PUSH_OPENAPI)
@router.post("/{site_id}/modules/sync", status_code=status.HTTP_202_ACCEPTED, response_model=SyncAcceptedOut,
             summary="Push a site's module inventory (same as /modules)", responses=PUSH_RESPONSES,
             openapi_extra=PUSH_OPENAPI)
async def push_modules(
    site_id: SiteId,
    request: Request,
    caller: CallerDep,
    idempotency_key: IdempotencyKeyHeader = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    """Land a module inventory (shape A, B, drush or composer.lock) for processing; answers once the payload is
    committed.

    The caller is judged before the body: an unknown token is 401, a site token
    for any other site id (existing or not) 403, the admin token on an unknown
    site 404. Then, in order: Idempotency-Key and `?format=` syntax (422), Content-Type /
    Content-Encoding (415), size on the wire and after gzip (413), JSON syntax
    (400, with the position; also a repeated key, `NaN` or `Infinity`), schema (422, every problem with its
    JSON path),
    shape A `site.url` against the registered URL (400), a repeated
    Idempotency-Key (the original task, or 409 for a different body), the rate
    limit (429 with `Retry-After`). The database unavailable: 503, nothing stored.
    """
    settings = request.app.state.settings
    engine = request.app.state.engine
    payload, held = await _read_payload(request, idempotency_key)
    try:
        async with engine.begin() as conn:
            accepted, window = await _land(request, conn, caller, site_id, payload, held, idempotency_key,
                                           rate_limit=settings.rate_limit_per_hour)
    except Exception as error:
        if is_database_unavailable(error):
            raise database_unavailable() from None
        raise
    headers = window.headers()
    wait = preferred_wait_seconds(request.headers.getlist("prefer"))
    if wait:
        outcome = await wait_for_outcome(engine, accepted.task_id, wait)
        if outcome is not None:
            finished = SyncFinishedOut(status=outcome.status, task_id=accepted.task_id,
                                       result=outcome.result, error=outcome.error)
            return JSONResponse(finished.model_dump(mode="json"), status_code=200, headers=headers)
    headers["Location"] = accepted.status_url
    return JSONResponse(accepted.model_dump(mode="json"), status_code=202, headers=headers)


async def _read_payload(request: Request, idempotency_key: str | None) -> tuple[SyncPayload | None, ApiError | None]:
    """The validated payload, or the reason it is refused (answered once the caller is known)."""
    limit = request.app.state.settings.max_body_bytes
    try:
        _check_idempotency_key(idempotency_key)
        shape = _named_shape(request.query_params.getlist("format"))
        check_body_headers(request)
    except ApiError as refused:
        await discard_body(request, limit)
        return None, refused
    try:
        raw = await read_body(request, limit)
        return parse_sync_payload(raw, max_modules=request.app.state.settings.max_modules, shape=shape), None
    except ApiError as refused:
        return None, refused


def _named_shape(formats: list[str]) -> Shape | None:
    if not formats:
        return None
    if len(formats) > 1 or formats[0] not in FORMATS:
        raise ApiError(422, "validation_failed", "the format query parameter is invalid",
                       details=[detail("query.format", "one of " + ", ".join(FORMATS), "enum")])
    return FORMATS[formats[0]]


def _check_idempotency_key(key: str | None) -> None:
    if key is None:
        return
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise ApiError(422, "validation_failed", "the Idempotency-Key header is invalid",
                       details=[detail("header.Idempotency-Key",
                                       f"1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters",
                                       "idempotency_key")])


async def _land(
    request: Request,
    conn: AsyncConnection,
    caller: Caller,
    site_id: int,
    payload: SyncPayload | None,
    held: ApiError | None,
    idempotency_key: str | None,
    *,
    rate_limit: int,
) -> tuple[SyncAcceptedOut, RateWindow]:
    """Land `payload` (the transaction commits after this returns) or raise why not."""
    site = None
    if payload is not None:
        site = await store.landing.lock_site(conn, site_id=site_id, is_admin=caller.is_admin,
                                             token_hash=caller.token_hash)
    if site is None or payload is None:
        raise await _refusal(conn, caller, site_id, held, rate_limit=rate_limit)
    if payload.reported_url is not None and not same_site_url(payload.reported_url, site.url):
        mismatch = ApiError(400, "site_url_mismatch",
                            f"site.url {payload.reported_url!r} is not this site's registered URL {site.url!r}",
                            details=[detail("$.site.url", "must match the registered URL", "site_url_mismatch")])
        raise await _refusal(conn, caller, site_id, mismatch, rate_limit=rate_limit)

    row = await store.landing.land(
        conn,
        site_id=site_id,
        actor=caller.actor(site_id),
        rate_limit=rate_limit,
        payload_shape=payload.shape,
        sync_type=payload.sync_type,
        core_version=payload.core_version,
        modules_received=payload.modules_received,
        body=payload.body,
        body_sha256=payload.body_sha256,
        idempotency_key=idempotency_key,
    )
    window = RateWindow(rate_limit, row.used, row.oldest, row.database_now)
    if row.repeat_task_id is not None:
        if not row.repeat_same_body:
            raise ApiError(409, "idempotency_key_reused",
                           f"Idempotency-Key {idempotency_key!r} was used in the last 24 h for a different body "
                           f"(task {row.repeat_task_id})",
                           details=[detail("header.Idempotency-Key", "already used for a different body",
                                           "idempotency_key_reused")],
                           headers=window.headers())
        return _accepted(request, row.repeat_task_id, row.repeat_modules_received, row.repeat_sync_type), window
    if row.task_id is None:
        retry_after = retry_after_seconds(row.slot_frees_from, row.database_now)
        raise ApiError(429, "rate_limited",
                       f"site {site_id} has used its {rate_limit} syncs of the trailing hour; "
                       f"retry in {retry_after} s",
                       headers={**window.headers(), "Retry-After": str(retry_after)})
    return (_accepted(request, row.task_id, payload.modules_received, payload.sync_type),
            window.landed(row.received_at))


async def _refusal(conn: AsyncConnection, caller: Caller, site_id: int, problem: ApiError | None,
                   *, rate_limit: int) -> ApiError:
    """The answer for a push that will not land: the caller's refusal first, else `problem`."""
    access = await store.landing.site_access(conn, site_id=site_id, token_hash=caller.token_hash)
    refused = site_access_error(caller, site_id=site_id, site_exists=access.site_exists,
                                token_site_id=access.token_site_id)
    if refused is not None:
        return refused
    if problem is None:  # allowed now, but not a moment ago: the site or its token changed meanwhile
        problem = ApiError(409, "site_changed", "the site changed while the payload was landing; retry")
    window = RateWindow(rate_limit, access.used, access.oldest, access.database_now)
    return problem.with_headers(window.headers())


def _accepted(request: Request, task_id: UUID, modules_received: int, sync_type: str) -> SyncAcceptedOut:
    return SyncAcceptedOut(task_id=task_id, status_url=path_for(request, "task_status", task_id=str(task_id)),
                           modules_received=modules_received, sync_type=sync_type)
