"""A database of a test's own on the test server, migrated, dropped afterwards.

For tests whose processes also keep Dagster's storage in the platform
database, as `modwatch up` does: the shared test database is emptied table by
table between tests, which Dagster's own tables must not go through.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from foundation.database import drop_database, ensure_database
from sql.migrate import VERSION_TABLE, upgrade


@contextmanager
def migrated_database(server_url: str, purpose: str) -> Iterator[str]:
    name = f"modwatch_test_{purpose}_{uuid.uuid4().hex[:10]}"
    url = ensure_database(server_url, name)
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(server_url, name)


def empty_platform_tables(database_url: str) -> None:
    """Every platform table emptied (the schema version kept), identities restarted."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename <> %s",
            (VERSION_TABLE,))]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
