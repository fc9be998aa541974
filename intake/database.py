"""The API's connection to PostgreSQL: one async SQLAlchemy engine per app.

Statements are the shared `sql/statements/*.sql` files, run with
`exec_driver_sql` so psycopg binds the parameters and SQLAlchemy adds no
compile step on the hot path.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from modwatch.database import sqlalchemy_url


def make_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"connect_timeout": 5},
    )


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the route returns normally."""
    async with request.app.state.engine.begin() as conn:
        yield conn


ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]
