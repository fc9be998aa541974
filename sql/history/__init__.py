"""A site's history: one event per change an applied inventory made, as the API pages through it."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sql.query import Query


class EventPageRow(NamedTuple):
    """An event of one page, with the total and who may read the site (`token_site_id`: whose token
    the caller holds). A page past the end is one row of NULL events."""

    site_exists: bool
    token_site_id: int | None
    total: int
    id: int | None
    machine_name: str | None
    event: str | None
    from_version: str | None
    to_version: str | None
    task_id: UUID | None
    occurred_at: datetime | None


PAGE = Query.of(__file__, "page", row=EventPageRow)


def page(conn, *, site_id: int, token_hash: bytes | None, module: str | None, events: list[str] | None,
         since: datetime | None, until: datetime | None, limit: int, offset: int):
    """`EventPageRow`s, newest first; a None filter means no filter, the range is `since <= t < until`."""
    return PAGE.all(conn, site_id=site_id, token_hash=token_hash, module=module, events=events, since=since,
                    until=until, limit=limit, offset=offset)
