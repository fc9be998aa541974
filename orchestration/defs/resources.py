"""Resources: one per external system, configured from the environment with `dg.EnvVar`.

Each variable is read when a run starts, not when the definitions load. A
config value bound to an `EnvVar` cannot fall back to a default when the
variable is unset, so the settings that have one (the feed base, the
advisories sources) are fields left unset here and read with their default
from their `EnvVar` when used; a test or a caller passes other values through
the resource's fields.
"""

import asyncio
from contextlib import contextmanager

import dagster as dg

from foundation.settings import OSV_ARCHIVE_URL, Settings
from orchestration.pipeline.advisories import OSV_OFF
from orchestration.pipeline.feeds import FeedRequest, FeedResponse, fetch_all
from sql.connection import connect

RELEASE_FEED_URL = Settings.model_fields["release_feed_url"].default
RELEASE_FEED_URL_VARIABLE = dg.EnvVar("MODWATCH_RELEASE_FEED_URL")
ADVISORIES_URL_VARIABLE = dg.EnvVar("MODWATCH_ADVISORIES_URL")
OSV_URL_VARIABLE = dg.EnvVar("MODWATCH_OSV_URL")


class PostgresResource(dg.ConfigurableResource):
    """The platform database (the same server Dagster stores its runs in)."""

    database_url: str

    @contextmanager
    def connect(self, *, autocommit: bool = False):
        with connect(self.database_url, autocommit=autocommit) as conn:
            yield conn


class ReleaseFeedResource(dg.ConfigurableResource):
    """drupal.org release-history feeds (or a `file://` folder of saved feeds).

    `base_url` unset: MODWATCH_RELEASE_FEED_URL, else drupal.org's."""

    base_url: str | None = None
    concurrency: int = 8
    timeout_seconds: float = 20.0
    retries: int = 3
    backoff_seconds: float = 0.5

    def fetch(self, requests: list[FeedRequest]) -> list[FeedResponse]:
        base = self.base_url or RELEASE_FEED_URL_VARIABLE.get_value(RELEASE_FEED_URL)
        return asyncio.run(fetch_all(base, requests, concurrency=self.concurrency,
                                     timeout_seconds=self.timeout_seconds, retries=self.retries,
                                     backoff_seconds=self.backoff_seconds))


class SecurityAdvisoriesResource(dg.ConfigurableResource):
    """Where the drupal-security-advisories metapackage is read from (URL or file).

    `url` unset: MODWATCH_ADVISORIES_URL, else nowhere (advisories are optional)."""

    url: str | None = None

    @property
    def source(self) -> str | None:
        return self.url or ADVISORIES_URL_VARIABLE.get_value()


class OsvDatabaseResource(dg.ConfigurableResource):
    """The Drupal Security Team's advisory database in OSV format: a directory, a zip of the repository or
    an http(s) URL of one. `url` unset: MODWATCH_OSV_URL, else the public database's archive; `none`
    turns the advisories off."""

    url: str | None = None
    timeout_seconds: float = 60.0

    @property
    def source(self) -> str:
        return self.url or OSV_URL_VARIABLE.get_value(OSV_ARCHIVE_URL) or OSV_ARCHIVE_URL

    @property
    def enabled(self) -> bool:
        return self.source.strip().lower() != OSV_OFF


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "database": PostgresResource(database_url=dg.EnvVar("MODWATCH_DATABASE_URL")),
            "release_feeds": ReleaseFeedResource(),
            "security_advisories": SecurityAdvisoriesResource(),
            "osv_database": OsvDatabaseResource(),
        }
    )
