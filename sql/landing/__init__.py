"""Landing: a pushed inventory committed as received, under its site's lock and rate limit.

A push is one short transaction: `lock_site` (the site row, when the caller
may push for it), then `land` (rate-limit count, Idempotency-Key lookup,
insert and audit in one statement). A push that will not land is answered
from `site_access`, which takes no lock.
"""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sql.query import Query


class LockedSite(NamedTuple):
    id: int
    url: str


class Landing(NamedTuple):
    """What `land` decided. `task_id` is set when the payload landed; `repeat_*` when the
    Idempotency-Key was used in the last 24 h (nothing landed); neither: over the rate limit."""

    task_id: UUID | None
    received_at: datetime | None
    used: int  # payloads of the site in the trailing hour, before this one
    oldest: datetime | None
    slot_frees_from: datetime | None  # when one more payload fits the limit
    database_now: datetime
    repeat_task_id: UUID | None
    repeat_same_body: bool | None
    repeat_modules_received: int | None
    repeat_sync_type: str | None


class SiteAccess(NamedTuple):
    """Who may push for a site (`token_site_id`: whose token the caller holds), and its rate-limit window."""

    site_exists: bool
    url: str | None
    token_site_id: int | None
    used: int | None
    oldest: datetime | None
    database_now: datetime


LOCK_SITE = Query.of(__file__, "lock_site", row=LockedSite)
LAND = Query.of(__file__, "land", row=Landing)
SITE_ACCESS = Query.of(__file__, "site_access", row=SiteAccess)


def lock_site(conn, *, site_id: int, is_admin: bool, token_hash: bytes | None):
    """The site (`LockedSite`), locked until commit, when the caller may push for it; else None."""
    return LOCK_SITE.one(conn, site_id=site_id, is_admin=is_admin, token_hash=token_hash)


def land(conn, *, site_id: int, actor: str, rate_limit: int, payload_shape: str, sync_type: str,
         core_version: str | None, modules_received: int, body: bytes, body_sha256: bytes,
         idempotency_key: str | None):
    """Land the payload unless it repeats an Idempotency-Key or exceeds the limit (`Landing`).

    Run after `lock_site` in the same transaction. The body goes as a `bytes`
    parameter, which psycopg sends in binary: no escaping of a large payload.
    """
    return LAND.one(conn, site_id=site_id, actor=actor, rate_limit=rate_limit, payload_shape=payload_shape,
                    sync_type=sync_type, core_version=core_version, modules_received=modules_received,
                    body=body, body_sha256=body_sha256, idempotency_key=idempotency_key)


def site_access(conn, *, site_id: int, token_hash: bytes | None):
    """One `SiteAccess` row, whether or not the site exists."""
    return SITE_ACCESS.one(conn, site_id=site_id, token_hash=token_hash)
