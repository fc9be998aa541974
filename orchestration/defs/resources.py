"""Resources: one per external system, configured from the environment."""

from contextlib import contextmanager

import dagster as dg
import psycopg
from psycopg.rows import dict_row

from modwatch.database import libpq_url


class PostgresResource(dg.ConfigurableResource):
    """The platform database (the same server Dagster stores its runs in)."""

    database_url: str

    @contextmanager
    def connect(self, *, autocommit: bool = False):
        with psycopg.connect(
            libpq_url(self.database_url), autocommit=autocommit, row_factory=dict_row
        ) as conn:
            yield conn


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"database": PostgresResource(database_url=dg.EnvVar("MODWATCH_DATABASE_URL"))}
    )
