"""Resources: one per external system, configured from the environment with `dg.EnvVar`.

An `EnvVar` is read when a run starts, not when the definitions load. Dagster
has no default for an unset one, so a setting with a default is bound to its
variable only where the deployment sets it.
"""

import asyncio
import os
from contextlib import contextmanager

import dagster as dg

from foundation.settings import Settings
from orchestration.pipeline.feeds import FeedRequest, FeedResponse, fetch_all
from sql.connection import connect

RELEASE_FEED_URL = Settings.model_fields["release_feed_url"].default


class PostgresResource(dg.ConfigurableResource):
    """The platform database (the same server Dagster stores its runs in)."""

    database_url: str

    @contextmanager
    def connect(self, *, autocommit: bool = False):
        with connect(self.database_url, autocommit=autocommit) as conn:
            yield conn


class ReleaseFeedResource(dg.ConfigurableResource):
    """drupal.org release-history feeds (or a `file://` folder of saved feeds)."""

    base_url: str = RELEASE_FEED_URL
    concurrency: int = 8
    timeout_seconds: float = 20.0
    retries: int = 3
    backoff_seconds: float = 0.5

    def fetch(self, requests: list[FeedRequest]) -> list[FeedResponse]:
        return asyncio.run(fetch_all(self.base_url, requests, concurrency=self.concurrency,
                                     timeout_seconds=self.timeout_seconds, retries=self.retries,
                                     backoff_seconds=self.backoff_seconds))


class SecurityAdvisoriesResource(dg.ConfigurableResource):
    """Where the drupal-security-advisories metapackage is read from (URL or file); None: nowhere."""

    source: str | None = None


def from_environment(variable: str, default: str | None) -> str | None:
    """`dg.EnvVar(variable)` where the deployment sets it, else `default`."""
    return dg.EnvVar(variable) if variable in os.environ else default


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "database": PostgresResource(database_url=dg.EnvVar("MODWATCH_DATABASE_URL")),
            "release_feeds": ReleaseFeedResource(
                base_url=from_environment("MODWATCH_RELEASE_FEED_URL", RELEASE_FEED_URL)),
            "security_advisories": SecurityAdvisoriesResource(
                source=from_environment("MODWATCH_ADVISORIES_URL", None)),
        }
    )
