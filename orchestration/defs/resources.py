"""Resources: one per external system, configured from the environment."""

import asyncio
from contextlib import contextmanager

import dagster as dg
import psycopg
from psycopg.rows import dict_row

from foundation.database import libpq_url
from foundation.settings import Settings
from orchestration.feeds import FeedRequest, FeedResponse, fetch_all


class PostgresResource(dg.ConfigurableResource):
    """The platform database (the same server Dagster stores its runs in)."""

    database_url: str

    @contextmanager
    def connect(self, *, autocommit: bool = False):
        with psycopg.connect(
            libpq_url(self.database_url), autocommit=autocommit, row_factory=dict_row
        ) as conn:
            yield conn


class ReleaseFeedResource(dg.ConfigurableResource):
    """drupal.org release-history feeds (or a `file://` folder of saved feeds)."""

    base_url: str | None = None  # None: MODWATCH_RELEASE_FEED_URL, read when fetching
    concurrency: int = 8
    timeout_seconds: float = 20.0
    retries: int = 3
    backoff_seconds: float = 0.5

    def fetch(self, requests: list[FeedRequest]) -> list[FeedResponse]:
        base = self.base_url or Settings().release_feed_url
        return asyncio.run(fetch_all(base, requests, concurrency=self.concurrency,
                                     timeout_seconds=self.timeout_seconds, retries=self.retries,
                                     backoff_seconds=self.backoff_seconds))


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "database": PostgresResource(database_url=dg.EnvVar("MODWATCH_DATABASE_URL")),
            "release_feeds": ReleaseFeedResource(),
        }
    )
