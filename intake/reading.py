"""What the read routes share: a connection without a transaction, rows as dicts,
a page out of "header + page rows", and site access.

Every list statement answers one row per item, each carrying the header
columns (the total, and for a site's data who may read it), or a single row
of NULL items when the page is empty — so a page past the end still tells
the total and the access check, all in one round trip.
"""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.auth import Caller, site_access_error
from intake.schemas.pagination import Page
from sql import statement

ItemT = TypeVar("ItemT")


async def get_read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A pooled connection in autocommit: a read needs no BEGIN and COMMIT round trips."""
    async with request.app.state.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


ReadConnectionDep = Annotated[AsyncConnection, Depends(get_read_connection)]


async def fetch_rows(conn: AsyncConnection, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Statement `name`'s rows as plain dicts (a third of the cost of SQLAlchemy's row mappings)."""
    result = await conn.exec_driver_sql(statement(name), dict(params or {}))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


async def fetch_rows_alongside(engine: AsyncEngine, name: str,
                               params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """`fetch_rows` on a connection of its own, to run beside the route's statement on another core."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await fetch_rows(conn, name, params)


def page_from_rows(rows: Sequence[Mapping[str, Any]], item: Callable[[Mapping[str, Any]], ItemT], *,
                   present: str, limit: int, offset: int) -> Page[ItemT]:
    """The page whose items are the rows where column `present` is not NULL."""
    items = [item(row) for row in rows if row[present] is not None]
    return Page[Any](items=items, total=rows[0]["total"] if rows else 0, limit=limit, offset=offset)


def check_site_access(caller: Caller, site_id: int, row: Mapping[str, Any]) -> None:
    """Raise unless `caller` may read `site_id` (row has `site_exists` and `token_site_id`)."""
    refused = site_access_error(caller, site_id=site_id, site_exists=row["site_exists"],
                                token_site_id=row["token_site_id"])
    if refused:
        raise refused
