"""A synchronous connection to the platform database, for the pipeline and the command line."""

import psycopg

from foundation.database import libpq_url


def connect(database_url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection; the store's statements read rows as their declared types whatever its row factory."""
    return psycopg.connect(libpq_url(database_url), autocommit=autocommit)


def beside(conn: psycopg.Connection) -> psycopg.Connection:
    """A second connection (autocommit) to the database `conn` is on, as the same user: for a read that runs
    at the same time as one on `conn`."""
    return psycopg.connect(**conn.info.get_parameters(), password=conn.info.password, autocommit=True)
