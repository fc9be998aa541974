"""A synchronous connection to the platform database, for the pipeline and the command line."""

import psycopg
from psycopg.conninfo import make_conninfo

from foundation.database import libpq_url


def connect(database_url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection; the store's statements read rows as their declared types whatever its row factory."""
    return psycopg.connect(libpq_url(database_url), autocommit=autocommit)


def beside_conninfo(conn: psycopg.Connection) -> str:
    """The libpq connection string of `conn` (its password included), for a second connection beside it."""
    return make_conninfo(**conn.info.get_parameters(), password=conn.info.password)
