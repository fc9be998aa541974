"""The API's connection to PostgreSQL: one async SQLAlchemy engine per app.

Routes reach the database only through the store (`sql.store`), which hands
its `.sql` files to the driver as they are: psycopg binds the parameters and
SQLAlchemy adds no compile step on the hot path.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from foundation.database import sqlalchemy_url

# A request never waits long on the database: a lock held elsewhere or a
# stuck server becomes a 503 the client can retry, not a hung connection.
# No JIT: a prepared statement's generic plan, costed with a guessed row count, can be compiled just in
# time for far longer than the read itself takes.
SESSION_OPTIONS = ("-c lock_timeout=5s -c statement_timeout=15s -c idle_in_transaction_session_timeout=60s"
                   " -c jit=off")


def make_engine(database_url: str) -> AsyncEngine:
    # pool_pre_ping: a pooled connection is pinged when checked out, so a
    # checkout alone tells whether the database answers (see routers/health.py).
    return create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"connect_timeout": 5, "application_name": "modwatch-intake", "options": SESSION_OPTIONS},
    )


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection outside any transaction: a read needs no BEGIN and COMMIT round trips."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def is_database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (as opposed to a bug in a statement)."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated
