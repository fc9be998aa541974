"""The API's connection to PostgreSQL: one async SQLAlchemy engine per app.

Statements are the shared `sql/statements/*.sql` files, run with
`exec_driver_sql` so psycopg binds the parameters and SQLAlchemy adds no
compile step on the hot path.
"""

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from foundation.database import sqlalchemy_url
from sql import statement

# A request never waits long on the database: a lock held elsewhere or a
# stuck server becomes a 503 the client can retry, not a hung connection.
SESSION_OPTIONS = "-c lock_timeout=5s -c statement_timeout=15s -c idle_in_transaction_session_timeout=60s"


def make_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"connect_timeout": 5, "application_name": "modwatch-intake", "options": SESSION_OPTIONS},
    )


def is_database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (as opposed to a bug in a statement)."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the route function returns normally."""
    async with request.app.state.engine.begin() as conn:
        yield conn


# scope="function": the commit happens before the answer is sent, so a failed
# commit is an error answer, never a success for something that was not stored.
ConnectionDep = Annotated[AsyncConnection, Depends(get_connection, scope="function")]


async def fetch_one(conn: AsyncConnection, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """The first row of statement `name` as a mapping, or None."""
    result = await conn.exec_driver_sql(statement(name), dict(params or {}))
    return result.mappings().first()


async def fetch_all(conn: AsyncConnection, name: str, params: Mapping[str, Any] | None = None) -> list[Any]:
    result = await conn.exec_driver_sql(statement(name), dict(params or {}))
    return list(result.mappings())


async def fetch_one_autocommit(engine: AsyncEngine, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """A single read outside any transaction (no BEGIN/ROLLBACK round trips)."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await fetch_one(conn, name, params)
