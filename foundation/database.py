"""Where the PostgreSQL server is: the configured one, or an embedded `pgserver`.

With no `MODWATCH_DATABASE_URL`, a real PostgreSQL is started from the
`pgserver` wheel with its data under `MODWATCH_HOME/pgdata`; starting again
reuses the same data. Platform tables and Dagster storage share one database.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

EMBEDDED_DATABASE = "modwatch"


def libpq_url(url: str) -> str:
    """The URL as libpq / psycopg / dagster-postgres want it."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy wants it: the psycopg 3 driver, sync or async."""
    return "postgresql+psycopg://" + libpq_url(url)[len("postgresql://") :]


def with_database(url: str, database: str) -> str:
    parts = urlsplit(libpq_url(url))
    return urlunsplit(parts._replace(path="/" + database))


def ensure_database(server_url: str, database: str) -> str:
    """Create `database` on the server if missing; return its URL."""
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return with_database(server_url, database)


def drop_database(server_url: str, database: str) -> None:
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def start_embedded_server(home: Path):
    """Start (or join) the embedded PostgreSQL under `home/pgdata`.

    The server stops when the last process that started it exits; child
    processes are handed the URL instead of starting their own.
    """
    import pgserver  # imported here: only the embedded mode needs it

    pgdata = home.resolve() / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(pgdata, cleanup_mode="stop")


def resolve_database_url(configured: str | None, home: Path) -> tuple[str, object | None]:
    """The database URL to use and, in embedded mode, the server handle to keep alive."""
    if configured:
        return libpq_url(configured), None
    server = start_embedded_server(home)
    return ensure_database(server.get_uri(), EMBEDDED_DATABASE), server
